// workspace.*: create, members, and the admin actions on memberships.
import {
  addMemberInput, createWorkspaceInput, removeMemberInput, setRoleInput, workspaceIdInput,
} from '@tandem/schema';
import { addMember, createWorkspace, listMembers, removeMember, setRole } from '@tandem/core';
import { authedProcedure, router, workspaceProcedure } from '../trpc.ts';
import { announceAuthChange, busMessages, guardSubscription } from '../subscriptions/auth-watch.ts';

const membersChannel = (workspaceId: string) => `workspace:${workspaceId}:members`;

export const workspaceRouter = router({
  create: authedProcedure.input(createWorkspaceInput).mutation(({ ctx, input }) =>
    createWorkspace(ctx.em, ctx.user.id, input.name)),

  members: workspaceProcedure('viewer').input(workspaceIdInput).query(({ ctx }) =>
    listMembers(ctx.em, ctx.workspace.id)),

  addMember: workspaceProcedure('admin').input(addMemberInput).mutation(async ({ ctx, input }) => {
    const member = await addMember(ctx.em, ctx.user.id, ctx.workspace.id, input.email, input.role);
    await ctx.rt.bus.publish(membersChannel(ctx.workspace.id), { type: 'member.added', userId: member.userId });
    return member;
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
    guardSubscription({ ctx, workspaceId: ctx.workspace.id, minRole: 'viewer' }, signal, (s) =>
      busMessages(ctx.rt.bus, membersChannel(ctx.workspace.id), s))),
});
