// `nx run @tandem/worker:build`: bundles a Node app's TypeScript (its own and the workspace
// packages' sources) into dist/ so production runs plain `node dist/main.mjs` instead of tsx.
// Why: tsx compiles every module at start-up and keeps its loader on a thread of its own; the
// bundle starts faster and a services-mode worker's resident memory drops by ~35 MB
// (README "Scripts", bench export). npm packages stay external (resolved from node_modules as
// usual); dynamic imports (provider SDK modules, PGlite) stay lazy as chunks of their own.
// Usage, from an app's directory: node ../../scripts/build-node-app.mjs src/main.ts
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

const entries = process.argv.slice(2);
if (!entries.length) throw new Error('usage: build-node-app.mjs <entry.ts>...');
rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: entries,
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  sourcemap: true,
  logLevel: 'warning',
  plugins: [{
    name: 'npm-packages-external',
    // Workspace packages (@tandem/*) export TypeScript sources, so they are bundled; the rest is not.
    setup: (b) => b.onResolve({ filter: /^[^./]/ }, (a) => (a.path.startsWith('@tandem/') ? undefined : { path: a.path, external: true })),
  }],
});
