// Opening a completed export's file for a download; anything else (running, expired, a file
// that went missing) is "not found", like an export of another workspace.
import { open, type FileHandle } from 'node:fs/promises';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ExportEntity, type IExport } from '../entities/export.ts';
import { exportPaths, fileExtension } from './files.ts';
import { contentTypes } from './lines.ts';

export interface ExportFile {
  row: IExport;
  file: FileHandle;
  size: number;
  contentType: string;
  fileName: string;
}

/** The open file of a completed export; the caller closes it. */
export async function openExportFile(em: EntityManager, dataDir: string, exportId: string): Promise<ExportFile | null> {
  const row = await em.findOne(ExportEntity, { id: exportId });
  if (!row || row.status !== 'completed') return null;
  const ext = fileExtension(row.format, row.gzip);
  const file = await open(exportPaths(dataDir, row.id, 0, ext).final, 'r').catch(() => null);
  if (!file) return null;
  const { size } = await file.stat();
  return {
    row, file, size,
    // A gzip file is served as what it is; the name ends in .gz.
    contentType: row.gzip ? 'application/gzip' : contentTypes[row.format],
    fileName: row.fileName ?? `${row.id}${ext}`,
  };
}
