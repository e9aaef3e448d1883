// Where a webhook may go: loopback, private and cloud-metadata addresses are refused (SSRF)
// unless the operator allows them (WEBHOOK_ALLOW_PRIVATE=1).
import { lookup } from 'node:dns/promises';
import { BlockList, isIP, type LookupFunction } from 'node:net';

const PRIVATE_V4: [string, number][] = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
];
const PRIVATE_V6: [string, number][] = [
  ['::', 96], // unspecified, loopback and the deprecated IPv4-compatible ::a.b.c.d
  ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['100::', 64],
  // Prefixes that carry an IPv4 address a gateway may reach on our behalf: NAT64 (well-known and
  // local-use), 6to4, Teredo.
  ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['2002::', 16], ['2001::', 32],
];

const blocked = new BlockList();
for (const [net, bits] of PRIVATE_V4) blocked.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of PRIVATE_V6) blocked.addSubnet(net, bits, 'ipv6');

/**
 * Loopback, private, link-local, carrier-NAT, multicast or reserved (IPv4-mapped IPv6 included).
 * An admin types the URL, but the worker sends the request from inside the deployment: pointed at
 * 127.0.0.1, 169.254.169.254 (cloud metadata) or a private network, a webhook would let a
 * workspace admin reach services they should never see.
 */
export function isPrivateAddress(address: string): boolean {
  const mapped = mappedIpv4(address);
  if (mapped) return blocked.check(mapped, 'ipv4');
  const family = isIP(address);
  if (family === 0) return true; // not an address at all: never a safe destination
  return blocked.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** The IPv4 address inside an IPv4-mapped IPv6 one, in either spelling (URL writes `::ffff:7f00:1`). */
function mappedIpv4(address: string): string | null {
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (dotted) return dotted[1]!;
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex) return null;
  const [high, low] = [parseInt(hex[1]!, 16), parseInt(hex[2]!, 16)];
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

/** A refused destination: the delivery fails without a request (the reason is logged, never shown). */
export class PrivateDestinationError extends Error {
  override name = 'PrivateDestinationError';
}

/** Resolves a host name to every address it has (the system resolver; tests pass their own). */
export type Resolve = (host: string) => Promise<{ address: string; family: number }[]>;
const systemResolve: Resolve = (host) => lookup(host, { all: true, verbatim: true });

/** The host of a URL as a socket sees it (`[::1]` → `::1`). */
export const hostOf = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1');

/**
 * A `lookup` for node:net (http.request's option): one resolution per connection; any private
 * answer refuses the connection (PrivateDestinationError); otherwise the socket connects to the
 * addresses checked here and nowhere else. The check runs where the connection is made, so a DNS
 * server that answers differently the second time (rebinding) has no second time. IP-literal
 * hosts never reach a lookup: check them with refusedLiteral first.
 */
export function guardedLookup(resolve: Resolve = systemResolve): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (answers) => {
        const wanted = options.family === 4 || options.family === 6 ? answers.filter((a) => a.family === options.family) : answers;
        const inside = answers.find((a) => isPrivateAddress(a.address));
        if (inside) return callback(new PrivateDestinationError(`${hostname} resolves to ${inside.address}, a private address`), '', 0);
        if (!wanted.length) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
        if (options.all) return (callback as unknown as (e: null, a: typeof wanted) => void)(null, wanted);
        callback(null, wanted[0]!.address, wanted[0]!.family);
      },
      (err: Error) => callback(err, '', 0),
    );
  };
}

/** Why a URL whose host is an IP address may not receive webhooks, or null (also for names). */
export function refusedLiteral(url: URL): string | null {
  const host = hostOf(url);
  return isIP(host) && isPrivateAddress(host) ? `${host} is a private address` : null;
}
