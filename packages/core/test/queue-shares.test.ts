// The fair-share arithmetic of the ingestion queue (issue 11 item 5): one id's burst is refused
// while others still get in. End to end: apps/server/test/security-fair-shares.server.test.ts.
import { describe, expect, it } from 'vitest';
import { QueueShares } from '../src/ingestion/queue-shares.ts';

describe('QueueShares', () => {
  it('security: fair share of the ingest queue — alone an id holds half the bound; beside others, bound / (others + 2); one holding nothing always gets one request in', () => {
    const shares = new QueueShares();
    const max = 3000;
    expect(shares.admits('a', 2500, max)).toBe(true); // holds nothing: one request of any size
    shares.add('a', 1000);
    expect(shares.admits('a', 500, max)).toBe(true); // 1,500 = half the bound
    expect(shares.admits('a', 501, max)).toBe(false);
    shares.add('a', 500);
    expect(shares.admits('b', 1000, max)).toBe(true);
    shares.add('b', 1000);
    // Beside b, a may hold 3000 / 3 = 1,000: it is over, and refused; b may add nothing more either.
    expect(shares.admits('a', 1, max)).toBe(false);
    expect(shares.admits('b', 1, max)).toBe(false);
    expect(shares.admits('c', 1000, max)).toBe(true);
    // Written rows are given back; an id holding nothing is forgotten.
    shares.add('a', -1500);
    expect(shares.admits('b', 500, max)).toBe(true);
    expect(shares.admits('a', 3000, max)).toBe(true);
  });
});
