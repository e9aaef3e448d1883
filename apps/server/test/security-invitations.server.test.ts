// Issue 11 item 1: membership by invitation link only. An account that registered the invited
// email first gains nothing; links are single use, expire, can be revoked, and stay in their workspace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableModes } from '@tandem/core/testing';
import { codeOf, errorOf, invitationTokenOf, inviteMember, sqlRows, startTestApp, workspaceSnapshot, type TestApp } from './harness.ts';

const modes = await availableModes();

describe.each(modes)('security: invitations (%s)', (mode) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(mode, {}, { workers: false });
  });
  afterAll(() => app?.close());

  const invite = async (adminToken: string, workspaceId: string, email = 'alice@corp.example', role: 'admin' | 'member' | 'viewer' = 'member') =>
    app.client(adminToken).workspace.invite.mutate({ workspaceId, email, role });

  const auditActions = async (workspaceId: string) =>
    (await sqlRows<{ action: string; actor_id: string; target_id: string }>(app,
      `select action, actor_id, target_id from audit_log where workspace_id = ? and action like 'member.%' order by id`, [workspaceId]));

  it('security: invitation squatting', async () => {
    const admin = await app.signUp('Admin');
    // The attacker registers the address the admin is about to invite (emails are never verified).
    const squatter = await app.client().auth.register.mutate({ email: 'alice@corp.example', password: 'squatters pw', name: 'Not Alice' });
    const { invitationId, url } = await invite(admin.token, admin.workspaceId, 'alice@corp.example', 'admin');
    expect(url).toMatch(/\/invite\/tdi_[\w-]{43}$/);

    // The squatter sees nothing and is in nothing: not the workspace, not the invitation.
    const asSquatter = app.client(squatter.token);
    expect((await asSquatter.auth.me.query()).workspaces.map((w) => w.id)).not.toContain(admin.workspaceId);
    expect(await codeOf(asSquatter.workspace.members.query({ workspaceId: admin.workspaceId }))).toBe('NOT_FOUND');
    expect(await codeOf(asSquatter.workspace.invitations.query({ workspaceId: admin.workspaceId }))).toBe('NOT_FOUND');
    expect(await codeOf(asSquatter.workspace.revokeInvite.mutate({ workspaceId: admin.workspaceId, invitationId }))).toBe('NOT_FOUND');
    // Guessing a token of the right shape opens nothing.
    expect(await codeOf(asSquatter.workspace.acceptInvite.mutate({ token: `tdi_${'x'.repeat(43)}` }))).toBe('NOT_FOUND');
    expect(await codeOf(asSquatter.workspace.invitation.query({ token: `tdi_${'x'.repeat(43)}` }))).toBe('NOT_FOUND');

    // The real Alice registers with another address; the holder of the link is who joins.
    const alice = await app.signUp('Alice');
    const preview = await app.client(alice.token).workspace.invitation.query({ token: invitationTokenOf(url) });
    expect(preview).toEqual(expect.objectContaining({ workspaceId: admin.workspaceId, role: 'admin', invitedBy: 'Admin', alreadyMember: false }));
    const joined = await app.client(alice.token).workspace.acceptInvite.mutate({ token: invitationTokenOf(url) });
    expect(joined).toEqual(expect.objectContaining({ id: admin.workspaceId, role: 'admin' }));

    const members = await app.client(admin.token).workspace.members.query({ workspaceId: admin.workspaceId });
    expect(members.map((m) => m.userId).sort()).toEqual([admin.userId, alice.userId].sort());
    expect(await codeOf(asSquatter.workspace.members.query({ workspaceId: admin.workspaceId }))).toBe('NOT_FOUND');
    // The database keeps only the token's hash.
    const [row] = await sqlRows<{ token_hash: string }>(app, 'select token_hash from invitations where id = ?', [invitationId]);
    expect(row!.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(await sqlRows(app, 'select * from invitations'))).not.toContain(invitationTokenOf(url));

    // Invitation and acceptance are audited, the join by the one who joined.
    expect(await auditActions(admin.workspaceId)).toEqual([
      { action: 'member.invite', actor_id: admin.userId, target_id: invitationId },
      { action: 'member.join', actor_id: alice.userId, target_id: alice.userId },
    ]);
  });

  it('a link is single use: a second account cannot use it after the first', async () => {
    const admin = await app.signUp('Admin');
    const first = await app.signUp('First');
    const second = await app.signUp('Second');
    const { url } = await invite(admin.token, admin.workspaceId);
    const token = invitationTokenOf(url);
    await app.client(first.token).workspace.acceptInvite.mutate({ token });
    const before = await workspaceSnapshot(app, admin.workspaceId);
    const err = await errorOf(app.client(second.token).workspace.acceptInvite.mutate({ token }));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toMatch(/already been used/);
    expect(await codeOf(app.client(second.token).workspace.invitation.query({ token }))).toBe('NOT_FOUND');
    expect(await workspaceSnapshot(app, admin.workspaceId)).toEqual(before);
    // Accepting again by the one who used it answers the workspace and changes nothing.
    expect(await app.client(first.token).workspace.acceptInvite.mutate({ token })).toEqual(expect.objectContaining({ id: admin.workspaceId }));
    expect(await workspaceSnapshot(app, admin.workspaceId)).toEqual(before);
  });

  it('two accounts accepting one link at once: exactly one joins', async () => {
    const admin = await app.signUp('Admin');
    const racers = await Promise.all([app.signUp('R1'), app.signUp('R2'), app.signUp('R3')]);
    const token = invitationTokenOf((await invite(admin.token, admin.workspaceId)).url);
    const codes = await Promise.all(racers.map((r) => codeOf(app.client(r.token).workspace.acceptInvite.mutate({ token }))));
    expect(codes.filter((c) => c === 'OK')).toHaveLength(1);
    expect(codes.filter((c) => c !== 'OK')).toEqual(['NOT_FOUND', 'NOT_FOUND']);
    expect(await app.client(admin.token).workspace.members.query({ workspaceId: admin.workspaceId })).toHaveLength(2);
  });

  it('an expired link opens nothing and is no longer listed as pending', async () => {
    const admin = await app.signUp('Admin');
    const late = await app.signUp('Late');
    const { invitationId, url } = await invite(admin.token, admin.workspaceId);
    const [row] = await sqlRows<{ days: number }>(app,
      `select round(extract(epoch from expires_at - created_at) / 86400)::int as days from invitations where id = ?`, [invitationId]);
    expect(row!.days).toBe(7);
    // The clock moves on: the invitation's expiry is put in the past rather than waited for.
    await sqlRows(app, `update invitations set expires_at = now() - interval '1 second' where id = ?`, [invitationId]);
    const err = await errorOf(app.client(late.token).workspace.acceptInvite.mutate({ token: invitationTokenOf(url) }));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toMatch(/expired/);
    expect(await app.client(admin.token).workspace.invitations.query({ workspaceId: admin.workspaceId })).toEqual([]);
    expect((await app.client(late.token).auth.me.query()).workspaces.map((w) => w.id)).not.toContain(admin.workspaceId);
  });

  it('a revoked link opens nothing; revoking is audited and only for pending invitations', async () => {
    const admin = await app.signUp('Admin');
    const holder = await app.signUp('Holder');
    const { invitationId, url } = await invite(admin.token, admin.workspaceId, 'bob@corp.example', 'viewer');
    const listed = await app.client(admin.token).workspace.invitations.query({ workspaceId: admin.workspaceId });
    expect(listed).toEqual([expect.objectContaining({ id: invitationId, email: 'bob@corp.example', role: 'viewer', invitedBy: 'Admin', url })]);
    await app.client(admin.token).workspace.revokeInvite.mutate({ workspaceId: admin.workspaceId, invitationId });
    expect(await app.client(admin.token).workspace.invitations.query({ workspaceId: admin.workspaceId })).toEqual([]);
    const err = await errorOf(app.client(holder.token).workspace.acceptInvite.mutate({ token: invitationTokenOf(url) }));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toMatch(/revoked/);
    expect(await codeOf(app.client(admin.token).workspace.revokeInvite.mutate({ workspaceId: admin.workspaceId, invitationId }))).toBe('NOT_FOUND');
    expect((await auditActions(admin.workspaceId)).map((a) => a.action)).toEqual(['member.invite', 'member.revokeInvite']);
  });

  it("another workspace's invitation is NOT_FOUND, even to an admin naming their own workspace", async () => {
    const adminA = await app.signUp('AdminA');
    const adminB = await app.signUp('AdminB');
    const { invitationId } = await invite(adminB.token, adminB.workspaceId);
    const beforeB = await workspaceSnapshot(app, adminB.workspaceId);
    expect(await codeOf(app.client(adminA.token).workspace.revokeInvite.mutate({ workspaceId: adminA.workspaceId, invitationId }))).toBe('NOT_FOUND');
    expect(await codeOf(app.client(adminA.token).workspace.revokeInvite.mutate({ workspaceId: adminB.workspaceId, invitationId }))).toBe('NOT_FOUND');
    expect(await codeOf(app.client(adminA.token).workspace.invitations.query({ workspaceId: adminB.workspaceId }))).toBe('NOT_FOUND');
    expect(await codeOf(app.client(adminA.token).workspace.invite.mutate({ workspaceId: adminB.workspaceId, email: 'x@example.com', role: 'admin' }))).toBe('NOT_FOUND');
    expect(await app.client(adminB.token).workspace.invitations.query({ workspaceId: adminB.workspaceId })).toHaveLength(1);
    expect(await workspaceSnapshot(app, adminB.workspaceId)).toEqual(beforeB);
  });

  it('members and viewers can neither invite, list nor revoke (FORBIDDEN)', async () => {
    const admin = await app.signUp('Admin');
    const member = await app.signUp('Member');
    const viewer = await app.signUp('Viewer');
    await inviteMember(app, admin.token, admin.workspaceId, member, 'member');
    await inviteMember(app, admin.token, admin.workspaceId, viewer, 'viewer');
    const { invitationId } = await invite(admin.token, admin.workspaceId);
    const before = await workspaceSnapshot(app, admin.workspaceId);
    for (const who of [member, viewer]) {
      const api = app.client(who.token);
      expect(await codeOf(api.workspace.invite.mutate({ workspaceId: admin.workspaceId, email: 'x@example.com', role: 'admin' }))).toBe('FORBIDDEN');
      expect(await codeOf(api.workspace.invitations.query({ workspaceId: admin.workspaceId }))).toBe('FORBIDDEN');
      expect(await codeOf(api.workspace.revokeInvite.mutate({ workspaceId: admin.workspaceId, invitationId }))).toBe('FORBIDDEN');
    }
    expect(await workspaceSnapshot(app, admin.workspaceId)).toEqual(before);
    expect(await app.client(admin.token).workspace.invitations.query({ workspaceId: admin.workspaceId })).toHaveLength(1);
  });

  it('signed-out callers and malformed tokens are refused before any lookup', async () => {
    const admin = await app.signUp('Admin');
    const token = invitationTokenOf((await invite(admin.token, admin.workspaceId)).url);
    expect(await codeOf(app.client().workspace.acceptInvite.mutate({ token }))).toBe('UNAUTHORIZED');
    expect(await codeOf(app.client().workspace.invitation.query({ token }))).toBe('UNAUTHORIZED');
    for (const bad of ['', 'tdi_short', `tdm_${'a'.repeat(43)}`, `tdi_${'a'.repeat(42)} `])
      expect(await codeOf(app.client(admin.token).workspace.acceptInvite.mutate({ token: bad }))).toBe('BAD_REQUEST');
    // The link still works for its holder afterwards.
    const holder = await app.signUp('Holder');
    expect(await codeOf(app.client(holder.token).workspace.acceptInvite.mutate({ token }))).toBe('OK');
  });
});
