// `npm start`: build what is missing (the Nx cache makes a second start fast), then run
// server + worker in one process (apps/standalone). Signals are forwarded so Ctrl-C shuts down gracefully.
import { spawn, spawnSync } from 'node:child_process';

const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };
const build = spawnSync('npx', ['nx', 'run', '@tandem/web:build', '--output-style=static'], { stdio: 'inherit', env });
if (build.status !== 0) process.exit(build.status ?? 1);

const child = spawn(process.execPath, ['--import', 'tsx', 'apps/standalone/src/main.ts', ...process.argv.slice(2)], { stdio: 'inherit', env: process.env });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
