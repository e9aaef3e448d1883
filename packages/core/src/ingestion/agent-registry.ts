// Agent names → ids for ingestion: a name seen for the first time registers the agent in the
// key's workspace. Agents are never renamed, so resolved ids are cached for the process.
import type { Query } from './raw-connection.ts';
import { workspaceLimitLock } from '../workspaces/workspace-limits.ts';

export interface AgentName {
  workspaceId: string;
  name: string;
}

const keyOf = (a: AgentName) => `${a.workspaceId}/${a.name}`;

export class AgentRegistry {
  private readonly ids = new Map<string, string>();

  constructor(private readonly maxEntries = 100_000) {}

  /** The cached id, if this process has resolved the name before. */
  cached(agent: AgentName): string | undefined {
    return this.ids.get(keyOf(agent));
  }

  /** Call only after the transaction that registered the agents committed. */
  remember(agent: AgentName, id: string): void {
    if (this.ids.size >= this.maxEntries) this.ids.delete(this.ids.keys().next().value!);
    this.ids.set(keyOf(agent), id);
  }

  /**
   * Registers the agents that do not exist yet and returns every id, inside the caller's
   * transaction. Concurrency-safe: a concurrent insert of the same name makes ours wait for it
   * and do nothing; the select that follows (a new snapshot in READ COMMITTED) then sees it.
   */
  async register(query: Query, agents: AgentName[]): Promise<Map<string, string>> {
    const params = [agents.map((a) => a.workspaceId), agents.map((a) => a.name)];
    await query(
      `insert into agents (id, workspace_id, name)
       select gen_random_uuid(), w, n from unnest($1::uuid[], $2::text[]) as g(w, n)
       order by w, n
       on conflict (workspace_id, name) do nothing`,
      params,
    );
    const rows = await query<{ id: string; workspace_id: string; name: string }>(
      `select a.id, a.workspace_id, a.name from agents a join unnest($1::uuid[], $2::text[]) as g(w, n) on a.workspace_id = g.w and a.name = g.n`,
      params,
    );
    return new Map(rows.map((r) => [keyOf({ workspaceId: r.workspace_id, name: r.name }), r.id]));
  }

  /**
   * The requests (by index) whose new names would take their workspace past `maxPerWorkspace`
   * agents, deciding in order, with the new names of each. Call in the transaction that registers
   * the others' names: it holds each workspace's lock until the commit, so concurrent flushes on
   * any server count exactly.
   */
  async overLimit(query: Query, requests: { workspaceId: string; names: string[] }[], maxPerWorkspace: number): Promise<Map<number, string[]>> {
    const workspaces = [...new Set(requests.map((r) => r.workspaceId))].sort();
    await query(`select pg_advisory_xact_lock(hashtext(k)) from (select k from unnest($1::text[]) k order by k) s`,
      [workspaces.map((w) => workspaceLimitLock('agents', w))]);
    const asked = requests.flatMap((r) => r.names.map((name) => ({ workspaceId: r.workspaceId, name })));
    const existing = new Set((await query<{ workspace_id: string; name: string }>(
      `select a.workspace_id, a.name from agents a join unnest($1::uuid[], $2::text[]) as g(w, n) on a.workspace_id = g.w and a.name = g.n`,
      [asked.map((a) => a.workspaceId), asked.map((a) => a.name)],
    )).map((r) => keyOf({ workspaceId: r.workspace_id, name: r.name })));
    const counts = new Map((await query<{ workspace_id: string; n: number }>(
      `select workspace_id, count(*)::int as n from agents where workspace_id = any($1::uuid[]) group by workspace_id`, [workspaces],
    )).map((r) => [r.workspace_id, Number(r.n)]));
    const refused = new Map<number, string[]>();
    requests.forEach((r, i) => {
      const fresh = [...new Set(r.names)].filter((name) => !existing.has(keyOf({ workspaceId: r.workspaceId, name })));
      const count = counts.get(r.workspaceId) ?? 0;
      if (count + fresh.length > maxPerWorkspace) return void refused.set(i, fresh);
      counts.set(r.workspaceId, count + fresh.length);
      for (const name of fresh) existing.add(keyOf({ workspaceId: r.workspaceId, name }));
    });
    return refused;
  }

  static key = keyOf;
}
