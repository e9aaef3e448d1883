// What a client sends on the tRPC WebSocket (/trpc): the protocol of @trpc/client's wsLink (tRPC
// v11), which our own server side speaks (apps/server/src/ws/wslink-server.ts; docs/api.md).
import { z } from 'zod';

/**
 * wsLink numbers its requests; any string or number is accepted, as tRPC does. `null` parses, and
 * the call is then refused with PARSE_ERROR under id null (what tRPC's adapter answers).
 */
const requestId = z.union([z.number(), z.string(), z.null()], { error: 'expected a number or a string' });
const jsonrpc = z.literal('2.0').optional();

/** A query, mutation or subscription. `lastEventId` resumes a subscription (merged into its input). */
export const wsCallMessageSchema = z.object({
  id: requestId,
  jsonrpc,
  method: z.enum(['query', 'mutation', 'subscription']),
  params: z.object({ path: z.string(), input: z.unknown().optional(), lastEventId: z.string().optional() }),
});

/** The client is done with a subscription. */
export const wsStopMessageSchema = z.object({ id: requestId, jsonrpc, method: z.literal('subscription.stop') });

export type WsCallMessage = z.infer<typeof wsCallMessageSchema>;

/**
 * The first message on a socket opened with `?connectionParams=1`: string values only (our client
 * sends its token there, since browsers cannot set headers on a WebSocket).
 */
export const wsConnectionParamsMessageSchema = z.object({
  /** wsLink sends it; tRPC's own adapter never read it, so it may be missing. */
  method: z.literal('connectionParams').optional(),
  data: z.record(z.string(), z.string()).nullable(),
});
