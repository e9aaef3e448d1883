// docs/reliability.md §17 (cross-tenant) and §18 (roles, mass assignment), generated from the router:
// every procedure of appRouter must be classified in ACCESS below.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { randomUUID } from 'node:crypto';
import { availableModes } from '@tandem/core/testing';
import { roleRank, type Role } from '@tandem/schema';
import { appRouter } from '../src/routers/_app.ts';
import { codeOf, invitationTokenOf, inviteMember, sqlRows, startTestApp, watchSubscription, workspaceSnapshot, type TestApp } from './harness.ts';

const modes = await availableModes();

/** The ids a procedure's input may point at; each test fills them from one workspace. */
interface Target {
  workspaceId: string;
  /** A member of the workspace (not the caller). */
  userId: string;
  /** An existing user who is not a member of the workspace. */
  email: string;
  conversationId: string;
  runId: string;
  /** An alert rule of the workspace. */
  ruleId: string;
  /** An ingest key of the workspace. */
  keyId: string;
  /** An agent of the workspace. */
  agentId: string;
  /** A pending invitation of the workspace. */
  invitationId: string;
  /** A task of the workspace; in calls that may change it, one of the caller's own (tasks are per owner). */
  taskId: string;
  /** An access token of the workspace; in calls that may change it, one of the caller's own. */
  tokenId: string;
  /** A completed export of the workspace. */
  exportId: string;
  /** An export schedule of the workspace. */
  scheduleId: string;
}

type Access = 'public' | 'user' | Role;
interface Entry {
  /** public: anyone; user: any signed-in user; a role: the minimum role in the target's workspace. */
  access: Access;
  input: (t: Target) => unknown;
}

const ws = (t: Target) => ({ workspaceId: t.workspaceId });
const conv = (t: Target) => ({ conversationId: t.conversationId });

/**
 * Every procedure of the router. A procedure missing here fails the matrix: classify it. So whoever
 * adds a procedure decides who may call it and what input reaches it, and the matrix covers it at once.
 */
