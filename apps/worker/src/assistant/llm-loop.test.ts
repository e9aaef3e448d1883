// Prices by model name (dated snapshots cost as their model) and tool-output caps.
import { describe, expect, it } from 'vitest';
import { costOf } from '@tandem/core';
import { toolOutputText } from './llm-loop.ts';

describe('llm-loop', () => {
  it('prices known models and their snapshots; unknown models have no cost', () => {
    expect(costOf('gpt-4o-mini', 1_000_000, 1_000_000)).toBeCloseTo(0.75, 12);
    expect(costOf('gpt-4o-2024-08-06', 1_000_000, 0)).toBeCloseTo(2.5, 12);
    expect(costOf('models/gemini-2.0-flash-001', 0, 1_000_000)).toBeCloseTo(0.4, 12);
    expect(costOf('gpt-4o-audio-preview', 100, 100)).toBeNull();
    expect(costOf('llama3.1:8b', 100, 100)).toBeNull();
  });

  it('sends short results whole and cuts long ones with a note', () => {
    expect(toolOutputText({ ok: false, error: 'boom' })).toBe('{"error":"boom"}');
    const long = toolOutputText({ ok: true, result: { summary: 's', data: 'z'.repeat(100) } }, 50);
    expect(long).toBe(`${'{"summary":"s","data":"'}${'z'.repeat(27)}\n[truncated: 50 of 125 characters shown; ask for a narrower range or fewer rows]`);
  });
});
