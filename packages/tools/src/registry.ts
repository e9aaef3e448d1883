// Every assistant tool, looked up by name; runTool validates the model's arguments and never
// throws for bad input, so a provider can hand any tool call straight to it.
import { z } from 'zod';
import { AppError, NotRecorded, PublishAfterCommit, runOnce, type ToolCallKeys } from '@tandem/core';
import type { ToolContext, ToolDefinition } from './define-tool.ts';
import type { ToolResult } from './result.ts';
import { getSalesByMonth } from './get-sales-by-month.ts';
import { getInventoryStatus } from './get-inventory-status.ts';
import { getProductAnalytics } from './get-product-analytics.ts';
import { listAgentsTool } from './list-agents.ts';
import { queryAgentMetrics } from './query-agent-metrics.ts';
import { taskTools } from './task-tools.ts';

export const tools: readonly ToolDefinition[] = [getSalesByMonth, getInventoryStatus, getProductAnalytics, listAgentsTool, queryAgentMetrics, ...taskTools];

export const toolsByName: ReadonlyMap<string, ToolDefinition> = new Map(tools.map((t) => [t.name, t]));

export type ToolRun = { ok: true; result: ToolResult } | { ok: false; error: string };

/** "limit: Too big: expected number to be <=50; from: …" — every problem with its field path. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(arguments)'}: ${i.message}`).join('; ');
}

export async function runTool(name: string, rawArgs: unknown, ctx: ToolContext): Promise<ToolRun> {
  const tool = toolsByName.get(name);
  if (!tool) return { ok: false, error: `Unknown tool "${name}". Available tools: ${[...toolsByName.keys()].join(', ')}.` };
  let args = rawArgs ?? {};
  if (typeof args === 'string') {
    // Providers hand over arguments as JSON text; an empty string means no arguments.
    try {
      args = args.trim() ? JSON.parse(args) : {};
    } catch {
      return { ok: false, error: `Invalid arguments for ${name}: not valid JSON.` };
    }
  }
  const parsed = tool.parameters.safeParse(args);
  if (!parsed.success) return { ok: false, error: `Invalid arguments for ${name}: ${describeIssues(parsed.error)}` };
  try {
    return { ok: true, result: await tool.handler(parsed.data, ctx) };
  } catch (err) {
    if (ctx.signal?.aborted) return { ok: false, error: `${name} was cancelled.` };
    // A domain error's message is written for the asker. Anything else (a database error quotes
    // SQL and values) reaches the model and every member of the conversation: logged, not shown.
    if (err instanceof AppError) return { ok: false, error: `${name} failed: ${err.message}` };
    ctx.log?.error({ err, tool: name, workspaceId: ctx.workspaceId }, 'tool failed');
    return { ok: false, error: `${name} failed because of an error on our side (it has been logged); try again, or answer without it.` };
  }
}

/**
 * runTool inside an assistant run: a tool that changes things runs once per run and call, however
 * often the run is retried (docs/reliability.md §1). Its change and the ledger row commit together;
 * a failed call leaves neither, and its bus messages go out only after the commit.
 */
export async function runToolInRun(name: string, rawArgs: unknown, ctx: ToolContext, run: { runId: string; keys: ToolCallKeys }): Promise<ToolRun> {
  if (!toolsByName.get(name)?.changesData) return runTool(name, rawArgs, ctx);
  const bus = ctx.bus && new PublishAfterCommit(ctx.bus);
  const { outcome } = await runOnce(ctx.em, run.runId, run.keys.next(name, rawArgs), async (tx) => {
    const ran = await runTool(name, rawArgs, { ...ctx, em: tx, ...(bus ? { bus } : {}) });
    if (!ran.ok) throw new NotRecorded(ran);
    return ran;
  });
  if (outcome.ok) await bus?.release();
  else bus?.drop();
  return outcome;
}

export interface ToolJsonSchema {
  name: string;
  description: string;
  /** JSON Schema of the parameters as the model writes them (defaults make fields optional). */
  parameters: Record<string, unknown>;
}

export function toolJsonSchemas(): ToolJsonSchema[] {
  return tools.map((t) => {
    const { $schema: _drop, ...parameters } = z.toJSONSchema(t.parameters, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
    return { name: t.name, description: t.description, parameters };
  });
}
