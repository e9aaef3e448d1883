// The client's address, for limits and logs. TRUST_PROXY says how many hops (counted from this
// server) append a truthful X-Forwarded-For entry.
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/** `::ffff:1.2.3.4` → `1.2.3.4`; anything that is not an IP address → null. */
function normalise(raw: string | undefined): string | null {
  if (!raw) return null;
  let address = raw.trim();
  // Some proxies write `[v6]:port` or `v4:port`.
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed) address = bracketed[1]!;
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(address)) address = address.slice(0, address.lastIndexOf(':'));
  address = address.replace(/%.*$/, ''); // zone id
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) address = mapped[1]!;
  return isIP(address) ? address.toLowerCase() : null;
}

/**
 * The client address of a request: the socket's peer when `trustedHops` is 0, else the entry of
 * X-Forwarded-For that the outermost trusted proxy added (when there are fewer entries than
 * trusted hops, the leftmost). An entry that is not an address falls back to the peer.
 * Behind reverse proxies the socket's peer is the last proxy; entries further left than the
 * trusted hops are whatever the client wrote and never believed.
 */
export function clientAddress(req: IncomingMessage, trustedHops: number): string {
  const peer = normalise(req.socket.remoteAddress) ?? 'unknown';
  if (trustedHops <= 0) return peer;
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : header ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (!forwarded.length) return peer;
  // The peer is hop 0; each trusted proxy vouches for the entry it appended (the rightmost first).
  const chain = [...forwarded, peer];
  const index = Math.max(0, chain.length - 1 - trustedHops);
  return normalise(chain[index]) ?? peer;
}

/**
 * The key limits count an address under: an IPv4 address as is, an IPv6 address by its /64 (one
 * subscriber's network: a client can pick any of 2^64 addresses in it).
 */
export function addressKey(address: string): string {
  if (isIP(address) !== 6) return address;
  const [head = '', tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
