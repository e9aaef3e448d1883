// Where export files live: DATA_DIR/exports/<id>.<ext>, written as .<id>.<attempt>.part and
// renamed when complete, so a half-written file never has the name downloads look for.
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExportFormat } from '@tandem/schema';

export const exportDir = (dataDir: string) => join(dataDir, 'exports');

export const fileExtension = (format: ExportFormat, gzip: boolean) => `.${format}${gzip ? '.gz' : ''}`;

export function exportPaths(dataDir: string, id: string, attempt: number, ext: string) {
  const dir = exportDir(dataDir);
  return { dir, part: join(dir, `.${id}.${attempt}.part`), final: join(dir, `${id}${ext}`) };
}

export async function ensureExportDir(dataDir: string): Promise<string> {
  const dir = exportDir(dataDir);
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Removes the export's file and any partial file of any attempt (missing files are fine). */
export async function removeExportFiles(dataDir: string, id: string): Promise<void> {
  const dir = exportDir(dataDir);
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(names
    .filter((n) => n.startsWith(`${id}.`) || n.startsWith(`.${id}.`))
    .map((n) => rm(join(dir, n), { force: true })));
}

/** The name a download is saved under: kind, workspace-local date and format, e.g. messages-2026-12-02-1830.csv.gz. */
export function downloadName(kind: string, createdAt: Date, ext: string): string {
  const stamp = createdAt.toISOString().slice(0, 16).replace('T', '-').replace(':', '');
  return `tandem-${kind}-${stamp}${ext}`;
}
