// Cumulative OTLP series (the OpenTelemetry SDKs' default temporality) carry running totals since
// their start time; a sample stores what happened in one interval. This keeps each series' last
// total per server process and hands back the difference. Delta series need none of this: they
// are stored as sent (README "OpenTelemetry (OTLP)" recommends delta temporality behind several
// servers, where one series' exports may reach different processes).

/** A first sighting counts from its start time only if that start is this recent; else it is a baseline. */
export const FIRST_SIGHTING_WINDOW_MS = 5 * 60_000;

export interface CountSum {
  count: number;
  sum: number;
}

export class CumulativeDeltas {
  private readonly last = new Map<string, CountSum & { startMs: number }>();

  constructor(private readonly maxSeries = 100_000) {}

  /**
   * The increase of a series since its previous export (null: nothing to record, a baseline).
   * A total below the previous one, or a new start time, is a restart: its whole value counts.
   */
  delta(series: string, startMs: number, timeMs: number, now: CountSum): CountSum | null {
    const before = this.last.get(series);
    // Re-inserted so the map's order is least recently seen first: eviction takes the oldest.
    this.last.delete(series);
    this.last.set(series, { ...now, startMs });
    if (this.last.size > this.maxSeries) this.last.delete(this.last.keys().next().value!);
    if (!before) return startMs > 0 && timeMs - startMs <= FIRST_SIGHTING_WINDOW_MS ? now : null;
    if (before.startMs !== startMs || now.count < before.count || now.sum < before.sum) return now;
    return { count: now.count - before.count, sum: now.sum - before.sum };
  }
}
