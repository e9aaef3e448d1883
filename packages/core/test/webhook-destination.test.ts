// Which webhook destinations are refused (SSRF): loopback, private networks, link-local (cloud
// metadata), in every spelling a URL can carry, and names that resolve to them.
import { describe, expect, it } from 'vitest';
import { isPrivateAddress, refusedDestination } from '../src/alerts/webhook-destination.ts';

describe('webhook destinations', () => {
  it('classes addresses', () => {
    for (const inside of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:a9fe:a9fe', 'not-an-ip'])
      expect(isPrivateAddress(inside), inside).toBe(true);
    for (const outside of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '192.169.0.1', '2001:4860:4860::8888', '::ffff:808:808'])
      expect(isPrivateAddress(outside), outside).toBe(false);
  });

  it('refuses URLs whose host is or resolves to a private address, and names it', async () => {
    expect(await refusedDestination(new URL('http://127.0.0.1:9/hook'))).toBe('127.0.0.1 is a private address; set WEBHOOK_ALLOW_PRIVATE=1 to allow it');
    expect(await refusedDestination(new URL('http://[::ffff:169.254.169.254]/latest/meta-data'))).toMatch(/^::ffff:a9fe:a9fe is a private address/);
    expect(await refusedDestination(new URL('http://[::1]:8080/'))).toMatch(/^::1 is a private address/);
    expect(await refusedDestination(new URL('http://2130706433/'))).toMatch(/^127\.0\.0\.1 is a private/); // URL normalises the decimal form
    expect(await refusedDestination(new URL('http://localhost:3000/'))).toMatch(/^localhost \((127\.0\.0\.1|::1)\) is a private address/);
    expect(await refusedDestination(new URL('https://8.8.8.8/hook'))).toBeNull();
  });
});
