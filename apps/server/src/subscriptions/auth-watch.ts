// Subscriptions outlive the request that authorised them: each is ended, with the reason, the
// moment the caller's access no longer holds.
import { TRPCError } from '@trpc/server';
import { User, roleIn, type Bus } from '@tandem/core';
import { roleRank, type Role } from '@tandem/schema';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Context } from '../context.ts';

export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 50;
export const authChannel = (userId: string) => `auth:user:${userId}`;

/** Tells every server instance that this user's access changed. */
export async function announceAuthChange(bus: Bus, userId: string): Promise<void> {
  await bus.publish(authChannel(userId), { at: Date.now() });
}

interface Caller {
  ctx: Context & { em: EntityManager; user: { id: string }; claims: { tokenVersion: number; expiresAt: number } };
  workspaceId?: string;
  minRole?: Role;
}

async function currentAccessError(c: Caller): Promise<TRPCError | null> {
  const em = c.ctx.rt.orm.em.fork();
  const user = await em.findOne(User, { id: c.ctx.user.id });
  if (!user || user.tokenVersion !== c.ctx.claims.tokenVersion)
    return new TRPCError({ code: 'UNAUTHORIZED', message: 'Your session was signed out' });
  if (c.workspaceId && c.minRole) {
    const role = await roleIn(em, c.workspaceId, user.id);
    if (!role) return new TRPCError({ code: 'NOT_FOUND', message: 'Workspace not found' });
    if (roleRank[role] < roleRank[c.minRole])
      return new TRPCError({ code: 'FORBIDDEN', message: `This needs the ${c.minRole} role` });
  }
  return null;
}

/**
 * The call's ORM fork (identity map, unit of work, loaders) and the user entity it loaded are not
 * needed once a subscription has been authorised, but the call context that holds them lives as
 * long as the subscription: about 5 KB per idle viewer (issue 12, memory per viewer; measured by a
 * heap-snapshot diff at 1,000 viewers). The user becomes a plain {id, name}; a later `ctx.em`
 * throws, saying what to use instead.
 */
function releaseCallState(ctx: Caller['ctx']): void {
  ctx.em.clear();
  const user = { id: ctx.user.id, name: (ctx.user as { name?: string }).name ?? '' };
  Object.defineProperty(ctx, 'user', { value: user, configurable: true });
  Object.defineProperty(ctx, 'em', {
    configurable: true,
    get() {
      throw new Error("A subscription's call context has no entity manager once it started; fork rt.orm.em");
    },
  });
}

/**
 * Runs `source` while the caller keeps access: re-checked whenever it may have changed (logout,
 * role change, removal: announced on the bus) and when the token expires. Counts against the
 * per-connection cap.
 * `source` gets a signal that aborts when the client leaves or access is lost.
 */
export async function* guardSubscription<T>(
  caller: Caller,
  outerSignal: AbortSignal | undefined,
  source: (signal: AbortSignal) => AsyncIterable<T>,
): AsyncGenerator<T> {
  const { ctx } = caller;
  if (ctx.connection.subscriptions >= MAX_SUBSCRIPTIONS_PER_CONNECTION)
    throw new TRPCError({ code: 'TOO_MANY_REQUESTS', message: `At most ${MAX_SUBSCRIPTIONS_PER_CONNECTION} subscriptions per connection` });
  ctx.connection.subscriptions++;
  releaseCallState(ctx);
  const abort = new AbortController();
  let lost: TRPCError | null = null;
  const stop = (reason: TRPCError) => {
    lost ??= reason;
    abort.abort();
  };
  const onOuterAbort = () => abort.abort();
  outerSignal?.addEventListener('abort', onOuterAbort);
  const expiry = setTimeout(
    () => stop(new TRPCError({ code: 'UNAUTHORIZED', message: 'Your session has expired' })),
    Math.max(0, Math.min(ctx.claims.expiresAt - Date.now(), 2 ** 31 - 1)),
  );
  const recheck = () =>
    void currentAccessError(caller).then((err) => err && stop(err), (err: unknown) => ctx.log.warn({ err }, 'auth re-check failed'));
  // After a bus outage an announcement may be lost: check again once the bus is back.
  const unsubscribe = await ctx.rt.bus.subscribe(authChannel(ctx.user.id), recheck, { onGap: recheck });
  // A change between the procedure's own check and this subscribe would otherwise go unseen.
  recheck();
  try {
    for await (const item of source(abort.signal)) {
      if (abort.signal.aborted) break;
      yield item;
    }
    if (lost) throw lost;
  } finally {
    clearTimeout(expiry);
    unsubscribe();
    outerSignal?.removeEventListener('abort', onOuterAbort);
    ctx.connection.subscriptions--;
  }
}
