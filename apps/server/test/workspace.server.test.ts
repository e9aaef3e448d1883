import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableModes } from '@tandem/core/testing';
import { codeOf, errorOf, invitationTokenOf, inviteMember, sqlRows, startTestApp, workspaceSnapshot, type TestApp } from './harness.ts';

const modes = await availableModes();

type Role = 'admin' | 'member' | 'viewer';
type SignedUp = Awaited<ReturnType<TestApp['signUp']>>;

describe.each(modes)('workspaces (%s)', (mode) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(mode);
  });
  afterAll(() => app?.close());

  /** A fresh workspace whose admin is a fresh user, plus fresh users with the given roles in it. */
  async function team(...roles: Role[]) {
    const admin = await app.signUp('Admin');
    const ws = await app.client(admin.token).workspace.create.mutate({ name: 'Team' });
    const others: SignedUp[] = [];
    for (const role of roles) {
      const u = await app.signUp(role);
      await inviteMember(app, admin.token, ws.id, u, role);
      others.push(u);
    }
    return { admin, workspaceId: ws.id, others };
  }

  const adminsOf = async (workspaceId: string) =>
    (await sqlRows<{ user_id: string }>(app, `select user_id from memberships where workspace_id = ? and role = 'admin'`, [workspaceId]))
      .map((r) => r.user_id);

  it('creates a workspace with the caller as its only admin and audits it', async () => {
    const u = await app.signUp('Creator');
    const ws = await app.client(u.token).workspace.create.mutate({ name: '  Research  ' });
    expect(ws).toEqual({ id: expect.any(String), name: 'Research', role: 'admin' });
    const me = await app.client(u.token).auth.me.query();
    expect(me.workspaces).toContainEqual({ id: ws.id, name: 'Research', role: 'admin' });
    const members = await app.client(u.token).workspace.members.query({ workspaceId: ws.id });
    expect(members).toEqual([expect.objectContaining({ userId: u.userId, email: u.email, role: 'admin' })]);
    const audit = await app.client(u.token).audit.list.query({ workspaceId: ws.id });
    expect(audit.items).toEqual([
      expect.objectContaining({ action: 'workspace.create', actor: { id: u.userId, name: 'Creator' }, targetId: ws.id, data: { name: 'Research' } }),
    ]);
    expect(audit.nextCursor).toBeNull();
  });

  it('refuses an empty workspace name with a field error', async () => {
    const u = await app.signUp('Blank');
    const err = await errorOf(app.client(u.token).workspace.create.mutate({ name: '   ' }));
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.fieldErrors?.name).toBeDefined();
  });

  it('adds members by invitation link, lists them with roles in join order, and refuses a member accepting again', async () => {
    const { admin, workspaceId } = await team();
    const bob = await app.signUp('Bob');
    const { url } = await app.client(admin.token).workspace.invite.mutate({ workspaceId, email: ` ${bob.email.toUpperCase()} `, role: 'member' });
    expect((await app.client(admin.token).workspace.invitations.query({ workspaceId })).map((i) => i.email)).toEqual([bob.email]);
    const joined = await app.client(bob.token).workspace.acceptInvite.mutate({ token: invitationTokenOf(url) });
    expect(joined).toEqual({ id: workspaceId, name: 'Team', role: 'member' });

    const members = await app.client(bob.token).workspace.members.query({ workspaceId });
    expect(members.map((m) => [m.userId, m.role])).toEqual([[admin.userId, 'admin'], [bob.userId, 'member']]);
    expect((await app.client(bob.token).auth.me.query()).workspaces).toContainEqual({ id: workspaceId, name: 'Team', role: 'member' });
    expect(await app.client(admin.token).workspace.invitations.query({ workspaceId })).toEqual([]);

    // A second link, opened by someone already in: refused, and the link stays unused.
    const second = await app.client(admin.token).workspace.invite.mutate({ workspaceId, email: bob.email, role: 'admin' });
    const before = await workspaceSnapshot(app, workspaceId);
    expect(await codeOf(app.client(bob.token).workspace.acceptInvite.mutate({ token: invitationTokenOf(second.url) }))).toBe('CONFLICT');
    expect(await codeOf(app.client(admin.token).workspace.acceptInvite.mutate({ token: invitationTokenOf(second.url) }))).toBe('CONFLICT');
    expect(await workspaceSnapshot(app, workspaceId)).toEqual(before);
    expect((await app.client(admin.token).workspace.invitations.query({ workspaceId })).map((i) => i.id)).toEqual([second.invitationId]);
  });

  it('changes roles and removes members; the removed user loses access', async () => {
    const { admin, workspaceId, others: [carol] } = await team('member');
    const changed = await app.client(admin.token).workspace.setRole.mutate({ workspaceId, userId: carol!.userId, role: 'viewer' });
    expect(changed).toEqual(expect.objectContaining({ userId: carol!.userId, role: 'viewer' }));
    expect((await app.client(carol!.token).workspace.members.query({ workspaceId })).find((m) => m.userId === carol!.userId)?.role).toBe('viewer');
    // A viewer cannot administer.
    expect(await codeOf(app.client(carol!.token).workspace.setRole.mutate({ workspaceId, userId: carol!.userId, role: 'admin' }))).toBe('FORBIDDEN');

    await app.client(admin.token).workspace.setRole.mutate({ workspaceId, userId: carol!.userId, role: 'admin' });
    expect(await adminsOf(workspaceId)).toHaveLength(2);
    expect(await codeOf(app.client(carol!.token).audit.list.query({ workspaceId }))).toBe('OK');

    await app.client(admin.token).workspace.removeMember.mutate({ workspaceId, userId: carol!.userId });
    expect(await codeOf(app.client(carol!.token).workspace.members.query({ workspaceId }))).toBe('NOT_FOUND');
    expect((await app.client(carol!.token).auth.me.query()).workspaces.map((w) => w.id)).not.toContain(workspaceId);
    expect((await app.client(admin.token).workspace.members.query({ workspaceId })).map((m) => m.userId)).toEqual([admin.userId]);

    // Acting on someone who is not (or no longer) a member is NOT_FOUND and changes nothing.
    const before = await workspaceSnapshot(app, workspaceId);
    expect(await codeOf(app.client(admin.token).workspace.removeMember.mutate({ workspaceId, userId: carol!.userId }))).toBe('NOT_FOUND');
    expect(await codeOf(app.client(admin.token).workspace.setRole.mutate({ workspaceId, userId: carol!.userId, role: 'member' }))).toBe('NOT_FOUND');
    expect(await workspaceSnapshot(app, workspaceId)).toEqual(before);
  });

  it('never lets the last admin be demoted or removed', async () => {
    const { admin, workspaceId, others: [member] } = await team('member');
    const before = await workspaceSnapshot(app, workspaceId);
    for (const role of ['member', 'viewer'] as const) {
      const err = await errorOf(app.client(admin.token).workspace.setRole.mutate({ workspaceId, userId: admin.userId, role }));
      expect(err.code).toBe('CONFLICT');
      expect(err.message).toMatch(/at least one admin/);
    }
    expect(await codeOf(app.client(admin.token).workspace.removeMember.mutate({ workspaceId, userId: admin.userId }))).toBe('CONFLICT');
    // Setting the sole admin to admin again is not a demotion.
    expect(await codeOf(app.client(admin.token).workspace.setRole.mutate({ workspaceId, userId: admin.userId, role: 'admin' }))).toBe('OK');
    expect(await adminsOf(workspaceId)).toEqual([admin.userId]);
    const after = await workspaceSnapshot(app, workspaceId);
    expect(after.members).toEqual(before.members);
    expect(after.auditRows).toBe(before.auditRows + 1); // only the no-op setRole was recorded

    // With a second admin, the first may step down; then the second is the last one.
    await app.client(admin.token).workspace.setRole.mutate({ workspaceId, userId: member!.userId, role: 'admin' });
    await app.client(admin.token).workspace.setRole.mutate({ workspaceId, userId: admin.userId, role: 'member' });
    expect(await adminsOf(workspaceId)).toEqual([member!.userId]);
    expect(await codeOf(app.client(admin.token).workspace.setRole.mutate({ workspaceId, userId: admin.userId, role: 'admin' }))).toBe('FORBIDDEN');
    expect(await codeOf(app.client(member!.token).workspace.removeMember.mutate({ workspaceId, userId: member!.userId }))).toBe('CONFLICT');
  });

  it('two admins demoting each other at the same time leave exactly one admin', async () => {
    for (let round = 0; round < 4; round++) {
      const { admin: a, workspaceId, others: [b] } = await team('admin');
      const codes = await Promise.all([
        codeOf(app.client(a.token).workspace.setRole.mutate({ workspaceId, userId: b!.userId, role: 'member' })),
        codeOf(app.client(b!.token).workspace.setRole.mutate({ workspaceId, userId: a.userId, role: 'viewer' })),
      ]);
      // The loser is refused as the last admin, or, demoted first, no longer allowed to act.
      expect(codes.filter((c) => c === 'OK')).toHaveLength(1);
      expect(codes.filter((c) => c !== 'OK')[0]).toMatch(/^(CONFLICT|FORBIDDEN)$/);
      expect(await adminsOf(workspaceId)).toHaveLength(1);
    }
  });

  it('two admins removing each other at the same time leave exactly one admin', async () => {
    for (let round = 0; round < 4; round++) {
      const { admin: a, workspaceId, others: [b] } = await team('admin');
      const codes = await Promise.all([
        codeOf(app.client(a.token).workspace.removeMember.mutate({ workspaceId, userId: b!.userId })),
        codeOf(app.client(b!.token).workspace.removeMember.mutate({ workspaceId, userId: a.userId })),
      ]);
      // The loser is either refused as the last admin or, having been removed first, no longer a member.
      expect(codes).toContain('OK');
      expect(codes.filter((c) => c === 'OK')).toHaveLength(1);
      expect(await adminsOf(workspaceId)).toHaveLength(1);
      const members = await sqlRows(app, 'select 1 from memberships where workspace_id = ?', [workspaceId]);
      expect(members).toHaveLength(1);
    }
  });

  it('records every admin action in the audit log, newest first, with cursor pagination', async () => {
    const { admin, workspaceId } = await team();
    const dave = await app.signUp('Dave');
    const erin = await app.signUp('Erin');
    await inviteMember(app, admin.token, workspaceId, dave, 'viewer');
    await inviteMember(app, admin.token, workspaceId, erin, 'member');
    const invitations = (await sqlRows<{ id: string }>(app, 'select id from invitations where workspace_id = ? order by created_at', [workspaceId])).map((r) => r.id);
    await app.client(admin.token).workspace.setRole.mutate({ workspaceId, userId: dave.userId, role: 'member' });
    await app.client(admin.token).workspace.removeMember.mutate({ workspaceId, userId: erin.userId });
    // A refused action leaves no trace.
    await codeOf(app.client(admin.token).workspace.removeMember.mutate({ workspaceId, userId: admin.userId }));

    const all = await app.client(admin.token).audit.list.query({ workspaceId });
    expect(all.nextCursor).toBeNull();
    expect(all.items.map((i) => [i.action, i.targetId])).toEqual([
      ['member.remove', erin.userId],
      ['member.setRole', dave.userId],
      ['member.join', erin.userId],
      ['member.invite', invitations[1]],
      ['member.join', dave.userId],
      ['member.invite', invitations[0]],
      ['workspace.create', workspaceId],
    ]);
    // Who joined is the actor of their join; the admin of everything else.
    expect(all.items.map((i) => i.actor?.id)).toEqual([admin.userId, admin.userId, erin.userId, admin.userId, dave.userId, admin.userId, admin.userId]);
    expect(all.items[1]!.data).toEqual({ from: 'viewer', to: 'member' });
    expect(all.items[0]!.data).toEqual({ email: erin.email, role: 'member' });
    const ids = all.items.map((i) => BigInt(i.id));
    expect([...ids].sort((x, y) => (x > y ? -1 : x < y ? 1 : 0))).toEqual(ids);
    const times = all.items.map((i) => Date.parse(i.createdAt));
    expect([...times].sort((x, y) => y - x)).toEqual(times);

    // Pages of 2 walk the same list: 2 + 2 + 2 + 1, the last page ends the walk.
    const pages: (typeof all)[] = [];
    let cursor: string | undefined;
    do {
      const page = await app.client(admin.token).audit.list.query({ workspaceId, limit: 2, cursor });
      pages.push(page);
      cursor = page.nextCursor ?? undefined;
    } while (cursor && pages.length < 10);
    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 2, 1]);
    expect(pages.at(-1)!.nextCursor).toBeNull();
    expect(pages.flatMap((p) => p.items)).toEqual(all.items);

    // An exact multiple of the page size does not end with an empty page.
    const seven = await app.client(admin.token).audit.list.query({ workspaceId, limit: 7 });
    expect(seven.items).toHaveLength(7);
    expect(seven.nextCursor).toBeNull();
    const six = await app.client(admin.token).audit.list.query({ workspaceId, limit: 6 });
    expect(six.nextCursor).not.toBeNull();
    const rest = await app.client(admin.token).audit.list.query({ workspaceId, limit: 6, cursor: six.nextCursor! });
    expect(rest.items.map((i) => i.action)).toEqual(['workspace.create']);
    expect(rest.nextCursor).toBeNull();

    // Another workspace's log is separate.
    const other = await app.client(dave.token).audit.list.query({ workspaceId: dave.workspaceId });
    expect(other.items.map((i) => i.action)).toEqual(['workspace.create']);
  });

  it('refuses invalid audit page sizes', async () => {
    const { admin, workspaceId } = await team();
    expect(await codeOf(app.client(admin.token).audit.list.query({ workspaceId, limit: 0 }))).toBe('BAD_REQUEST');
    expect(await codeOf(app.client(admin.token).audit.list.query({ workspaceId, limit: 201 }))).toBe('BAD_REQUEST');
  });

  it('the database itself refuses UPDATE and DELETE on audit_log', async () => {
    const { workspaceId } = await team('viewer');
    const before = await sqlRows<{ id: string; action: string }>(app, 'select id, action from audit_log where workspace_id = ? order by id', [workspaceId]);
    expect(before.map((r) => r.action)).toEqual(['workspace.create', 'member.invite', 'member.join']);
    const conn = app.rt.orm.em.getConnection();
    await expect(conn.execute(`update audit_log set action = 'tampered' where workspace_id = ?`, [workspaceId])).rejects.toThrow(/insert-only/);
    await expect(conn.execute('delete from audit_log where workspace_id = ?', [workspaceId])).rejects.toThrow(/insert-only/);
    await expect(conn.execute('delete from audit_log where id = ?', [before[0]!.id])).rejects.toThrow(/insert-only/);
    await expect(conn.execute('truncate audit_log')).rejects.toThrow(/insert-only/);
    expect(await sqlRows(app, 'select id, action from audit_log where workspace_id = ? order by id', [workspaceId])).toEqual(before);
  });
});
