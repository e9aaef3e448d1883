// Prints line coverage per package from vitest's json-summary, and fails under each floor.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

// Floors: what is reached today, rounded down. Raise them, never lower them.
const floors = {
  'packages/schema': 98,
  'packages/core': 93,
  'packages/tools': 98,
  'apps/server': 82,
  'apps/worker': 89,
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
