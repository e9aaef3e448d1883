// Issue 11 item 9: a failed tool's error reaches the model and every member of the conversation
// (tool.finished), so it must not carry what a database error does (SQL, values).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableModes, createTestRuntime, insertTestWorkspace, type TestRuntime } from '@tandem/core/testing';
import { runTool, type ToolContext } from '../src/index.ts';

const [mode] = await availableModes();

describe('security: a failed tool says nothing of its internals', () => {
  let rt: TestRuntime;
  let workspaceId: string;
  beforeAll(async () => {
    rt = await createTestRuntime(mode!);
    workspaceId = await insertTestWorkspace(rt.orm.em.fork(), 'Tools');
  });
  afterAll(() => rt?.close());

  it('security: tool errors — a database error reaches neither the model nor members; the log has it', async () => {
    const logged: { details: object; message: string }[] = [];
    // A value the database refuses and quotes back in its error message.
    const ctx: ToolContext = {
      em: rt.orm.em.fork(), workspaceId: "x' or secret_column = 'hunter2", userId: 'u', log: { error: (details, message) => logged.push({ details, message }) },
    };
    for (const tool of ['list_agents', 'get_inventory_status', 'query_agent_metrics']) {
      const run = await runTool(tool, {}, ctx);
      expect(run.ok, tool).toBe(false);
      const error = run.ok ? '' : run.error;
      expect(error).toBe(`${tool} failed because of an error on our side (it has been logged); try again, or answer without it.`);
      expect(error).not.toMatch(/hunter2|select|uuid|syntax/i);
    }
    expect(logged).toHaveLength(3);
    expect(JSON.stringify(logged.map((l) => String((l.details as { err: Error }).err)))).toContain('hunter2');
  });

  it('security: tool errors — a message written for the asker still tells the model what to fix', async () => {
    const ctx: ToolContext = { em: rt.orm.em.fork(), workspaceId, userId: 'u' };
    const run = await runTool('query_agent_metrics', { agent: 'nobody-bot' }, ctx);
    expect(run).toEqual({ ok: false, error: 'query_agent_metrics failed: no agent "nobody-bot" in this workspace; agents: none yet' });
  });
});
