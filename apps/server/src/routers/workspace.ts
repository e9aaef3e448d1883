// workspace.*: create, members, invitations, and the admin actions on memberships.
import {
  createWorkspaceInput, invitationTokenInput, inviteInput, removeMemberInput, revokeInviteInput, setBudgetInput, setRoleInput, workspaceIdInput,
} from '@tandem/schema';
import {
  acceptInvitation, createInvitation, createWorkspace, listInvitations, listMembers, previewInvitation, removeMember,
  revokeInvitation, setMonthlyBudget, setRole,
} from '@tandem/core';
import { authedProcedure, router, workspaceProcedure } from '../trpc.ts';
import type { Context } from '../context.ts';
import { announceAuthChange, guardSubscription } from '../subscriptions/auth-watch.ts';
import { busMessages } from '../subscriptions/direct-stream.ts';

const membersChannel = (workspaceId: string) => `workspace:${workspaceId}:members`;

/**
 * The invitation page's address: on the origin the admin's browser called from (the public one,
 * behind a proxy too), else a path the web client completes.
 */
function invitationUrl(ctx: Context, token: string): string {
  const origin = ctx.req.headers.origin;
  const base = origin && /^https?:\/\/[^/\s]+$/i.test(origin) ? origin : '';
  return `${base}/invite/${token}`;
}

export const workspaceRouter = router({
  create: authedProcedure.input(createWorkspaceInput).mutation(({ ctx, input }) =>
    createWorkspace(ctx.em, ctx.user.id, input.name)),

  /** The monthly assistant budget (usage.assistant shows it; conversation.send refuses past it). */
  setBudget: workspaceProcedure('admin').input(setBudgetInput).mutation(({ ctx, input }) =>
    setMonthlyBudget(ctx.em, ctx.workspace.id, ctx.user.id, input.monthlyBudgetUsd)),

  members: workspaceProcedure('viewer').input(workspaceIdInput).query(({ ctx }) =>
    listMembers(ctx.em, ctx.workspace.id)),

  /** A single-use link for whoever the admin hands it to; the email only labels it. */
  invite: workspaceProcedure('admin').input(inviteInput).mutation(async ({ ctx, input }) => {
    const { invitationId, token } = await createInvitation(ctx.em, ctx.rt.tokens,
      { workspaceId: ctx.workspace.id, actorId: ctx.user.id, email: input.email, role: input.role });
    return { invitationId, url: invitationUrl(ctx, token) };
  }),

  invitations: workspaceProcedure('admin').input(workspaceIdInput).query(async ({ ctx }) =>
    (await listInvitations(ctx.em, ctx.rt.tokens, ctx.workspace.id)).map(({ token, ...rest }) => ({ ...rest, url: invitationUrl(ctx, token) }))),

  revokeInvite: workspaceProcedure('admin').input(revokeInviteInput).mutation(async ({ ctx, input }) => {
    await revokeInvitation(ctx.em, { workspaceId: ctx.workspace.id, invitationId: input.invitationId, actorId: ctx.user.id });
    return { ok: true as const };
  }),

  /** What a link invites its holder to (workspace name, role), before accepting. */
  invitation: authedProcedure.input(invitationTokenInput).query(({ ctx, input }) =>
    previewInvitation(ctx.em, input.token, ctx.user.id)),

  acceptInvite: authedProcedure.input(invitationTokenInput).mutation(async ({ ctx, input }) => {
    const workspace = await acceptInvitation(ctx.em, input.token, ctx.user.id);
    await ctx.rt.bus.publish(membersChannel(workspace.id), { type: 'member.added', userId: ctx.user.id });
    return workspace;
  }),

  setRole: workspaceProcedure('admin').input(setRoleInput).mutation(async ({ ctx, input }) => {
    const member = await setRole(ctx.em, ctx.user.id, ctx.workspace.id, input.userId, input.role);
    await announceAuthChange(ctx.rt.bus, input.userId);
    await ctx.rt.bus.publish(membersChannel(ctx.workspace.id), { type: 'member.changed', userId: input.userId });
    return member;
  }),

  removeMember: workspaceProcedure('admin').input(removeMemberInput).mutation(async ({ ctx, input }) => {
    await removeMember(ctx.em, ctx.user.id, ctx.workspace.id, input.userId);
    await announceAuthChange(ctx.rt.bus, input.userId);
    await ctx.rt.bus.publish(membersChannel(ctx.workspace.id), { type: 'member.removed', userId: input.userId });
    return { ok: true as const };
  }),

  /** Live membership changes; ends at once if the caller loses access to the workspace. */
  events: workspaceProcedure('viewer').input(workspaceIdInput).subscription(({ ctx, signal }) =>
    guardSubscription(ctx, 'viewer', signal, (s, scope) =>
      busMessages(scope.rt.bus, membersChannel(scope.workspaceId), s))),
});
