// The only file that calls initTRPC. Exports the three base procedures every router builds on.
import { initTRPC, TRPCError } from '@trpc/server';
import { z } from 'zod';
import {
  AppError, USER_STATEMENT_TIMEOUT_MS, User, accessToWorkspace, accessViaConversation, accessViaRun, databaseRefusal,
  isDatabaseUnavailable, isStatementTimeout, type Access,
} from '@tandem/core';
import { roleRank, idSchema, type Role } from '@tandem/schema';
import type { Context } from './context.ts';

const t = initTRPC.context<Context>().create({
  // Subscriptions over HTTP server-sent events would escape the WebSocket's per-connection caps;
  // the client subscribes over the WebSocket only (subscriptionsOverWebSocket below refuses first).
  sse: { enabled: false },
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const zodError = cause instanceof z.ZodError ? cause : null;
    return {
      ...shape,
      // Validation errors read as one sentence; fieldErrors carries them per field for forms.
      message: zodError
        ? zodError.issues.map((i) => (namesField(i) ? i.message : `${i.path.join('.') || 'input'}: ${i.message}`)).join('; ')
        : error.code === 'INTERNAL_SERVER_ERROR'
          ? 'Something went wrong on our side; it has been logged' // never leak SQL or stack details
          : shape.message,
      data: {
        ...shape.data,
        stack: undefined,
        fieldErrors: zodError ? z.flattenError(zodError).fieldErrors
          : cause instanceof AppError && cause.details.field ? { [cause.details.field]: [cause.message] } : undefined,
        retryAfterMs: cause instanceof AppError ? cause.details.retryAfterMs : undefined,
      },
    };
  },
});

/** Text types (@tandem/schema text.ts) write messages that already name their field in words. */
function namesField(issue: z.core.$ZodIssue): boolean {
  return issue.code === 'custom' && (issue.params as { namesField?: boolean } | undefined)?.namesField === true;
}

export const router = t.router;
/** One namespace from several router files (export.* = export.ts + export-schedule.ts). */
export const mergeRouters = t.mergeRouters;

/** Domain errors become tRPC errors with the same code; unknown errors are logged and hidden. */
const errorMapping = t.middleware(async ({ ctx, next, path }) => {
  const result = await next({ ctx: { em: ctx.rt.orm.em.fork() } });
  if (!result.ok) {
    // A database that is down or restarting is worth a retry, not a "something went wrong"; a
    // value it refused is the caller's to fix (and a schema of ours to tighten: logged).
    const refusal = databaseRefusal(result.error.cause);
    if (refusal) ctx.log.warn({ err: result.error.cause, path }, 'the database refused a value the input schema let through');
    const cause = isDatabaseUnavailable(result.error.cause)
      ? new AppError('SERVICE_UNAVAILABLE', 'The database is unavailable; try again shortly', { retryAfterMs: 5000 })
      : refusal ?? result.error.cause;
    if (cause instanceof AppError)
      result.error = new TRPCError({ code: cause.code, message: cause.message, cause });
    else if (result.error.code === 'INTERNAL_SERVER_ERROR')
      ctx.log.error({ err: result.error.cause ?? result.error, path }, 'procedure failed');
  }
  return result;
});

/** Subscriptions run on a WebSocket, under its caps (sockets per user and address, 50 subscriptions each). */
const subscriptionsOverWebSocket = t.middleware(({ ctx, type, next }) => {
  if (type === 'subscription' && ctx.transport !== 'ws')
    throw new TRPCError({ code: 'METHOD_NOT_SUPPORTED', message: 'Subscriptions are served over the WebSocket only' });
  return next();
});

/** Who a call's work counts against: the signed-in user, else the client address. */
const workKey = (ctx: Context) => (ctx.claims ? `user:${ctx.claims.userId}` : `address:${ctx.clientKey}`);

/**
 * Every query and mutation waits for one of its client's few slots (work-slots.ts): a WebSocket
 * frame of 50 calls, sent again and again, cannot queue every other tenant behind it.
 * Subscriptions are long-lived and capped per socket instead.
 */
