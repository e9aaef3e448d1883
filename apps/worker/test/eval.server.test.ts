// `npm run eval` as a gate: the offline assistant answers the whole accuracy set at ≥ 95% through
// the real pipeline, and the scoring refuses a wrong tool, wrong arguments and missing figures.
import { describe, expect, it } from 'vitest';
import { createTestRuntime } from '@tandem/core/testing';
import { checkTurn, runEval } from '../src/eval/run-eval.ts';
import { EVAL_CASES } from '../src/eval/questions.ts';
import type { Truth } from '../src/eval/truth.ts';

describe('assistant accuracy set', () => {
  it('has at least 80 turns over every topic, each question once', () => {
    const turns = EVAL_CASES.flatMap((c) => c.turns);
    expect(turns.length).toBeGreaterThanOrEqual(80);
    expect(new Set(EVAL_CASES.map((c) => c.topic))).toEqual(new Set(['sales', 'inventory', 'products', 'agents', 'costs', 'tasks', 'follow-up', 'no tool']));
    expect(new Set(EVAL_CASES.map((c) => c.id)).size).toBe(EVAL_CASES.length);
  });

  it('scores a turn wrong for the wrong tool, a wrong argument or a missing figure', () => {
    const truth = { lastFullYear: 2025, agentNames: [] } as unknown as Truth;
    const fill = (s: string) => s;
    const expect1 = { tool: 'get_sales_by_month', args: { category: 'Toys' }, says: () => ['$1,234'] };
    expect(checkTurn(expect1, [{ name: 'get_sales_by_month', args: { category: 'toys' } }], 'Toys sold $1,234.', truth, fill)).toEqual([]);
    expect(checkTurn(expect1, [{ name: 'get_inventory_status', args: {} }], 'Toys sold $1,234.', truth, fill)[0]).toMatch(/wanted get_sales_by_month/);
    expect(checkTurn(expect1, [{ name: 'get_sales_by_month', args: { category: 'Office' } }], 'Toys sold $1,234.', truth, fill)[0]).toMatch(/argument category/);
    expect(checkTurn(expect1, [{ name: 'get_sales_by_month', args: { category: 'Toys' } }], 'Toys sold $1,235.', truth, fill)[0]).toMatch(/does not say/);
    expect(checkTurn({ tool: null }, [{ name: 'list_agents', args: {} }], 'hi', truth, fill)[0]).toMatch(/wanted no tool/);
  });

  it('the offline assistant reaches 95% on the whole set (embedded)', async () => {
    const rt = await createTestRuntime('embedded', { OFFLINE_WORD_DELAY_MS: '0' });
    try {
      const report = await runEval(rt);
      const failed = report.turns.filter((t) => !t.passed).map((t) => `${t.caseId}: ${t.question} — ${t.problems.join('; ')}`);
      expect(report.provider).toBe('offline');
      expect(report.total).toBe(EVAL_CASES.flatMap((c) => c.turns).length);
      expect(report.accuracy, failed.join('\n')).toBeGreaterThanOrEqual(0.95);
    } finally {
      await rt.close();
    }
  }, 600_000);
});
