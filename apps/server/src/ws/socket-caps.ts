// How many WebSockets one client address and one user hold, and the deadline by which a socket
// must have authenticated (its connectionParams token).
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { ClientLimits } from '@tandem/core';

/** A socket without a valid token after this long is closed with WS_CLOSE_NOT_AUTHENTICATED. */
export const WS_AUTH_TIMEOUT_MS = 10_000;
export const WS_CLOSE_NOT_AUTHENTICATED = 4001;

/**
 * A socket costs memory and a keep-alive timer whether or not it subscribes, so nobody gets an
 * unbounded number of them.
 */
export class SocketCaps {
  private readonly perAddress = new Map<string, number>();
  private readonly perUser = new Map<string, number>();
  private readonly addresses = new WeakMap<Duplex, string>();
  private readonly deadlines = new WeakMap<WebSocket, NodeJS.Timeout>();
  private readonly users = new WeakMap<WebSocket, string>();
  /** One 'close' listener shared by every connection (`this` is the connection): none per socket. */
  private readonly releaseAddress: (this: Duplex) => void;

  constructor(private readonly limits: Pick<ClientLimits, 'socketsPerAddress' | 'socketsPerUser'>) {
    const { perAddress, addresses } = this;
    this.releaseAddress = function (this: Duplex) {
      const address = addresses.get(this);
      addresses.delete(this);
      if (address !== undefined) decrement(perAddress, address);
    };
  }

  /**
   * At the upgrade, before the handshake: false when `address` holds its maximum. Admitted, the
   * count lasts as long as the TCP connection, whether or not the handshake completes.
   */
  admitAddress(address: string, connection: Duplex): boolean {
    const held = this.perAddress.get(address) ?? 0;
    if (held >= this.limits.socketsPerAddress) return false;
    this.perAddress.set(address, held + 1);
    this.addresses.set(connection, address);
    connection.on('close', this.releaseAddress); // 'close' comes once; `once` would wrap the listener per socket
    return true;
  }

  /** A handshake completed: the socket has WS_AUTH_TIMEOUT_MS to present a valid token. Call `closed` when it closes. */
  opened(ws: WebSocket): void {
    const deadline = setTimeout(() => {
      if (ws.readyState === ws.OPEN) ws.close(WS_CLOSE_NOT_AUTHENTICATED, 'not authenticated');
    }, WS_AUTH_TIMEOUT_MS);
    deadline.unref();
    this.deadlines.set(ws, deadline);
  }

  closed(ws: WebSocket): void {
    clearTimeout(this.deadlines.get(ws));
    this.deadlines.delete(ws);
    const userId = this.users.get(ws);
    if (userId) decrement(this.perUser, userId);
  }

  /** The socket's token is valid: false (and not counted) when the user holds their maximum. */
  authenticated(ws: WebSocket, userId: string): boolean {
    if (this.users.has(ws)) return true;
    const held = this.perUser.get(userId) ?? 0;
    if (held >= this.limits.socketsPerUser) return false;
    this.perUser.set(userId, held + 1);
    this.users.set(ws, userId);
    clearTimeout(this.deadlines.get(ws));
    this.deadlines.delete(ws);
    return true;
  }
}

function decrement(counts: Map<string, number>, key: string): void {
  const left = (counts.get(key) ?? 1) - 1;
  if (left > 0) counts.set(key, left);
  else counts.delete(key);
}