const boundedCalls = t.middleware(({ ctx, type, next, signal }) =>
  type === 'subscription' ? next() : ctx.services.calls.run(workKey(ctx), () => next(), signal));

/**
 * For queries a user can make expensive (metric series over long ranges, cost reports, big pages
 * of a conversation): a few per user at a time, on their own pool whose statements stop after
 * USER_STATEMENT_TIMEOUT_MS (TIMEOUT; PGlite has no statement timeout).
 */
export const expensiveQuery = t.middleware(({ ctx, next, signal }) =>
  ctx.services.heavy.run(workKey(ctx), async () => {
    const result = await next({ ctx: { em: await ctx.services.userQueries.em() } });
    if (!result.ok && isStatementTimeout(result.error.cause))
      result.error = new TRPCError({ code: 'TIMEOUT', message: `The query took longer than ${USER_STATEMENT_TIMEOUT_MS / 1000} s; ask for a shorter range or fewer agents`, cause: result.error.cause });
    return result;
  }, signal));

export const publicProcedure = t.procedure.use(errorMapping).use(subscriptionsOverWebSocket).use(boundedCalls);

/** A signed-in user whose token version is still current (revocation takes effect at once). */
export const authedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const claims = ctx.claims;
  if (!claims) throw new TRPCError({ code: 'UNAUTHORIZED', message: ctx.tokenSent ? (ctx.tokenError ?? 'Invalid token') : 'Sign in first' });
  if (claims.expiresAt <= Date.now()) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Your session has expired; sign in again' });
  const user = await ctx.em.findOne(User, { id: claims.userId });
  if (!user || user.tokenVersion !== claims.tokenVersion)
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Your session was signed out; sign in again' });
  ctx.services.requestUsers.set(ctx.req, user.id);
  return next({ ctx: { user, claims } });
});

type Resolver = (em: Context['rt']['orm']['em'], rawInput: unknown, userId: string) => Promise<Access>;

/**
 * Membership check for every procedure that touches workspace data. `resolve` finds the
 * caller's role in the workspace the input points at (directly, or through a conversation or
 * run), in one query. Not a member, or nothing there → NOT_FOUND (never reveal that it exists);
 * role below `minRole` → FORBIDDEN.
 */
function scopedProcedure(minRole: Role, resolve: Resolver) {
  return authedProcedure.use(async ({ ctx, next, getRawInput }) => {
    const found = await resolve(ctx.em, await getRawInput(), ctx.user.id);
    if (!found) throw new TRPCError({ code: 'NOT_FOUND', message: 'Not found' });
    if (roleRank[found.role] < roleRank[minRole])
      throw new TRPCError({ code: 'FORBIDDEN', message: `This needs the ${minRole} role; you are ${found.role}` });
    return next({ ctx: { workspace: { id: found.workspaceId, role: found.role } } });
  });
}

/** Reads one id field from the raw input; a malformed id is BAD_REQUEST before any lookup. */
function idFrom(field: string) {
  const shape = z.object({ [field]: idSchema }).loose();
  return (rawInput: unknown): string => {
    const parsed = shape.safeParse(rawInput);
    if (!parsed.success) throw new TRPCError({ code: 'BAD_REQUEST', message: `${field} is required`, cause: parsed.error });
    return parsed.data[field] as string;
  };
}
const workspaceIdOf = idFrom('workspaceId');
const conversationIdOf = idFrom('conversationId');
const runIdOf = idFrom('runId');

export const workspaceProcedure = (minRole: Role) =>
  scopedProcedure(minRole, (em, raw, userId) => accessToWorkspace(em, workspaceIdOf(raw), userId));
export const conversationProcedure = (minRole: Role) =>
  scopedProcedure(minRole, (em, raw, userId) => accessViaConversation(em, conversationIdOf(raw), userId));
export const runProcedure = (minRole: Role) =>
  scopedProcedure(minRole, (em, raw, userId) => accessViaRun(em, runIdOf(raw), userId));
