import { describe, expect, test } from 'vitest';
import { allZones, browserZone, previewRuns } from './cronPreview.ts';

describe('allZones', () => {
  test('offers UTC and the browser zone, which V8 leaves out of its own list, once each and sorted', () => {
    const zones = allZones();
    expect(zones).toContain('UTC');
    expect(zones).toContain(browserZone());
    expect(new Set(zones).size).toBe(zones.length);
    expect([...zones].sort()).toEqual(zones);
  });
});

describe('previewRuns', () => {
  test('gives the next runs in the zone, or says what is wrong', () => {
    const result = previewRuns('0 6 * * 1', 'UTC', 2);
    expect('runs' in result && result.runs.map((d) => [d.getUTCDay(), d.getUTCHours(), d.getUTCMinutes()])).toEqual([[1, 6, 0], [1, 6, 0]]);
    expect(previewRuns('0 6 * *', 'UTC')).toEqual({ error: 'Five fields: minute hour day-of-month month day-of-week' });
  });
});
