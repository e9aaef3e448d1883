// The text and tool events of a reply on their way to the database: buffered in memory, written one
// transaction per flush; nothing is lost while the database is unavailable (docs/reliability.md §6).
import { appendRunOutput, isDatabaseUnavailable, type IRun, type Runtime } from '@tandem/core';
import type { ConversationEvent } from '@tandem/schema';

interface Batch {
  text: string;
  events: ConversationEvent[];
}

export class ReplyOutput {
  private buffered: Batch = { text: '', events: [] };
  /** Bytes of reply text stored so far (the reply starts empty: startRun creates or resets it). */
  private storedBytes = 0;
  /** A write that failed with the connection: it may have committed before the connection went. */
  private unsure: Batch | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly rt: Runtime,
    private readonly run: IRun,
    private readonly replyMessageId: string,
    /** Called when a write finds the run no longer running (cancelled, timed out elsewhere). */
    private readonly onStopped: () => void,
  ) {}

  /** Whether anything waits to be written. */
  get pending(): boolean {
    return this.buffered.text !== '' || this.buffered.events.length > 0;
  }

  text(chunk: string): void {
    this.buffered.text += chunk;
  }

  event(event: ConversationEvent): void {
    this.buffered.events.push(event);
  }

  /**
   * Writes everything buffered so far. Rejects with the database's error when it is unavailable
   * (the output stays buffered, and a later flush writes it once the database is back); flushes
   * run one after another.
   */
  flush(): Promise<void> {
    this.writing = this.writing.catch(() => undefined).then(() => this.write());
    return this.writing;
  }

  private async write(): Promise<void> {
    if (this.unsure) await this.settleUnsure();
    const batch = this.buffered;
    if (!batch.text && !batch.events.length) return;
    this.buffered = { text: '', events: [] };
    try {
      const running = await appendRunOutput({ em: this.rt.orm.em.fork(), bus: this.rt.bus }, this.run, this.replyMessageId, batch.text, batch.events);
      this.storedBytes += Buffer.byteLength(batch.text);
      if (!running) this.onStopped();
    } catch (err) {
      if (isDatabaseUnavailable(err)) this.unsure = batch;
      else this.putBack(batch);
      throw err;
    }
  }

  /**
   * Finds out whether the write that lost its connection committed, so it is neither lost nor
   * written twice: the reply grew (text), or its first tool event is in the log (tool events only).
   */
  private async settleUnsure(): Promise<void> {
    const batch = this.unsure!;
    const em = this.rt.orm.em.fork();
    let committed = false;
    if (batch.text) {
      const [row] = await em.execute<{ bytes: number }[]>(`select octet_length(content) as bytes from messages where id = ?`, [this.replyMessageId]);
      committed = Number(row?.bytes ?? 0) > this.storedBytes;
    } else {
      const callId = batch.events.map((e) => ('callId' in e ? e.callId : null)).find(Boolean);
      if (callId) {
        const rows = await em.execute(
          `select 1 from conversation_events where conversation_id = ? and payload->>'callId' = ? limit 1`,
          [this.run.conversationId, callId],
        );
        committed = rows.length > 0;
      }
    }
    this.unsure = null;
    if (committed) this.storedBytes += Buffer.byteLength(batch.text);
    else this.putBack(batch);
  }

  private putBack(batch: Batch): void {
    this.buffered = { text: batch.text + this.buffered.text, events: [...batch.events, ...this.buffered.events] };
  }
}
