// Issue 11 item 2: sign-in limits that hold behind a proxy and cannot lock people out, in both
// runtime modes: the limiter's counts live on Redis or PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTRPCClient, httpLink } from '@trpc/client';
import { CLIENT_LIMITS } from '@tandem/core';
import { availableModes } from '@tandem/core/testing';
import type { AppRouter } from '../src/routers/_app.ts';
import { createHttpServer } from '../src/http/server.ts';
import { createServerServices } from '../src/services.ts';
import { codeOf, errorOf, startSecondServer, startTestApp, type TestApp } from './harness.ts';
import { addressKey, clientAddress } from '../src/http/client-address.ts';
import type { IncomingMessage } from 'node:http';

const modes = await availableModes();
const PASSWORD = 'correct horse';
const FREE = CLIENT_LIMITS.freeSignInFailures;
const PER_ADDRESS_PER_DAY = 30;
const REGISTRATIONS_PER_HOUR = 12;

/** A tRPC client whose requests arrive through a proxy that wrote `forwarded` as X-Forwarded-For. */
const viaProxy = (url: string, forwarded?: string) =>
  createTRPCClient<AppRouter>({ links: [httpLink({ url: `${url}/trpc`, headers: () => (forwarded ? { 'x-forwarded-for': forwarded } : {}) })] });

const login = (url: string, forwarded: string | undefined, email: string, password: string) =>
  codeOf(viaProxy(url, forwarded).auth.login.mutate({ email, password }));

