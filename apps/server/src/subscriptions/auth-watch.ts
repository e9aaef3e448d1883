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
  minRole: Role;
}

/** The context of a call to a workspace-scoped procedure (trpc.ts), as a subscription receives it. */
type ScopedContext = Context & { user: { id: string; name: string }; claims: { tokenVersion: number }; workspace: { id: string } };

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
 * may have changed (logout, role change, removal: announced on the bus). Token expiry is the
 * socket's (ws/wslink-server.ts ends an expired socket's subscriptions). Counts against the
 * per-connection cap. `source` gets a signal that aborts when the
 * client leaves or access is lost, and the scope it may use. Resolves once the watch is in place
 * (a refusal, such as the cap, is an error before the subscription starts).
 *
 * The call context is read here and not kept: it holds the call's ORM fork (identity map, unit of
 * work, loaders) and the user entity, which would otherwise live as long as the subscription (issue
 * 12, memory per viewer; bench fanout). So `source` should take what it needs from its scope, not
 * close over `ctx`.
 */
export async function guardSubscription<T>(
  ctx: ScopedContext,
  minRole: Role,
  signal: AbortSignal | undefined,
  source: (signal: AbortSignal, scope: SubscriptionScope) => AsyncIterable<T>,
): Promise<AsyncIterableIterator<T>> {
  if (ctx.connection.subscriptions >= MAX_SUBSCRIPTIONS_PER_CONNECTION)
    throw new TRPCError({ code: 'TOO_MANY_REQUESTS', message: `At most ${MAX_SUBSCRIPTIONS_PER_CONNECTION} subscriptions per connection` });
  const guard = new Guarded<T>({
    rt: ctx.rt, services: ctx.services, workspaceId: ctx.workspace.id, user: { id: ctx.user.id, name: ctx.user.name },
    connection: ctx.connection, tokenVersion: ctx.claims.tokenVersion, minRole,
  }, signal);
  await guard.watch();
  guard.start(source);
  return guard;
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * The guarded stream: an iterator object rather than an async generator wrapping the source, so a
 * handed-off subscription (parked at its source's `yield`, direct-delivery.ts) keeps no generator
 * frame and no closures here beyond its bus handler (bench fanout: memory per viewer).
 */
class Guarded<T> implements AsyncIterableIterator<T> {
  /** Aborts when the client leaves (the adapter's signal) or access is lost: what `source` watches. */
  private readonly stop = new StopSignal();
  private lost: TRPCError | null = null;
  private source: AsyncIterator<T> | null = null;
  private unsubscribe: (() => void) | null = null;
  private closed = false;

  constructor(private readonly w: Watch, private readonly outer: AbortSignal | undefined) {
    w.connection.subscriptions++;
    outer?.addEventListener('abort', this);
  }

  /** The adapter's signal aborted (`this` is its listener object: no closure). */
  handleEvent(): void {
    this.stop.abort();
  }

  /** Access is gone: the source stops, and the stream ends with `reason`. */
  lose(reason: TRPCError): void {
    this.lost ??= reason;
    this.stop.abort(reason);
  }

  async watch(): Promise<void> {
    const w = this.w;
    const recheck = () =>
      void currentAccessError(w).then((err) => err && this.lose(err), (err: unknown) => w.rt.log.warn({ err }, 'auth re-check failed'));
    try {
      // After a bus outage an announcement may be lost: check again once the bus is back.
      this.unsubscribe = await w.rt.bus.subscribe(authChannel(w.user.id), recheck, { onGap: recheck });
    } catch (err) {
      await this.close();
      throw err;
    }
    // A change between the procedure's own check and this subscribe would otherwise go unseen.
    recheck();
  }

  start(source: (signal: AbortSignal, scope: SubscriptionScope) => AsyncIterable<T>): void {
    this.source = source(this.stop.asAbortSignal(), this.w)[Symbol.asyncIterator]();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<T>> {
    if (this.closed) return DONE;
    // Stopped (access lost, or the client left) while the source waited at its `yield`: it is not
    // asked for more, but returned, so its own cleanup runs (a hub member leaves its hub).
    let item: IteratorResult<T> = DONE;
    let sourceEnded = false;
    try {
      if (!this.stop.aborted) {
        item = await this.source!.next();
        sourceEnded = item.done === true;
      }
    } catch (err) {
      await this.close(true);
      throw err;
    }
    if (!item.done && !this.stop.aborted) return item;
    await this.close(sourceEnded);
    if (this.lost) throw this.lost;
    return DONE;
  }

  async return(): Promise<IteratorResult<T>> {
    await this.close();
    return DONE;
  }

  /** Lets go of everything; the source too, unless it ended by itself. */
  private async close(sourceEnded = false): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe?.();
    this.outer?.removeEventListener('abort', this);
    this.w.connection.subscriptions--;
    this.stop.abort();
    if (!sourceEnded) await this.source?.return?.(undefined);
  }
}
