// Exports (issue 9): one module per concern, everything public re-exported here. Layout:
//   exports.ts    rows: createExport(deps, {workspaceId, kind, format, from?, to?, agentIds?, gzip?,
//                 requestedBy?, scheduleId?}) → row (job enqueued), list/get/cancel/retry/fail/expire,
//                 exportView (API shape + signed downloadUrl), exportChannel (bus: {exportId})
//   run-export.ts the `export.run` job (queue `exports`): runExport(rt, exportId)
//   kinds.ts      SQL per kind; lines.ts each row as one line (CSV/JSON/NDJSON, formulas neutralised)
//   source.ts     streaming rows: COPY TO STDOUT (PostgreSQL) or keyset pages (PGlite)
//   files.ts      DATA_DIR/exports paths; links.ts signed download links (ExportLinks)
//   download.ts   opening a completed export's file for a download
export * from './exports.ts';
export * from './run-export.ts';
export * from './links.ts';
export { exportSource } from './source.ts';
export { kindQueries, type KindFilter } from './kinds.ts';
export { contentTypes } from './lines.ts';
export { exportDir, exportPaths, fileExtension, removeExportFiles } from './files.ts';
export * from './download.ts';
export { sweepExports } from './sweep.ts';
