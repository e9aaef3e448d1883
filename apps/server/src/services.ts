// The server's composition root: every long-lived object of one server is built here and nowhere
// else, so two servers in one process (tests, benches) share only what they are given: the runtime.
import type { IncomingMessage } from 'node:http';
import { SignInLimiter, UserQueryDatabase, WrongKeyLimiter, createIngestion, limiterStore, type Runtime } from '@tandem/core';
import { ConversationHubs } from './subscriptions/conversation-hub.ts';
import { createLiveFeeds } from './subscriptions/metrics-live.ts';
import { TypingThrottle } from './subscriptions/typing-throttle.ts';
import { createPrometheus } from './http/prometheus.ts';
import { clientAddress } from './http/client-address.ts';
import { SocketCaps } from './ws/socket-caps.ts';
import { WorkSlots } from './work-slots.ts';
import { Readiness } from './http/readiness.ts';

/**
 * Builds the conversation hubs, live metric feeds, ingestion, throttles, limiters and Prometheus
 * registry; they reach procedures through the tRPC context and REST routes through ApiContext.
 */
export function createServerServices(rt: Runtime) {
  const ingestion = createIngestion(rt);
  const trustProxy = rt.config.TRUST_PROXY;
  let proxyWarned = false;
  return {
    rt,
    /** One hub per open conversation: one database read per event for all its viewers. */
    conversationHubs: new ConversationHubs(rt),
    /** One bus subscription per workspace for every metrics.live subscriber. */
    liveFeeds: createLiveFeeds(rt.bus),
    /** POST /api/v1/metrics: the ingest-key cache and the coalescing sample writer. */
    ingestion,
    /** conversation.typing: at most one typing event per user and conversation every 2 s. */
    typing: new TypingThrottle(),
    prometheus: createPrometheus({ ingestBacklogRows: () => ingestion.writer.backlogRows }),
    /** The signed-in user of each HTTP request, for its log line (set by authedProcedure). */
    requestUsers: new WeakMap<object, string>(),
    /** auth.login and auth.register: counts on Redis or PostgreSQL, shared by every instance. */
    signIn: new SignInLimiter(limiterStore({ redis: rt.redis, orm: rt.orm, prefix: rt.queues.target.prefix }), rt.limits),
    /** Queries and mutations of one user (or signed-out client address) at a time (trpc.ts boundedCalls). */
    calls: new WorkSlots({ running: rt.limits.callsRunningPerClient, waiting: rt.limits.callsWaitingPerClient }, 'calls'),
    /** Expensive queries of one user at a time (trpc.ts expensiveQuery, GET /api/v1/metrics). */
    heavy: new WorkSlots({ running: rt.limits.heavyRunningPerUser, waiting: rt.limits.heavyWaitingPerUser }, 'expensive queries'),
    /** The pool those expensive queries run on, with the short statement timeout (closed by the HTTP server). */
    userQueries: new UserQueryDatabase(rt.orm, rt.config.mode === 'embedded' ? undefined : rt.databaseUrl, rt.log),
    /** POST /api/v1/metrics: wrong keys per client address, refused before the lookup past the limit. */
    wrongIngestKeys: new WrongKeyLimiter(rt.limits.wrongIngestKeysPerAddressPerMinute),
    /** /readyz: which dependency fails, with at most one queue ping per 2 s however often it is asked. */
    readiness: new Readiness(rt),
    /** WebSockets per client address and per user, and the deadline to authenticate. */
    sockets: new SocketCaps(rt.limits),
    /** The client address of a request (TRUST_PROXY decides how far X-Forwarded-For is believed). */
    clientAddress(req: IncomingMessage): string {
      if (!trustProxy && !proxyWarned && req.headers['x-forwarded-for']) {
        proxyWarned = true;
        rt.log.warn('requests carry X-Forwarded-For but TRUST_PROXY=0: every client behind the proxy shares one address for limits');
      }
      return clientAddress(req, trustProxy);
    },
  };
}

export type ServerServices = ReturnType<typeof createServerServices>;
