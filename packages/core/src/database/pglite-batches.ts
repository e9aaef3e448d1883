// Keeps each connection's extended-protocol messages together in pglite-socket's one shared PGlite
// session until its Sync, and survives a failed message instead of stalling the queue.

interface QueuedMessage {
  handlerId: number;
  message: Uint8Array;
  resolve(bytes: number): void;
  reject(err: unknown): void;
  onData(data: Uint8Array): void;
}

interface QueryQueue {
  queue: QueuedMessage[];
  processing: boolean;
  lastHandlerId: number | null;
  db: {
    isInTransaction(): boolean;
    runExclusive<T>(fn: () => Promise<T>): Promise<T>;
    execProtocolRawStream(message: Uint8Array, opts: { onRawData(data: Uint8Array): void }): Promise<unknown>;
  };
  processQueue(): Promise<void>;
  clearQueueForHandler(handlerId: number): void;
}

/** Message types that continue an extended-protocol batch: Parse, Bind, Describe, Execute, Close, Flush. */
const CONTINUES_BATCH = new Set(['P', 'B', 'D', 'E', 'C', 'H'].map((c) => c.charCodeAt(0)));

/**
 * pglite-socket feeds every connection's protocol messages into one PGlite session, one message at
 * a time, and only keeps a connection's messages together inside a transaction. node-postgres
 * sends each parameterised query as Parse/Bind/Describe/Execute/Sync; when two connections
 * interleave those, the shared unnamed statement is overwritten ("bind message supplies 3
 * parameters, but prepared statement requires 1").
 */
export function keepProtocolBatchesTogether(server: unknown): void {
  const q = (server as { queryQueue?: QueryQueue }).queryQueue;
  if (!q || typeof q.processQueue !== 'function') throw new Error('pglite-socket internals changed: queryQueue not found');
  let midBatch = false;

  q.processQueue = async function processQueue(this: QueryQueue) {
    if (this.processing || this.queue.length === 0) return;
    this.processing = true;
    try {
      while (this.queue.length > 0) {
        const sticky = this.lastHandlerId !== null && (midBatch || this.db.isInTransaction());
        const index = sticky ? this.queue.findIndex((m) => m.handlerId === this.lastHandlerId) : 0;
        if (index === -1) break; // wait for the connection that holds the session
        const item = this.queue.splice(index, 1)[0]!;
        let bytes = 0;
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(item.message, {
              onRawData: (data) => {
                bytes += data.length;
                item.onData(data);
              },
            }),
          );
          this.lastHandlerId = item.handlerId;
          midBatch = CONTINUES_BATCH.has(item.message[0]!);
          item.resolve(bytes);
        } catch (err) {
          midBatch = false;
          item.reject(err);
        }
      }
    } finally {
      this.processing = false;
    }
  }.bind(q);

  const clear = q.clearQueueForHandler.bind(q);
  q.clearQueueForHandler = (handlerId: number) => {
    if (handlerId === q.lastHandlerId) midBatch = false;
    clear(handlerId);
    void q.processQueue();
  };
}