const ACCESS: Record<string, Entry> = {
  'auth.register': { access: 'public', input: () => ({ email: `matrix-${randomUUID()}@example.com`, password: 'correct horse', name: 'M' }) },
  'auth.login': { access: 'public', input: () => ({ email: 'nobody@example.com', password: 'whatever1' }) },
  'auth.me': { access: 'user', input: () => undefined },
  'auth.logout': { access: 'user', input: () => undefined },
  // Refused for a wrong current password whoever calls: only signed-in callers reach that check.
  'auth.changePassword': { access: 'user', input: () => ({ currentPassword: 'not the password', newPassword: 'another horse' }) },
  'workspace.create': { access: 'user', input: () => ({ name: 'Matrix' }) },
  'workspace.members': { access: 'viewer', input: ws },
  'workspace.invite': { access: 'admin', input: (t) => ({ ...ws(t), email: t.email, role: 'viewer' }) },
  'workspace.invitations': { access: 'admin', input: ws },
  'workspace.revokeInvite': { access: 'admin', input: (t) => ({ ...ws(t), invitationId: t.invitationId }) },
  // The link's holder is whoever signed in: the token, not a workspace role, decides (security-invitations tests).
  'workspace.invitation': { access: 'user', input: () => ({ token: `tdi_${'A'.repeat(43)}` }) },
  'workspace.acceptInvite': { access: 'user', input: () => ({ token: `tdi_${'A'.repeat(43)}` }) },
  'workspace.setRole': { access: 'admin', input: (t) => ({ ...ws(t), userId: t.userId, role: 'viewer' }) },
  'workspace.removeMember': { access: 'admin', input: (t) => ({ ...ws(t), userId: t.userId }) },
  'workspace.events': { access: 'viewer', input: ws },
  'audit.list': { access: 'admin', input: (t) => ({ ...ws(t), limit: 5 }) },
  'conversation.create': { access: 'member', input: (t) => ({ ...ws(t), title: 'Matrix' }) },
  'conversation.list': { access: 'viewer', input: ws },
  'conversation.get': { access: 'viewer', input: conv },
  'conversation.replay': { access: 'viewer', input: conv },
  'conversation.rename': { access: 'member', input: (t) => ({ ...conv(t), title: 'Renamed by matrix' }) },
  'conversation.archive': { access: 'member', input: conv },
  'conversation.restore': { access: 'member', input: conv },
  'conversation.send': { access: 'member', input: (t) => ({ ...conv(t), content: 'Sales by month?', clientMessageId: `m-${randomUUID()}` }) },
  'conversation.cancel': { access: 'member', input: (t) => ({ runId: t.runId }) },
  'conversation.typing': { access: 'member', input: conv },
  'conversation.events': { access: 'viewer', input: conv },
  'alert.createRule': { access: 'admin', input: (t) => ({ ...ws(t), metric: 'latency_ms', agg: 'p95', op: '>', threshold: 800, windowMs: 300_000, conversationId: t.conversationId }) },
  'alert.listRules': { access: 'viewer', input: ws },
  'alert.deleteRule': { access: 'admin', input: (t) => ({ ...ws(t), ruleId: t.ruleId }) },
  'alert.events': { access: 'viewer', input: ws },
  'ingestKey.create': { access: 'admin', input: (t) => ({ ...ws(t), label: 'Matrix key' }) },
  'ingestKey.list': { access: 'admin', input: ws },
  'ingestKey.revoke': { access: 'admin', input: (t) => ({ ...ws(t), keyId: t.keyId }) },
  'agent.list': { access: 'viewer', input: ws },
  'agent.update': { access: 'admin', input: (t) => ({ ...ws(t), agentId: t.agentId, owner: 'matrix' }) },
  'agent.runMarkers': { access: 'viewer', input: (t) => ({ ...ws(t), agentId: t.agentId, from: Date.now() - 3_600_000, to: Date.now() }) },
  'metrics.query': { access: 'viewer', input: (t) => ({ ...ws(t), agentIds: [t.agentId], metrics: [{ name: 'latency_ms', agg: 'p95' }], from: Date.now() - 3_600_000, to: Date.now() }) },
  'metrics.live': { access: 'viewer', input: (t) => ({ ...ws(t), agentIds: [t.agentId] }) },
  'metrics.costs': { access: 'viewer', input: (t) => ({ ...ws(t), from: Date.now() - 86_400_000, to: Date.now() }) },
  'dashboard.get': { access: 'viewer', input: ws },
  'task.list': { access: 'member', input: (t) => ({ ...ws(t), filter: 'all' }) },
  'task.create': { access: 'member', input: (t) => ({ ...ws(t), title: 'Matrix task' }) },
  'task.update': { access: 'member', input: (t) => ({ ...ws(t), taskId: t.taskId, title: 'Renamed by matrix' }) },
  'task.toggle': { access: 'member', input: (t) => ({ ...ws(t), taskId: t.taskId }) },
  'task.delete': { access: 'member', input: (t) => ({ ...ws(t), taskId: t.taskId }) },
  'task.events': { access: 'member', input: ws },
  'accessToken.create': { access: 'member', input: (t) => ({ ...ws(t), label: 'Matrix token' }) },
  'accessToken.list': { access: 'member', input: ws },
  'accessToken.revoke': { access: 'member', input: (t) => ({ ...ws(t), tokenId: t.tokenId }) },
  'export.create': { access: 'admin', input: (t) => ({ ...ws(t), kind: 'audit', format: 'csv' }) },
  'export.list': { access: 'admin', input: ws },
  'export.get': { access: 'admin', input: (t) => ({ ...ws(t), exportId: t.exportId }) },
  'export.cancel': { access: 'admin', input: (t) => ({ ...ws(t), exportId: t.exportId }) },
  'export.retry': { access: 'admin', input: (t) => ({ ...ws(t), exportId: t.exportId }) },
  'export.events': { access: 'admin', input: ws },
  'export.schedule': { access: 'admin', input: (t) => ({ ...ws(t), kind: 'audit', format: 'csv', cron: '0 3 1 1 *', timezone: 'Europe/Berlin', webhookUrl: 'https://hooks.example.com/tandem' }) },
  'export.schedules': { access: 'admin', input: ws },
  'export.pauseSchedule': { access: 'admin', input: (t) => ({ ...ws(t), scheduleId: t.scheduleId }) },
  'export.resumeSchedule': { access: 'admin', input: (t) => ({ ...ws(t), scheduleId: t.scheduleId }) },
  'export.unschedule': { access: 'admin', input: (t) => ({ ...ws(t), scheduleId: t.scheduleId }) },
  'jobs.list': { access: 'admin', input: ws },
  'jobs.retry': { access: 'admin', input: (t) => ({ ...ws(t), kind: 'export', exportId: t.exportId }) },
  'jobs.remove': { access: 'admin', input: (t) => ({ ...ws(t), kind: 'schedule', scheduleId: t.scheduleId }) },
  'jobs.events': { access: 'admin', input: ws },
  // Not workspace-scoped: operators (OPERATOR_EMAILS) only; others get FORBIDDEN (jobs.server.test.ts).
  'jobs.queues': { access: 'user', input: () => undefined },
  // Its creator or an admin: the matrix's conversations are the admin's, so members are refused here;
  // a member deleting their own is in conversation-delete.server.test.ts.
  'conversation.delete': { access: 'admin', input: conv },
  'usage.assistant': { access: 'viewer', input: ws },
  'workspace.setBudget': { access: 'admin', input: (t) => ({ ...ws(t), monthlyBudgetUsd: 500 }) },
  'retention.report': { access: 'admin', input: ws },
  'retention.run': { access: 'admin', input: ws },
  'retention.set': { access: 'admin', input: (t) => ({ ...ws(t), conversationDays: 400 }) },
  'dashboard.save': { access: 'viewer', input: (t) => ({ ...ws(t), prefs: { agentIds: [t.agentId], panels: ['latency_ms'], rangeMs: 3_600_000 } }) },
};

