// task.*: the caller's own todo tasks (members; viewers cannot have tasks). Another member's or
// another workspace's task is NOT_FOUND. task.events pushes the caller's changes live.
import { createTaskInput, listTasksInput, taskIdInput, toggleTaskInput, updateTaskInput, workspaceIdInput } from '@tandem/schema';
import { createTask, deleteTask, listTasks, toggleTask, updateTask } from '@tandem/core';
import { router, workspaceProcedure } from '../trpc.ts';
import { guardSubscription } from '../subscriptions/auth-watch.ts';
import { taskEvents } from '../subscriptions/task-events.ts';

const member = workspaceProcedure('member');

export const taskRouter = router({
  list: member.input(listTasksInput).query(({ ctx, input }) =>
    listTasks(ctx.em, { workspaceId: ctx.workspace.id, ownerId: ctx.user.id }, input.filter)),

  create: member.input(createTaskInput).mutation(({ ctx, input }) =>
    createTask({ em: ctx.em, bus: ctx.rt.bus }, { workspaceId: ctx.workspace.id, ownerId: ctx.user.id }, input)),

  update: member.input(updateTaskInput).mutation(({ ctx, input }) =>
    updateTask({ em: ctx.em, bus: ctx.rt.bus }, { workspaceId: ctx.workspace.id, ownerId: ctx.user.id }, input.taskId, input)),

  toggle: member.input(toggleTaskInput).mutation(({ ctx, input }) =>
    toggleTask({ em: ctx.em, bus: ctx.rt.bus }, { workspaceId: ctx.workspace.id, ownerId: ctx.user.id }, input.taskId, input.completed)),

  delete: member.input(taskIdInput).mutation(({ ctx, input }) =>
    deleteTask({ em: ctx.em, bus: ctx.rt.bus }, { workspaceId: ctx.workspace.id, ownerId: ctx.user.id }, input.taskId)),

  /** Changes to the caller's tasks, whoever made them (the page, the assistant, MCP). */
  events: member.input(workspaceIdInput).subscription(({ ctx, signal }) =>
    guardSubscription(ctx, 'member', signal, (s, scope) =>
      taskEvents(scope.rt, { workspaceId: scope.workspaceId, ownerId: scope.user.id }, s))),
});
