// Agent names → ids for ingestion: a name seen for the first time registers the agent in the
// key's workspace. Agents are never renamed, so resolved ids are cached for the process.
import type { Query } from './raw-connection.ts';

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

  static key = keyOf;
}
