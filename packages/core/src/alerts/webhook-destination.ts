// Where a webhook may go. An admin types the URL, but the worker sends the request from inside
// the deployment: pointed at 127.0.0.1, 169.254.169.254 (cloud metadata) or a private network,
// a webhook would let a workspace admin reach services they should never see (SSRF). Such
// destinations are refused unless the operator allows them (WEBHOOK_ALLOW_PRIVATE=1).
// The name is resolved here and the request then resolves it again: a DNS server that answers
// differently the second time (rebinding) is not stopped by this check; worker egress rules are
// the complete answer (README).
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

const PRIVATE_V4: [string, number][] = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
];
const PRIVATE_V6: [string, number][] = [['::', 127], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96]];

const blocked = new BlockList();
for (const [net, bits] of PRIVATE_V4) blocked.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of PRIVATE_V6) blocked.addSubnet(net, bits, 'ipv6');

/** Loopback, private, link-local, carrier-NAT, multicast or reserved (IPv4-mapped IPv6 included). */
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

/** Why the URL's host may not receive webhooks (it is or resolves to a private address), or null. */
export async function refusedDestination(url: URL): Promise<string | null> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
  const inside = addresses.find(isPrivateAddress);
  if (!inside) return null;
  return `${host === inside ? host : `${host} (${inside})`} is a private address; set WEBHOOK_ALLOW_PRIVATE=1 to allow it`;
}
