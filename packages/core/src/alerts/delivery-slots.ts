// Webhook deliveries in flight per workspace, counted on the limiter store (Redis, or PostgreSQL)
// so every worker shares the count: one tenant's slow receiver holds only a few delivery slots.
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { MakeLimiter } from '../auth/limiter-store.ts';

/** Deliveries of one workspace running at once, over every worker. */
export const WEBHOOK_IN_FLIGHT_PER_WORKSPACE = 2;
/**
 * A slot taken is forgotten after this even if never given back (a worker that died mid-delivery).
 * Well above the 5 s delivery timeout; the count is a fixed window, so at its end a workspace may
 * briefly start a delivery or two beyond the cap.
 */
const LEASE_SECONDS = 60;

export class DeliverySlots {
  private readonly inFlight: RateLimiterAbstract;

  constructor(make: MakeLimiter, readonly perWorkspace = WEBHOOK_IN_FLIGHT_PER_WORKSPACE) {
    this.inFlight = make('webhook-in-flight', perWorkspace, LEASE_SECONDS);
  }

  /** Takes one of the workspace's slots; false when all are taken (the caller tries again later). */
  async take(workspaceId: string): Promise<boolean> {
    try {
      await this.inFlight.consume(workspaceId);
      return true;
    } catch (res) {
      if (!(res instanceof RateLimiterRes)) throw res;
      // The refused attempt counted too: give it back, or the refusals would keep the slots full.
      await this.inFlight.reward(workspaceId);
      return false;
    }
  }

  async release(workspaceId: string): Promise<void> {
    await this.inFlight.reward(workspaceId);
  }
}
