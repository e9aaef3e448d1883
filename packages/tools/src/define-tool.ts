// The shape of an assistant tool: name, description, zod parameters and a handler that runs
// inside the caller's workspace. The model supplies only the parameters, never the context.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Bus } from '@tandem/core';
import type { z } from 'zod';
import type { ToolResult } from './result.ts';

export interface ToolContext {
  em: EntityManager;
  workspaceId: string;
  userId: string;
  signal?: AbortSignal;
  /** The clock for default ranges ("last 12 months"); tests pin it. Defaults to the current time. */
  now?: Date;
  /** Where a tool's unexpected failure is told in full (the model and members get a generic message). */
  log?: { error(details: object, message: string): void };
  /** Where tools that change things announce it (task tools wake the owner's Tasks page). */
  bus?: Bus;
}

export interface ToolDefinition<S extends z.ZodObject = z.ZodObject> {
  name: string;
  description: string;
  parameters: S;
  /** It writes: a run retried after a crash must not do it twice (runToolInRun's ledger). */
  changesData?: true;
  handler(params: z.output<S>, ctx: ToolContext): Promise<ToolResult>;
}

export function defineTool<S extends z.ZodObject>(tool: ToolDefinition<S>): ToolDefinition<S> {
  return tool;
}
