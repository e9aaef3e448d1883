// Fair shares of the sample writer's queue: rows held per ingest key (or workspace), so one key's
// burst is refused while others still get in, instead of filling INGEST_MAX_QUEUED_ROWS for all.
export class QueueShares {
  private readonly held = new Map<string, number>();

  /**
   * Whether `id` may queue `rows` more under a bound of `max`. One request of an id that holds
   * nothing always may (the overall bound still applies); beyond, an id holds at most
   * max / (others holding rows + 2): alone, half the bound, always leaving room for one more.
   */
  admits(id: string, rows: number, max: number): boolean {
    const held = this.held.get(id) ?? 0;
    if (held === 0) return true;
    const others = this.held.size - 1;
    return held + rows <= max / (others + 2);
  }

  add(id: string, rows: number): void {
    const held = (this.held.get(id) ?? 0) + rows;
    if (held > 0) this.held.set(id, held);
    else this.held.delete(id);
  }
}
