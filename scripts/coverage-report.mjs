// Prints line coverage per package from vitest's json-summary, and fails under each floor.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

// Floors: what is reached today less about a point, since timing-dependent paths (retries,
// shutdown races) vary a little between runs. Raise them, never lower them.
const floors = {
  'packages/schema': 97,
  'packages/core': 92,
  'packages/tools': 97,
  'apps/server': 81,
  'apps/worker': 88,
};

const summary = JSON.parse(readFileSync('coverage/coverage-summary.json', 'utf8'));
const totals = {};
for (const [file, data] of Object.entries(summary)) {
  if (file === 'total') continue;
  const rel = relative(process.cwd(), file);
  const pkg = Object.keys(floors).find((p) => rel.startsWith(p + '/'));
  if (!pkg) continue;
  totals[pkg] ??= { covered: 0, total: 0 };
  totals[pkg].covered += data.lines.covered;
  totals[pkg].total += data.lines.total;
}
let failed = false;
console.log('\nLine coverage per package');
for (const [pkg, floor] of Object.entries(floors)) {
  const t = totals[pkg];
  const pct = t && t.total ? (100 * t.covered) / t.total : 100;
  const low = pct < floor;
  failed ||= low;
  console.log(`  ${pkg.padEnd(18)} ${pct.toFixed(1).padStart(5)}%  (floor ${floor}%)${low ? '  BELOW FLOOR' : ''}`);
}
if (failed) process.exit(1);
