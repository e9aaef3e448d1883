// `npm run bench -- NAME`: runs bench/NAME.ts; its last stdout line is one JSON object of figures.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const name = process.argv[2];
const available = readdirSync('bench').filter((f) => f.endsWith('.ts')).map((f) => f.replace(/\.ts$/, ''));
if (!name || !existsSync(`bench/${name}.ts`)) {
  console.error(`usage: npm run bench -- NAME   (one of: ${available.join(', ')})`);
  process.exit(2);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', `bench/${name}.ts`, ...process.argv.slice(3)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
