// `npm test`: typecheck every package, build the web app (both cached by Nx), then one vitest run
// with coverage. Extra arguments go to vitest (e.g. `npm test -- --project unit`).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };
function run(cmd, args) {
  console.log(`\n$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

run('npx', ['nx', 'run-many', '-t', 'typecheck', 'build', '--output-style=static']);
run('npx', ['tsc', '-p', 'e2e']);
run('npx', ['tsc', '-p', 'bench']);
// Lint (eslint.config.js: type-aware rules, no cycles, no deep imports) and unused code (knip.json).
run('npx', ['eslint', '.', '--max-warnings=0']);
run('npx', ['knip', '--no-progress']);
const report = '.tmp/vitest-report.json';
// Projects unit, integration (embedded always; services when PostgreSQL/Redis answer) and browser e2e.
const vitest = spawnSync('npx', ['vitest', 'run', '--coverage', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)], { stdio: 'inherit', env });
let status = vitest.status ?? 1;
if (status === 0 && !process.argv.slice(2).length)
  status = spawnSync('node', ['scripts/coverage-report.mjs'], { stdio: 'inherit', env }).status ?? 1;
summarize(report);
process.exit(status);

/** One closing line in the plain form CI reads: "tests: N passed, N failed, N skipped". */
function summarize(file) {
  if (!existsSync(file)) return;
  const r = JSON.parse(readFileSync(file, 'utf8'));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`\ntests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
}
