// export.events: the workspace's exports as they change (progress, completion), read from the
// database whenever the bus says one changed (pub/sub is at-most-once and only wakes), and
// written straight to the socket (direct-stream.ts).
import { ExportEntity, exportChannel, exportLinks, exportView, type Runtime } from '@tandem/core';
import type { ExportView } from '@tandem/schema';
import { dataFrame } from '../ws/direct-delivery.ts';
import { directStream, serialRunner } from './direct-stream.ts';

export function exportEvents(rt: Runtime, workspaceId: string, signal: AbortSignal): AsyncGenerator<ExportView> {
  return directStream<ExportView>(signal, async (emit) => {
    const links = await exportLinks(rt.config);
    const changed = new Set<string>();
    const read = serialRunner(async () => {
      const ids = [...changed];
      changed.clear();
      if (!ids.length || signal.aborted) return;
      // Scoped to the workspace, like every read: a stray id on the channel shows nothing.
      const rows = await rt.orm.em.fork().find(ExportEntity, { id: { $in: ids }, workspaceId });
      for (const row of rows) emit(dataFrame(exportView(row, links, rt.config.EXPORT_RETENTION_DAYS)));
    }, (err) => rt.log.warn({ err, workspaceId }, 'export.events read failed'));
    return rt.bus.subscribe(exportChannel(workspaceId), (msg) => {
      const id = (msg as { exportId?: unknown }).exportId;
      if (typeof id !== 'string') return;
      changed.add(id);
      read();
    });
  });
}