type Kind = 'query' | 'mutation' | 'subscription';
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: Kind } }>)
  .map(([path, p]) => ({ path, kind: p._def.type }));
const scoped = (a: Access): a is Role => a !== 'public' && a !== 'user';
const ACCESS_ERRORS = ['UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'INTERNAL_SERVER_ERROR'];

/** Which Target fields an entry's input uses (found by building it from sentinels). */
function fieldsUsed(entry: Entry): (keyof Target)[] {
  const sentinel: Target = { workspaceId: '§w', userId: '§u', email: '§e', conversationId: '§c', runId: '§r', ruleId: '§l', keyId: '§k', agentId: '§a', invitationId: '§i', taskId: '§t', tokenId: '§o', exportId: '§x', scheduleId: '§s' };
  const json = JSON.stringify(entry.input(sentinel) ?? null);
  return (Object.keys(sentinel) as (keyof Target)[]).filter((k) => json.includes(sentinel[k]));
}

describe.each(modes)('access matrix (%s)', (mode) => {
  let app: TestApp;
  const users = {} as Record<'adminA' | 'memberA' | 'viewerA' | 'scratchA' | 'adminB' | 'memberB' | 'outsider', Awaited<ReturnType<TestApp['signUp']>>>;
  let A: Target;
  let B: Target;

  /** Calls a query or mutation by path over HTTP and resolves to its code ('OK' on success). */
  function call(token: string | undefined, path: string, kind: Kind, input: unknown): Promise<string> {
    const node = path.split('.').reduce<any>((o, k) => o[k], app.client(token));
    return codeOf(kind === 'query' ? node.query(input) : node.mutate(input));
  }

  /** Subscribes by path over a fresh WebSocket; resolves to 'OK' once started, or the error code. */
  async function subscribeCode(token: string | undefined, path: string, input: unknown): Promise<string> {
    const socket = app.wsClient(token);
    try {
      const node = path.split('.').reduce<any>((o, k) => o[k], socket.client);
      const probe = watchSubscription((o) => node.subscribe(input, o));
      await vi.waitFor(() => expect(probe.started || probe.error).toBeTruthy(), { timeout: 10_000, interval: 20 });
      probe.unsubscribe();
      return probe.error ? probe.error.code : 'OK';
    } finally {
      await socket.close();
    }
  }

  const invoke = (token: string | undefined, path: string, kind: Kind, input: unknown) =>
    kind === 'subscription' ? subscribeCode(token, path, input) : call(token, path, kind, input);

  async function send(token: string, conversationId: string): Promise<string> {
    const { runId } = await app.client(token).conversation.send.mutate({ conversationId, content: 'Top products?', clientMessageId: `s-${randomUUID()}` });
    // Let the worker finish, so no background writes race the row comparisons.
    await vi.waitFor(async () => {
      const [run] = await sqlRows<{ status: string }>(app, 'select status from runs where id = ?', [runId]);
      expect(['completed', 'failed', 'timeout', 'cancelled']).toContain(run?.status);
    }, { timeout: 30_000, interval: 100 });
    return runId;
  }

  const alertRule = async (token: string, workspaceId: string) =>
    (await app.client(token).alert.createRule.mutate({ workspaceId, metric: 'error_rate', op: '>', threshold: 0.5, windowMs: 60_000 })).id;

  const ingestKey = async (token: string, workspaceId: string) =>
    (await app.client(token).ingestKey.create.mutate({ workspaceId, label: 'Matrix key' })).id;

  const exportSchedule = async (token: string, workspaceId: string) =>
    (await app.client(token).export.schedule.mutate({ workspaceId, kind: 'audit', format: 'csv', cron: '0 3 1 1 *' })).id;

  const invitation = async (token: string, workspaceId: string) =>
    (await app.client(token).workspace.invite.mutate({ workspaceId, email: 'matrix-invitee@example.com', role: 'viewer' })).invitationId;

  /** A completed export (waited for, so no background write changes the rows compared). */
  async function completedExport(token: string, workspaceId: string): Promise<string> {
    const { exportId } = await app.client(token).export.create.mutate({ workspaceId, kind: 'audit', format: 'csv' });
    await vi.waitFor(async () => {
      const [row] = await sqlRows<{ status: string }>(app, 'select status from exports where id = ?', [exportId]);
      expect(row?.status).toBe('completed');
    }, { timeout: 90_000, interval: 100 });
    return exportId;
  }

  const agent = async (workspaceId: string) =>
    (await sqlRows<{ id: string }>(app, `insert into agents (id, workspace_id, name) values (gen_random_uuid(), ?, 'matrix-bot') returning id`, [workspaceId]))[0]!.id;

  /** Waits until the worker has nothing left to do for the workspace (no background writes). */
  async function settle(workspaceId: string) {
    await vi.waitFor(async () => {
      const busy = await sqlRows(app, `select 1 from runs where workspace_id = ? and status in ('queued', 'running')`, [workspaceId]);
      expect(busy).toEqual([]);
    }, { timeout: 30_000, interval: 100 });
  }

  /** Every row that belongs to a workspace, fingerprinted (generic: any table with workspace_id or conversation_id). */
  async function tenantRows(workspaceId: string, userIds: string[]) {
    const cols = await sqlRows<{ table_name: string; column_name: string }>(app,
      `select table_name, column_name from information_schema.columns
        where table_schema = 'public' and column_name in ('workspace_id', 'conversation_id') order by table_name, column_name`);
    const byTable = new Map<string, Set<string>>();
    for (const c of cols) byTable.set(c.table_name, (byTable.get(c.table_name) ?? new Set()).add(c.column_name));
    const out: Record<string, string> = {};
    for (const [table, set] of byTable) {
      const where = set.has('workspace_id') ? 'workspace_id = ?' : 'conversation_id in (select id from conversations where workspace_id = ?)';
      const [row] = await sqlRows<{ n: number; h: string }>(app,
        `select count(*)::int as n, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as h from "${table}" t where ${where}`, [workspaceId]);
      out[table] = `${row!.n}:${row!.h}`;
    }
    const people = await sqlRows(app, `select id, email, name, token_version from users where id in (${userIds.map(() => '?').join(', ')}) order by id`, userIds);
    out.users = JSON.stringify(people);
    return out;
  }

  const ownTask = async (token: string, workspaceId: string) =>
    (await app.client(token).task.create.mutate({ workspaceId, title: 'Matrix task' })).id;
  const ownToken = async (token: string, workspaceId: string) =>
    (await app.client(token).accessToken.create.mutate({ workspaceId, label: 'Matrix token' })).id;

  /** A target in workspace A whose objects may be changed by a successful call (made by `caller` where objects are per person). */
  async function freshTargetInA(needs: (keyof Target)[], caller = users.adminA.token): Promise<Target> {
    const t: Target = { ...A };
    if (needs.includes('taskId')) t.taskId = await ownTask(caller, A.workspaceId);
    if (needs.includes('tokenId')) t.tokenId = await ownToken(caller, A.workspaceId);
    if (needs.includes('userId')) {
      const u = await app.signUp('Scratch');
      await inviteMember(app, users.adminA.token, A.workspaceId, u, 'member');
      t.userId = u.userId;
    }
    if (needs.includes('email')) t.email = (await app.signUp('Invitee')).email;
    if (needs.includes('conversationId') || needs.includes('runId')) {
      t.conversationId = (await app.client(users.adminA.token).conversation.create.mutate({ workspaceId: A.workspaceId, title: 'Scratch' })).id;
      if (needs.includes('runId')) t.runId = await send(users.adminA.token, t.conversationId);
    }
    if (needs.includes('ruleId')) t.ruleId = await alertRule(users.adminA.token, A.workspaceId);
    if (needs.includes('keyId')) t.keyId = await ingestKey(users.adminA.token, A.workspaceId);
    if (needs.includes('invitationId')) t.invitationId = await invitation(users.adminA.token, A.workspaceId);
    if (needs.includes('exportId')) t.exportId = await completedExport(users.adminA.token, A.workspaceId);
    if (needs.includes('scheduleId')) t.scheduleId = await exportSchedule(users.adminA.token, A.workspaceId);
    return t;
  }

  beforeAll(async () => {
    app = await startTestApp(mode);
    for (const name of ['adminA', 'memberA', 'viewerA', 'scratchA', 'adminB', 'memberB', 'outsider'] as const) users[name] = await app.signUp(name);
    const a = users.adminA.workspaceId;
    const b = users.adminB.workspaceId;
    await inviteMember(app, users.adminA.token, a, users.memberA, 'member');
    await inviteMember(app, users.adminA.token, a, users.viewerA, 'viewer');
    await inviteMember(app, users.adminA.token, a, users.scratchA, 'member');
    await inviteMember(app, users.adminB.token, b, users.memberB, 'member');
    const convA = (await app.client(users.adminA.token).conversation.create.mutate({ workspaceId: a, title: 'A talk' })).id;
    const convB = (await app.client(users.adminB.token).conversation.create.mutate({ workspaceId: b, title: 'B talk' })).id;
    A = { workspaceId: a, userId: users.scratchA.userId, email: users.outsider.email, conversationId: convA, runId: await send(users.adminA.token, convA), ruleId: await alertRule(users.adminA.token, a), keyId: await ingestKey(users.adminA.token, a), agentId: await agent(a), invitationId: await invitation(users.adminA.token, a), exportId: await completedExport(users.adminA.token, a), scheduleId: await exportSchedule(users.adminA.token, a), taskId: await ownTask(users.adminA.token, a), tokenId: await ownToken(users.adminA.token, a) };
    B = { workspaceId: b, userId: users.memberB.userId, email: users.outsider.email, conversationId: convB, runId: await send(users.adminB.token, convB), ruleId: await alertRule(users.adminB.token, b), keyId: await ingestKey(users.adminB.token, b), agentId: await agent(b), invitationId: await invitation(users.adminB.token, b), exportId: await completedExport(users.adminB.token, b), scheduleId: await exportSchedule(users.adminB.token, b), taskId: await ownTask(users.adminB.token, b), tokenId: await ownToken(users.adminB.token, b) };
  });
  afterAll(() => app?.close());

  const rolesOfA = [['admin', 'adminA'], ['member', 'memberA'], ['viewer', 'viewerA']] as const;

  it('every procedure of the router is classified (and nothing stale is)', () => {
    const unclassified = procedures.filter((p) => !ACCESS[p.path]).map((p) => p.path);
    expect(unclassified, 'add these procedures to ACCESS in access-matrix.server.test.ts').toEqual([]);
    const stale = Object.keys(ACCESS).filter((path) => !procedures.some((p) => p.path === path));
    expect(stale, 'these ACCESS entries name no procedure').toEqual([]);
    // Only the sign-in procedures are public.
    expect(procedures.filter((p) => ACCESS[p.path]?.access === 'public').map((p) => p.path).sort()).toEqual(['auth.login', 'auth.register']);
  });

  describe.each(procedures)('$path ($kind)', ({ path, kind }) => {
    const entry = () => {
      const e = ACCESS[path];
      if (!e) throw new Error(`${path} is not classified in ACCESS`);
      return e;
    };

    it('refuses unauthenticated callers (unless public)', async () => {
      const e = entry();
      if (e.access === 'public') return;
      expect(await invoke(undefined, path, kind, e.input(A))).toBe('UNAUTHORIZED');
      expect(await invoke('not.a.token', path, kind, e.input(A))).toBe('UNAUTHORIZED');
    });

    it("every role of workspace A gets NOT_FOUND for workspace B's ids, and B's rows stay untouched", async () => {
      const e = entry();
      if (!scoped(e.access)) return;
      const ids = [users.adminB.userId, users.memberB.userId, users.outsider.userId];
      const before = await tenantRows(B.workspaceId, ids);
      const smuggling = !fieldsUsed(e).includes('workspaceId');
      for (const [role, who] of rolesOfA) {
        const token = users[who].token;
        expect(await invoke(token, path, kind, e.input(B)), `${role} of A`).toBe('NOT_FOUND');
        // The caller's own workspaceId beside B's object ids changes nothing: the object decides.
        if (smuggling)
          expect(await invoke(token, path, kind, { ...(e.input(B) as object), workspaceId: A.workspaceId }), `${role} of A, smuggled workspaceId`).toBe('NOT_FOUND');
      }
      expect(await tenantRows(B.workspaceId, ids)).toEqual(before);
    });

    it("an admin of A naming B's users inside A gets NOT_FOUND", async () => {
      const e = entry();
      if (!scoped(e.access) || !fieldsUsed(e).includes('userId')) return;
      const before = await tenantRows(B.workspaceId, [users.memberB.userId]);
      const beforeA = await workspaceSnapshot(app, A.workspaceId);
      for (const userId of [users.memberB.userId, users.adminB.userId, randomUUID()])
        expect(await invoke(users.adminA.token, path, kind, e.input({ ...A, userId }))).toBe('NOT_FOUND');
      expect(await tenantRows(B.workspaceId, [users.memberB.userId])).toEqual(before);
      expect(await workspaceSnapshot(app, A.workspaceId)).toEqual(beforeA);
    });

    it('lets each role of A in at or above the minimum role, and refuses the rest with FORBIDDEN and no change', async () => {
      const e = entry();
      if (!scoped(e.access)) return;
      const minRole = e.access;
      const allowed = rolesOfA.filter(([role]) => roleRank[role] >= roleRank[minRole]);
      const refused = rolesOfA.filter(([role]) => roleRank[role] < roleRank[minRole]);
      for (const [role, who] of refused) {
        const before = await tenantRows(A.workspaceId, [users.scratchA.userId]);
        expect(await invoke(users[who].token, path, kind, e.input(A)), `${role} calling ${path}`).toBe('FORBIDDEN');
        expect(await tenantRows(A.workspaceId, [users.scratchA.userId])).toEqual(before);
      }
      for (const [role, who] of allowed) {
        // Calls that may change things get objects of their own, so the shared fixture stays intact.
        const target = kind === 'mutation' ? await freshTargetInA(fieldsUsed(e), users[who].token) : A;
        const code = await invoke(users[who].token, path, kind, e.input(target));
        expect(ACCESS_ERRORS, `${role} calling ${path} got ${code}`).not.toContain(code);
      }
      await settle(A.workspaceId);
    });
  });

  it('every subscription is refused over HTTP (server-sent events), for every caller, with 405', async () => {
    // Subscriptions are served over the WebSocket only, where the per-connection caps apply.
    const subscriptions = procedures.filter((p) => p.kind === 'subscription');
    expect(subscriptions.length).toBeGreaterThan(0);
    for (const { path } of subscriptions)
      for (const token of [undefined, users.viewerA.token, users.adminA.token]) {
        const input = encodeURIComponent(JSON.stringify(ACCESS[path]!.input(A)));
        const res = await fetch(`${app.url}/trpc/${path}?input=${input}`, {
          headers: { accept: 'text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          signal: AbortSignal.timeout(5000),
        });
        expect(res.status, path).toBe(405);
        expect(((await res.json()) as { error: { data: { code: string } } }).error.data.code, path).toBe('METHOD_NOT_SUPPORTED');
      }
  });

  it('the workspace roles read as documented: viewers read, members cannot administer, admins can', async () => {
    // Spelled out for the procedures docs/api.md names, on top of the generated matrix above.
    const { memberA, viewerA, adminA } = users;
    for (const token of [viewerA.token, memberA.token]) {
      expect(await codeOf(app.client(token).workspace.members.query({ workspaceId: A.workspaceId }))).toBe('OK');
      expect(await codeOf(app.client(token).workspace.invite.mutate({ workspaceId: A.workspaceId, email: users.outsider.email, role: 'viewer' }))).toBe('FORBIDDEN');
      expect(await codeOf(app.client(token).workspace.invitations.query({ workspaceId: A.workspaceId }))).toBe('FORBIDDEN');
      expect(await codeOf(app.client(token).workspace.setRole.mutate({ workspaceId: A.workspaceId, userId: users.scratchA.userId, role: 'admin' }))).toBe('FORBIDDEN');
      expect(await codeOf(app.client(token).workspace.setRole.mutate({ workspaceId: A.workspaceId, userId: viewerA.userId === token ? memberA.userId : viewerA.userId, role: 'admin' }))).toBe('FORBIDDEN');
      expect(await codeOf(app.client(token).workspace.removeMember.mutate({ workspaceId: A.workspaceId, userId: users.scratchA.userId }))).toBe('FORBIDDEN');
      expect(await codeOf(app.client(token).audit.list.query({ workspaceId: A.workspaceId }))).toBe('FORBIDDEN');
    }
    // Nobody promotes themselves.
    expect(await codeOf(app.client(viewerA.token).workspace.setRole.mutate({ workspaceId: A.workspaceId, userId: viewerA.userId, role: 'admin' }))).toBe('FORBIDDEN');
    expect(await codeOf(app.client(memberA.token).workspace.setRole.mutate({ workspaceId: A.workspaceId, userId: memberA.userId, role: 'admin' }))).toBe('FORBIDDEN');
    const roles = Object.fromEntries((await app.client(adminA.token).workspace.members.query({ workspaceId: A.workspaceId })).map((m) => [m.userId, m.role]));
    expect(roles).toMatchObject({ [adminA.userId]: 'admin', [memberA.userId]: 'member', [viewerA.userId]: 'viewer', [users.scratchA.userId]: 'member' });
    expect(await codeOf(app.client(adminA.token).audit.list.query({ workspaceId: A.workspaceId }))).toBe('OK');
  });

  describe('mass assignment', () => {
    it('auth.register ignores smuggled role, workspaceId and userId', async () => {
      const beforeB = await workspaceSnapshot(app, B.workspaceId);
      const email = `smuggler-${randomUUID()}@example.com`;
      const { token, user } = await app.client().auth.register.mutate({
        email, password: 'correct horse', name: 'Smuggler',
        role: 'admin', workspaceId: B.workspaceId, userId: users.adminB.userId, id: users.adminB.userId, tokenVersion: -1,
      } as never);
      expect(user.id).not.toBe(users.adminB.userId);
      const me = await app.client(token).auth.me.query();
      expect(me.workspaces).toHaveLength(1);
      expect(me.workspaces[0]!.id).not.toBe(B.workspaceId);
      expect(await codeOf(app.client(token).workspace.members.query({ workspaceId: B.workspaceId }))).toBe('NOT_FOUND');
      expect(await workspaceSnapshot(app, B.workspaceId)).toEqual(beforeB);
      const [row] = await sqlRows<{ token_version: number }>(app, 'select token_version from users where id = ?', [user.id]);
      expect(row!.token_version).toBe(0);
      // adminB's own account is untouched.
      expect((await app.client(users.adminB.token).auth.me.query()).user.email).toBe(users.adminB.email);
    });

    it('workspace.create ignores smuggled role, workspaceId and userId', async () => {
      const beforeB = await workspaceSnapshot(app, B.workspaceId);
      const viewer = users.viewerA;
      const created = await app.client(viewer.token).workspace.create.mutate({
        name: 'Mine', role: 'viewer', workspaceId: B.workspaceId, userId: users.adminB.userId, id: B.workspaceId,
      } as never);
      expect(created.id).not.toBe(B.workspaceId);
      expect(created.role).toBe('admin');
      const members = await app.client(viewer.token).workspace.members.query({ workspaceId: created.id });
      expect(members.map((m) => [m.userId, m.role])).toEqual([[viewer.userId, 'admin']]);
      expect(await workspaceSnapshot(app, B.workspaceId)).toEqual(beforeB);
    });

    it('workspace.acceptInvite gives the invitation its role in its workspace, whatever else the input says', async () => {
      const beforeB = await workspaceSnapshot(app, B.workspaceId);
      const invitee = await app.signUp('Invitee');
      const { url } = await app.client(users.adminA.token).workspace.invite.mutate({ workspaceId: A.workspaceId, email: invitee.email, role: 'viewer' });
      const joined = await app.client(invitee.token).workspace.acceptInvite.mutate({
        token: invitationTokenOf(url), role: 'admin', workspaceId: B.workspaceId, userId: users.memberB.userId,
      } as never);
      expect(joined).toEqual(expect.objectContaining({ id: A.workspaceId, role: 'viewer' }));
      expect(await codeOf(app.client(invitee.token).workspace.members.query({ workspaceId: B.workspaceId }))).toBe('NOT_FOUND');
      expect(await codeOf(app.client(users.memberB.token).workspace.members.query({ workspaceId: A.workspaceId }))).toBe('NOT_FOUND');
      expect(await workspaceSnapshot(app, B.workspaceId)).toEqual(beforeB);
    });

    it('roles outside the enum are refused', async () => {
      const before = await workspaceSnapshot(app, A.workspaceId);
      expect(await codeOf(app.client(users.adminA.token).workspace.setRole.mutate({ workspaceId: A.workspaceId, userId: users.scratchA.userId, role: 'owner' as never }))).toBe('BAD_REQUEST');
      expect(await codeOf(app.client(users.adminA.token).workspace.invite.mutate({ workspaceId: A.workspaceId, email: users.outsider.email, role: 'superadmin' as never }))).toBe('BAD_REQUEST');
      expect(await workspaceSnapshot(app, A.workspaceId)).toEqual(before);
    });
  });
});
