// CPU time and resident memory of a process by pid (Linux /proc), so a bench can report what the
// server under test spent, apart from the clients that drive it.
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { WebSocket } from 'ws';

const TICKS_PER_S = 100; // USER_HZ on Linux

/** User + system CPU time of `pid` so far, in milliseconds. */
export function cpuMs(pid: number): number {
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_S;
}

/** Resident set size of `pid`, in bytes. */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) * 1024;
}

/**
 * The JS heap `inspector` (a process started with INSPECT, server-process.ts) still holds after a
 * full garbage collection, in bytes: what its objects retain, without the garbage a reading of
 * heapUsed counts.
 */
export function retainedHeapBytes(inspector: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(inspector);
    const call = (id: number, method: string) => ws.send(JSON.stringify({ id, method }));
    ws.on('open', () => call(1, 'HeapProfiler.collectGarbage'));
    ws.on('message', (raw) => {
      const msg = JSON.parse(String(raw)) as { id?: number; result?: { usedSize: number }; error?: { message: string } };
      if (msg.error) reject(new Error(msg.error.message));
      else if (msg.id === 1) call(2, 'Runtime.getHeapUsage');
      else if (msg.id === 2) {
        resolve(msg.result!.usedSize);
        ws.close();
      }
    });
    ws.on('error', reject);
  });
}

/**
 * Writes a heap snapshot of `inspector`'s process to `file` (after a full GC, as the snapshot
 * always is), for Chrome DevTools' comparison view: what the objects a bench added are.
 */
export function writeHeapSnapshot(inspector: string, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(inspector, { maxPayload: 0 });
    const out = createWriteStream(file);
    ws.on('open', () => ws.send(JSON.stringify({ id: 1, method: 'HeapProfiler.takeHeapSnapshot', params: { reportProgress: false } })));
    ws.on('message', (raw) => {
      const msg = JSON.parse(String(raw)) as { id?: number; method?: string; params?: { chunk: string }; error?: { message: string } };
      if (msg.error) reject(new Error(msg.error.message));
      else if (msg.method === 'HeapProfiler.addHeapSnapshotChunk') out.write(msg.params!.chunk);
      else if (msg.id === 1) {
        ws.close();
        out.end(() => resolve());
      }
    });
    ws.on('error', reject);
  });
}

/**
 * Starts a profiler in `inspector`'s process: V8's sampling heap profiler, counting objects the GC
 * has already collected too (what a phase allocates, garbage included), or its CPU profiler. The
 * returned function stops it and writes the profile (`.heapprofile` or `.cpuprofile`, for Chrome
 * DevTools) to `file`.
 */
export async function startProfiling(inspector: string, kind: 'allocations' | 'cpu'): Promise<(file: string) => Promise<void>> {
  const ws = new WebSocket(inspector, { maxPayload: 0 });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const replies = new Map<number, (result: unknown) => void>();
  ws.on('message', (raw) => {
    const msg = JSON.parse(String(raw)) as { id?: number; result?: unknown };
    if (msg.id !== undefined) replies.get(msg.id)?.(msg.result);
  });
  let id = 0;
  const call = (method: string, params: object = {}) => new Promise<unknown>((resolve) => {
    replies.set(++id, resolve);
    ws.send(JSON.stringify({ id, method, params }));
  });
  if (kind === 'cpu') await call('Profiler.enable').then(() => call('Profiler.start'));
  else await call('HeapProfiler.startSampling', { samplingInterval: 16_384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  return async (file) => {
    const { profile } = (await call(kind === 'cpu' ? 'Profiler.stop' : 'HeapProfiler.stopSampling')) as { profile: unknown };
    writeFileSync(file, JSON.stringify(profile));
    ws.close();
  };
}
