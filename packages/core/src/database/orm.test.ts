// isDatabaseUnavailable tells an unreachable or restarting database (retry) from a bad statement
// (do not); retryWhileDatabaseUnavailable retries only the former, within its window.
import { DriverException, UniqueConstraintViolationException } from '@mikro-orm/core';
import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable, retryWhileDatabaseUnavailable } from './orm.ts';

const coded = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['refused', coded('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['server shutting down (57P01)', coded('terminating connection due to administrator command', '57P01')],
    ['starting up (57P03)', coded('the database system is starting up', '57P03')],
    ['connection lost mid-query', new Error('Connection terminated unexpectedly')],
    ['wrapped by MikroORM', new DriverException(coded('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'))],
    ['as a cause', new Error('query failed', { cause: coded('read ECONNRESET', 'ECONNRESET') })],
    ['inside an AggregateError', new AggregateError([coded('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')])],
  ])('%s: unavailable', (_, err) => expect(isDatabaseUnavailable(err)).toBe(true));

  it.each([
    ['unique violation', new UniqueConstraintViolationException(coded('duplicate key value', '23505'))],
    ['syntax error', coded('syntax error at or near "selec"', '42601')],
    ['a plain bug', new TypeError('x is undefined')],
    ['nothing', undefined],
  ])('%s: not unavailable', (_, err) => expect(isDatabaseUnavailable(err)).toBe(false));
});

describe('retryWhileDatabaseUnavailable', () => {
  const down = () => coded('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED');

  it('retries while the database is unavailable, then returns', async () => {
    let calls = 0;
    const result = await retryWhileDatabaseUnavailable(async () => {
      if (++calls < 3) throw down();
      return 'stored';
    }, { windowMs: 5000 });
    expect([result, calls]).toEqual(['stored', 3]);
  });

  it('does not retry any other error', async () => {
    let calls = 0;
    const bad = coded('syntax error', '42601');
    await expect(retryWhileDatabaseUnavailable(async () => {
      calls++;
      throw bad;
    }, { windowMs: 5000 })).rejects.toBe(bad);
    expect(calls).toBe(1);
  });

  it('gives up with the last error once the window is over, or at once when aborted', async () => {
    await expect(retryWhileDatabaseUnavailable(async () => { throw down(); }, { windowMs: 250 })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    let calls = 0;
    await expect(retryWhileDatabaseUnavailable(async () => {
      calls++;
      throw down();
    }, { windowMs: 60_000, signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(calls).toBe(1);
  });
});
