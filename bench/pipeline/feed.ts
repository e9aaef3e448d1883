// The bench's subscriber: one raw `ws` socket speaking tRPC's WebSocket protocol, one
// `conversation.events` subscription per conversation, and waiters that note when an event came.
// Raw `ws` rather than a tRPC client, as in the other benches: the load generator stays cheap.
import { WebSocket } from 'ws';
import type { ConversationEvent } from '@tandem/schema';

interface Waiter {
  conversationId: string;
  match: (event: ConversationEvent) => boolean;
  resolve: (at: number) => void;
}

export class ConversationFeed {
  private nextId = 1;
  /** Subscription id → conversation id. */
  private readonly conversations = new Map<number, string>();
  private readonly started = new Map<number, () => void>();
  private waiters: Waiter[] = [];
  /** Events that came out of sequence on a subscription (a gap or a repeat). */
  orderViolations = 0;
  private readonly lastSeq = new Map<number, number>();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (raw) => this.receive(String(raw)));
  }

  static open(apiUrl: string, token: string): Promise<ConversationFeed> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${apiUrl.replace('http', 'ws')}/trpc?connectionParams=1`);
      ws.once('open', () => {
        ws.send(JSON.stringify({ method: 'connectionParams', data: { token } }));
        resolve(new ConversationFeed(ws));
      });
      ws.once('error', reject);
    });
  }

  /** Subscribes from `lastSeq`; resolves once the server has started the subscription. */
  subscribe(conversationId: string, lastSeq: number): Promise<void> {
    const id = this.nextId++;
    this.conversations.set(id, conversationId);
    this.lastSeq.set(id, lastSeq);
    return new Promise((resolve) => {
      this.started.set(id, resolve);
      this.ws.send(JSON.stringify({ id, method: 'subscription', params: { path: 'conversation.events', input: { conversationId, lastEventId: String(lastSeq) } } }));
    });
  }

  /**
   * Resolves with the receipt time (performance.now()) of the next event in the conversation that
   * matches. Register before the action that causes it: the event may beat the action's answer.
   */
  next(conversationId: string, match: (event: ConversationEvent) => boolean): Promise<number> {
    return new Promise((resolve) => this.waiters.push({ conversationId, match, resolve }));
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }

  private receive(text: string): void {
    const at = performance.now();
    if (text === 'PING') return void this.ws.send('PONG');
    const msg = JSON.parse(text) as { id?: number; result?: { type: string; id?: string; data?: { data: ConversationEvent } }; error?: unknown };
    if (!msg.result) throw new Error(`subscription error: ${JSON.stringify(msg.error)}`);
    const sub = Number(msg.id);
    if (msg.result.type === 'started') return this.started.get(sub)?.();
    if (msg.result.type !== 'data' || msg.result.id === undefined) return; // presence, typing
    const seq = Number(msg.result.id);
    if (seq !== this.lastSeq.get(sub)! + 1) this.orderViolations++;
    this.lastSeq.set(sub, seq);
    const conversationId = this.conversations.get(sub);
    const event = msg.result.data!.data;
    const keep: Waiter[] = [];
    for (const w of this.waiters) {
      if (w.conversationId === conversationId && w.match(event)) w.resolve(at);
      else keep.push(w);
    }
    this.waiters = keep;
  }
}
