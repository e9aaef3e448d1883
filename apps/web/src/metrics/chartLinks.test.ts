// The links between charts and sessions: a dashboard link's range and metric read back by the agent
// page, and an "Ask about this" link's range read back by the session page; anything else is ignored.
import { describe, expect, it } from 'vitest';
import { askHref, parseAsk } from './askLink.ts';
import { dashboardHref, rangeFromSearch } from './dashboardLink.ts';

const agentId = '0b5b3c1e-4d9f-4a55-9d2e-2f1f6a0c7e11';
const ref = { agentId, metric: 'latency_ms' as const, from: 1_764_756_000_000, to: 1_764_757_800_000 };

describe('dashboardHref', () => {
  it('opens the agent page at the range and metric, and the page reads them back', () => {
    const href = dashboardHref('ws-1', ref);
    expect(href).toBe(`/w/ws-1/metrics/agents/${agentId}?from=${ref.from}&to=${ref.to}&metric=latency_ms`);
    const search = Object.fromEntries(new URL(href, 'http://x').searchParams);
    expect(rangeFromSearch(search)).toEqual({ range: { from: ref.from, to: ref.to }, metric: 'latency_ms' });
  });

  it('ignores an empty or backwards range and an unknown metric', () => {
    expect(rangeFromSearch({})).toBeNull();
    expect(rangeFromSearch({ from: '20', to: '10' })).toBeNull();
    expect(rangeFromSearch({ from: 'x', to: '10', metric: 'cpu_pct' })).toEqual({ range: null, metric: 'cpu_pct' });
    expect(rangeFromSearch({ from: '10', to: '20', metric: 'bogus' })).toEqual({ range: { from: 10, to: 20 }, metric: undefined });
  });
});

describe('askHref / parseAsk', () => {
  it('round-trips a range through the session URL', () => {
    const href = askHref('ws-1', 'conv-1', ref);
    expect(href.startsWith('/w/ws-1/sessions/conv-1?ask=')).toBe(true);
    expect(parseAsk(new URL(href, 'http://x').searchParams.get('ask') ?? undefined)).toEqual(ref);
  });

  it('refuses what is not a range of an agent', () => {
    expect(parseAsk(undefined)).toBeNull();
    expect(parseAsk(`not-an-id~latency_ms~1~2`)).toBeNull();
    expect(parseAsk(`${agentId}~bogus~1~2`)).toBeNull();
    expect(parseAsk(`${agentId}~latency_ms~2~1`)).toBeNull();
    expect(parseAsk(`${agentId}~latency_ms~1.5~2`)).toBeNull();
  });
});
