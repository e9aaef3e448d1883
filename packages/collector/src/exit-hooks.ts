// Last-chance delivery when the host goes away: Node's beforeExit and SIGTERM/SIGINT, a
// browser's pagehide. Reached through globalThis so the same module loads in both.

interface NodeProcessLike {
  once(event: string, listener: (...args: unknown[]) => void): unknown;
  removeListener(event: string, listener: (...args: unknown[]) => void): unknown;
  listenerCount(event: string): number;
  kill(pid: number, signal: string): unknown;
  pid: number;
}

interface PageLike {
  addEventListener(type: 'pagehide', listener: () => void): void;
  removeEventListener(type: 'pagehide', listener: () => void): void;
}

/** Node: flush before the event loop empties, and on SIGTERM/SIGINT; returns the unhook function. */
export function hookNodeExit(close: () => Promise<void>): () => void {
  const proc = (globalThis as { process?: NodeProcessLike }).process;
  if (!proc || typeof proc.once !== 'function') return () => undefined;
  const onBeforeExit = () => void close();
  const onSignal = (signal: unknown) => {
    unhook();
    void close().finally(() => {
      // Nobody else handles the signal: end the process the way the signal would have.
      if (proc.listenerCount(String(signal)) === 0) proc.kill(proc.pid, String(signal));
    });
  };
  const unhook = () => {
    proc.removeListener('beforeExit', onBeforeExit);
    proc.removeListener('SIGTERM', onSignal);
    proc.removeListener('SIGINT', onSignal);
  };
  proc.once('beforeExit', onBeforeExit);
  proc.once('SIGTERM', onSignal);
  proc.once('SIGINT', onSignal);
  return unhook;
}

/** Browsers: pagehide is the last event a page reliably gets (unload is not fired on mobile). */
export function hookPageHide(onHide: () => void): () => void {
  const page = globalThis as unknown as Partial<PageLike> & { document?: unknown };
  if (!page.document || typeof page.addEventListener !== 'function') return () => undefined;
  page.addEventListener('pagehide', onHide);
  return () => page.removeEventListener!('pagehide', onHide);
}
