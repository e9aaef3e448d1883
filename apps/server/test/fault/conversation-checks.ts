// What fault tests read out of a viewer's recorded stream.
import type { ConversationEvent } from '@tandem/schema';
import type { Viewer } from './clients.ts';

type Completed = Extract<ConversationEvent, { type: 'message.completed' }>;

export const completedOf = (v: Viewer): Completed[] =>
  v.events.flatMap(({ event: e }) => (e.type === 'message.completed' ? [e] : []));

/** The final statuses of runs (neither queued nor running), in the order seen. */
export const finalStatuses = (v: Viewer): string[] =>
  v.events.flatMap(({ event: e }) => (e.type === 'run.status' && e.status !== 'queued' && e.status !== 'running' ? [e.status] : []));

/** What a viewer shows for a reply: its deltas after the last `replace`. */
export function shownText(v: Viewer, messageId?: string): string {
  let text = '';
  for (const { event: e } of v.events)
    if (e.type === 'message.delta' && (!messageId || e.messageId === messageId)) text = e.replace ? e.text : text + e.text;
  return text;
}

export async function readyz(url: string): Promise<{ status: number; body: { checks: Record<string, string> } }> {
  const res = await fetch(`${url}/readyz`);
  return { status: res.status, body: (await res.json()) as { checks: Record<string, string> } };
}