describe('client address', () => {
  const req = (peer: string, xff?: string | string[]) =>
    ({ socket: { remoteAddress: peer }, headers: xff === undefined ? {} : { 'x-forwarded-for': xff } }) as unknown as IncomingMessage;

  it('believes only as many X-Forwarded-For entries as there are trusted hops', () => {
    expect(clientAddress(req('10.0.0.2', '1.1.1.1, 203.0.113.7'), 0)).toBe('10.0.0.2');
    expect(clientAddress(req('10.0.0.2', '1.1.1.1, 203.0.113.7'), 1)).toBe('203.0.113.7');
    expect(clientAddress(req('10.0.0.2', ['1.1.1.1', '203.0.113.7, 10.0.0.9']), 2)).toBe('203.0.113.7');
    expect(clientAddress(req('10.0.0.2', '203.0.113.7'), 3)).toBe('203.0.113.7'); // fewer entries than hops
    expect(clientAddress(req('::ffff:10.0.0.2'), 1)).toBe('10.0.0.2');
    expect(clientAddress(req('10.0.0.2', 'not-an-address'), 1)).toBe('10.0.0.2');
    expect(clientAddress(req('10.0.0.2', '[2001:db8::1]:443'), 1)).toBe('2001:db8::1');
  });

  it('keys IPv6 addresses by their /64 and IPv4 addresses as they are', () => {
    expect(addressKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::7')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
  });
});

// Each test performs the attack against a real server behind a (simulated) proxy.
describe.each(modes)('security: sign-in limits behind a proxy (%s)', (mode) => {
  let app: TestApp; // behind one proxy hop (TRUST_PROXY=1)
  let direct: TestApp; // no proxy configured (TRUST_PROXY=0)
  beforeAll(async () => {
    const limits = { signInFailuresPerAddressPerDay: PER_ADDRESS_PER_DAY, registrationsPerAddressPerHour: REGISTRATIONS_PER_HOUR };
    [app, direct] = await Promise.all([startTestApp(mode, { TRUST_PROXY: '1' }, { limits }), startTestApp(mode, {}, { limits })]);
  });
  afterAll(async () => {
    await app?.close();
    await direct?.close();
  });

  it('security: sign-in limits — an attacker slows down only their own address; the owner signs in from elsewhere at once', async () => {
    const alice = await app.signUp('Alice');
    const bob = await app.signUp('Bob');
    const attacker = '203.0.113.7';
    for (let i = 0; i < FREE + 1; i++) expect(await login(app.url, attacker, alice.email, 'not the password')).toBe('UNAUTHORIZED');
    const first = await errorOf(viaProxy(app.url, attacker).auth.login.mutate({ email: alice.email, password: 'guess again' }));
    expect(first.code).toBe('TOO_MANY_REQUESTS');
    expect(first.retryAfterMs).toBeGreaterThan(0);
    expect(first.retryAfterMs).toBeLessThanOrEqual(1000);
    // Waiting is per account and address: the right password from the attacker's address waits too …
    expect(await login(app.url, attacker, alice.email, PASSWORD)).toBe('TOO_MANY_REQUESTS');
    // … but the owner, anywhere else, is never refused, and other accounts are not slowed at all.
    expect(await login(app.url, '198.51.100.20', alice.email, PASSWORD)).toBe('OK');
    expect(await login(app.url, attacker, bob.email, PASSWORD)).toBe('OK');

    // The wait grows with each further failure: 1 s, then 2 s.
    await sleep(first.retryAfterMs! + 100);
    expect(await login(app.url, attacker, alice.email, 'still not it')).toBe('UNAUTHORIZED');
    const second = await errorOf(viaProxy(app.url, attacker).auth.login.mutate({ email: alice.email, password: 'and again' }));
    expect(second.code).toBe('TOO_MANY_REQUESTS');
    expect(second.retryAfterMs).toBeGreaterThan(1000);
  });

  it('security: sign-in limits — guesses sent at once are counted at once', async () => {
    const carol = await app.signUp('Carol');
    const started = Date.now();
    const codes = await Promise.all(Array.from({ length: 40 }, () => login(app.url, '203.0.113.40', carol.email, 'parallel guess')));
    // The free failures, then one attempt per wait (1 s, 2 s, …; a slow burst outlasts the first
    // waits): the rest are refused before any password check.
    const checked = codes.filter((c) => c === 'UNAUTHORIZED').length;
    expect(checked).toBeLessThanOrEqual(FREE + 1 + Math.ceil((Date.now() - started) / 1000));
    expect(codes.filter((c) => c === 'TOO_MANY_REQUESTS').length).toBe(40 - checked);
    expect(await login(app.url, '198.51.100.40', carol.email, PASSWORD)).toBe('OK');
  });

  it('security: sign-in limits — X-Forwarded-For entries the client wrote are not believed', async () => {
    const dave = await app.signUp('Dave');
    // One trusted hop: only the entry the proxy appended (the last) counts; the client rotates the rest.
    const codes = [];
    for (let i = 0; i < FREE + 2; i++) codes.push(await login(app.url, `10.9.8.${i}, 203.0.113.8`, dave.email, 'rotating'));
    expect(codes.slice(0, FREE + 1).every((c) => c === 'UNAUTHORIZED')).toBe(true);
    expect(codes[FREE + 1]).toBe('TOO_MANY_REQUESTS');

    // Without TRUST_PROXY the header is ignored altogether: the socket's address counts.
    const erin = await direct.signUp('Erin');
    const direct_ = [];
    for (let i = 0; i < FREE + 2; i++) direct_.push(await login(direct.url, `198.51.100.${i}`, erin.email, 'rotating'));
    expect(direct_[FREE + 1]).toBe('TOO_MANY_REQUESTS');
  });

  it('security: sign-in limits — an IPv6 client is counted by its /64', async () => {
    const frank = await app.signUp('Frank');
    const codes = [];
    for (let i = 1; i <= FREE + 2; i++) codes.push(await login(app.url, `2001:db8:1:2::${i.toString(16)}`, frank.email, 'rotating v6'));
    expect(codes[FREE + 1]).toBe('TOO_MANY_REQUESTS');
    expect(await login(app.url, '2001:db8:1:3::1', frank.email, PASSWORD)).toBe('OK'); // another /64
  });

  it('security: sign-in limits — only failures count, and a success clears them', async () => {
    const grace = await app.signUp('Grace');
    for (let i = 0; i < 3 * FREE; i++) expect(await login(app.url, '203.0.113.50', grace.email, PASSWORD)).toBe('OK');
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < FREE; i++) expect(await login(app.url, '203.0.113.50', grace.email, 'typo')).toBe('UNAUTHORIZED');
      expect(await login(app.url, '203.0.113.50', grace.email, PASSWORD)).toBe('OK');
    }
  });

  it('security: sign-in limits — slow brute force over many accounts from one address stops for the day', async () => {
    const henry = await app.signUp('Henry');
    const attacker = '203.0.113.60';
    for (let i = 0; i < PER_ADDRESS_PER_DAY; i++)
      expect(await login(app.url, attacker, `nobody-${i}@example.com`, 'spray')).toBe('UNAUTHORIZED');
    const refused = await errorOf(viaProxy(app.url, attacker).auth.login.mutate({ email: henry.email, password: PASSWORD }));
    expect(refused.code).toBe('TOO_MANY_REQUESTS');
    expect(refused.retryAfterMs).toBeGreaterThan(3_600_000);
    expect(await login(app.url, '198.51.100.60', henry.email, PASSWORD)).toBe('OK');
  });

  it('security: sign-in limits — two server instances share the counts', async () => {
    const ida = await app.signUp('Ida');
    // A second instance on the same stores: services mode another runtime (Redis), embedded
    // another set of server services on the same PGlite (nothing kept in memory is shared).
    const second = mode === 'services' ? await startSecondServer(app) : await (async () => {
      const server = createHttpServer(createServerServices(app.rt));
      return { url: await server.listen(0, '127.0.0.1'), close: () => server.close() };
    })();
    try {
      // No X-Forwarded-For: both instances see the socket's address (the second trusts no proxy).
      const codes = [];
      for (let i = 0; i < FREE + 2; i++) codes.push(await login(i % 2 ? second.url : app.url, undefined, ida.email, 'split guesses'));
      expect(codes.slice(0, FREE + 1).every((c) => c === 'UNAUTHORIZED')).toBe(true);
      expect(codes[FREE + 1]).toBe('TOO_MANY_REQUESTS');
    } finally {
      await second.close();
    }
  });

  it('security: registration is limited per client address', async () => {
    const register = (forwarded: string, i: number) =>
      codeOf(viaProxy(app.url, forwarded).auth.register.mutate({ email: `bulk-${forwarded}-${i}-${Date.now()}@example.com`, password: PASSWORD, name: 'Bulk' }));
    for (let i = 0; i < REGISTRATIONS_PER_HOUR; i++) expect(await register('203.0.113.70', i)).toBe('OK');
    expect(await register('203.0.113.70', REGISTRATIONS_PER_HOUR)).toBe('TOO_MANY_REQUESTS');
    expect(await register('198.51.100.70', 0)).toBe('OK');
  });
});
