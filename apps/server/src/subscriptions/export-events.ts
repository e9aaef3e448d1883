// export.events: the workspace's exports as they change (progress, completion), read from the
// database whenever the bus says one changed; the bus only wakes (pub/sub is at-most-once).
import { ExportEntity, exportChannel, exportLinks, exportView, type Runtime } from '@tandem/core';
import type { ExportView } from '@tandem/schema';

export async function* exportEvents(rt: Runtime, workspaceId: string, signal: AbortSignal): AsyncGenerator<ExportView> {
  const changed = new Set<string>();
  let wake: (() => void) | null = null;
  const unsubscribe = await rt.bus.subscribe(exportChannel(workspaceId), (msg) => {
    const id = (msg as { exportId?: unknown }).exportId;
    if (typeof id === 'string') changed.add(id);
    wake?.();
  });
  const onAbort = () => wake?.();
  signal.addEventListener('abort', onAbort);
  try {
    const links = await exportLinks(rt.config);
    while (!signal.aborted) {
      if (!changed.size) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          if (signal.aborted) resolve();
        });
        wake = null;
        continue;
      }
      const ids = [...changed];
      changed.clear();
      // Scoped to the workspace, like every read: a stray id on the channel shows nothing.
      const rows = await rt.orm.em.fork().find(ExportEntity, { id: { $in: ids }, workspaceId });
      for (const row of rows) yield exportView(row, links, rt.config.EXPORT_RETENTION_DAYS);
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    unsubscribe();
  }
}
