// Which webhook destinations are refused (SSRF): loopback, private and link-local (cloud metadata)
// addresses in every spelling and through IPv6 gateway prefixes, and names that resolve to them.
import { describe, expect, it } from 'vitest';
import type { LookupAddress } from 'node:dns';
import { PrivateDestinationError, guardedLookup, isPrivateAddress, refusedLiteral, type Resolve } from '../src/alerts/webhook-destination.ts';

describe('webhook destinations', () => {
  it('classes addresses', () => {
    for (const inside of [
      '127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::',
      'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:a9fe:a9fe', 'not-an-ip',
      '::7f00:1', // IPv4-compatible
      '64:ff9b::7f00:1', '64:ff9b::a9fe:a9fe', // NAT64, well-known prefix
      '64:ff9b:1::a00:1', // NAT64, local-use prefix
      '2002:7f00:1::1', '2002:a9fe:a9fe::', // 6to4
      '2001:0:4136:e378:8000:63bf:3fff:fdd2', // Teredo
    ])
      expect(isPrivateAddress(inside), inside).toBe(true);
    for (const outside of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '192.169.0.1', '2001:4860:4860::8888', '2606:4700::1111', '::ffff:808:808'])
      expect(isPrivateAddress(outside), outside).toBe(false);
  });

  it('refuses URLs whose host is a private address literal, in any spelling', () => {
    expect(refusedLiteral(new URL('http://127.0.0.1:9/hook'))).toBe('127.0.0.1 is a private address');
    expect(refusedLiteral(new URL('http://[::ffff:169.254.169.254]/latest/meta-data'))).toMatch(/^::ffff:a9fe:a9fe is a private address/);
    expect(refusedLiteral(new URL('http://[::1]:8080/'))).toMatch(/^::1 is a private address/);
    expect(refusedLiteral(new URL('http://2130706433/'))).toMatch(/^127\.0\.0\.1 is a private/); // URL normalises the decimal form
    expect(refusedLiteral(new URL('http://[64:ff9b::127.0.0.1]/'))).toMatch(/is a private address/);
    expect(refusedLiteral(new URL('https://8.8.8.8/hook'))).toBeNull();
    expect(refusedLiteral(new URL('https://hooks.example.com/'))).toBeNull(); // names are checked at connect time
  });

  /** Calls the lookup as node:net does and reports what the socket would connect to. */
  function lookUp(resolve: Resolve, all: boolean): Promise<{ err: Error | null; addresses: string[] }> {
    return new Promise((done) => {
      guardedLookup(resolve)('hooks.example.test', { all, family: 0 }, ((err: Error | null, address: string | LookupAddress[]) =>
        done({ err, addresses: Array.isArray(address) ? address.map((a) => a.address) : address ? [address] : [] })));
    });
  }

  // Names are checked by the lookup the connection itself uses.
  it('connects only to the addresses it checked, and refuses a name with any private answer', async () => {
    const publicOnly: Resolve = async () => [{ address: '203.0.113.10', family: 4 }, { address: '2001:db8::10', family: 6 }];
    expect(await lookUp(publicOnly, false)).toEqual({ err: null, addresses: ['203.0.113.10'] });
    expect(await lookUp(publicOnly, true)).toEqual({ err: null, addresses: ['203.0.113.10', '2001:db8::10'] });
    const mixed: Resolve = async () => [{ address: '203.0.113.10', family: 4 }, { address: '64:ff9b::a9fe:a9fe', family: 6 }];
    const refused = await lookUp(mixed, true);
    expect(refused.err).toBeInstanceOf(PrivateDestinationError);
    expect(refused.addresses).toEqual([]);
    const failing: Resolve = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    expect((await lookUp(failing, false)).err).toMatchObject({ code: 'ENOTFOUND' });
  });
});
