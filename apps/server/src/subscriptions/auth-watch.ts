// Subscriptions outlive the request that authorised them: each is ended, with the reason, the
// moment the caller's access no longer holds.
import { TRPCError } from '@trpc/server';
import { User, roleIn, type Bus } from '@tandem/core';
import { roleRank, type Role } from '@tandem/schema';
import type { Context } from '../context.ts';
import { StopSignal } from './stop-signal.ts';

export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 50;
export const authChannel = (userId: string) => `auth:user:${userId}`;

/** Tells every server instance that this user's access changed. */
export async function announceAuthChange(bus: Bus, userId: string): Promise<void> {
  await bus.publish(authChannel(userId), { at: Date.now() });
}

/** What a guarded subscription's source may use: the long-lived parts of its call context. */
export interface SubscriptionScope {
  rt: Context['rt'];
  services: Context['services'];
  workspaceId: string;
  user: { id: string; name: string };
}

interface Watch extends SubscriptionScope {
  connection: Context['connection'];
  tokenVersion: number;
  expiresAt: number;
  minRole: Role;
}

/** The context of a call to a workspace-scoped procedure (trpc.ts), as a subscription receives it. */
type ScopedContext = Context & { user: { id: string; name: string }; claims: { tokenVersion: number; expiresAt: number }; workspace: { id: string } };

async function currentAccessError(w: Watch): Promise<TRPCError | null> {
  const em = w.rt.orm.em.fork();
  const user = await em.findOne(User, { id: w.user.id });
  if (!user || user.tokenVersion !== w.tokenVersion)
    return new TRPCError({ code: 'UNAUTHORIZED', message: 'Your session was signed out' });
  const role = await roleIn(em, w.workspaceId, user.id);
  if (!role) return new TRPCError({ code: 'NOT_FOUND', message: 'Workspace not found' });
  if (roleRank[role] < roleRank[w.minRole])
    return new TRPCError({ code: 'FORBIDDEN', message: `This needs the ${w.minRole} role` });
  return null;
}

/**
 * Runs `source` while the caller keeps at least `minRole` in the workspace: re-checked whenever it
 * may have changed (logout, role change, removal: announced on the bus) and when the token
 * expires. Counts against the per-connection cap. `source` gets a signal that aborts when the
 * client leaves or access is lost, and the scope it may use.
 *
 * The call context is read here and not kept: it holds the call's ORM fork (identity map, unit of
 * work, loaders) and the user entity, which would otherwise live as long as the subscription (issue
 * 12, memory per viewer; bench fanout). So `source` should take what it needs from its scope, not
 * close over `ctx`.
 */
export function guardSubscription<T>(
  ctx: ScopedContext,
  minRole: Role,
  signal: AbortSignal | undefined,
  source: (signal: AbortSignal, scope: SubscriptionScope) => AsyncIterable<T>,
): AsyncGenerator<T> {
  return watched({
    rt: ctx.rt, services: ctx.services, workspaceId: ctx.workspace.id, user: { id: ctx.user.id, name: ctx.user.name },
    connection: ctx.connection, tokenVersion: ctx.claims.tokenVersion, expiresAt: ctx.claims.expiresAt, minRole,
  }, signal, source);
}

async function* watched<T>(
  w: Watch,
  outerSignal: AbortSignal | undefined,
  source: (signal: AbortSignal, scope: SubscriptionScope) => AsyncIterable<T>,
): AsyncGenerator<T> {
  if (w.connection.subscriptions >= MAX_SUBSCRIPTIONS_PER_CONNECTION)
    throw new TRPCError({ code: 'TOO_MANY_REQUESTS', message: `At most ${MAX_SUBSCRIPTIONS_PER_CONNECTION} subscriptions per connection` });
  w.connection.subscriptions++;
  const abort = new StopSignal();
  let lost: TRPCError | null = null;
  const stop = (reason: TRPCError) => {
    lost ??= reason;
    abort.abort(reason);
  };
  const onOuterAbort = () => abort.abort();
  outerSignal?.addEventListener('abort', onOuterAbort);
  const expiry = setTimeout(
    () => stop(new TRPCError({ code: 'UNAUTHORIZED', message: 'Your session has expired' })),
    Math.max(0, Math.min(w.expiresAt - Date.now(), 2 ** 31 - 1)),
  );
  const recheck = () =>
    void currentAccessError(w).then((err) => err && stop(err), (err: unknown) => w.rt.log.warn({ err }, 'auth re-check failed'));
  // After a bus outage an announcement may be lost: check again once the bus is back.
  const unsubscribe = await w.rt.bus.subscribe(authChannel(w.user.id), recheck, { onGap: recheck });
  // A change between the procedure's own check and this subscribe would otherwise go unseen.
  recheck();
  try {
    for await (const item of source(abort.asAbortSignal(), w)) {
      if (abort.aborted) break;
      yield item;
    }
    if (lost) throw lost;
  } finally {
    clearTimeout(expiry);
    unsubscribe();
    outerSignal?.removeEventListener('abort', onOuterAbort);
    w.connection.subscriptions--;
  }
}
