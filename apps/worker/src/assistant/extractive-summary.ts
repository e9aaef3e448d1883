// The summary written without a model (the offline assistant, or when the model's summary request
// fails): what each member asked, and each answer's headline and figure lines, copied verbatim.
import { estimateTokens } from './context-budget.ts';
import type { HistoryMessage } from './provider.ts';

export const EXTRACTIVE = 'extractive';

const LIMITS = {
  /** Characters of a question, of an answer's headline, of a figure line. */
  questionChars: 300,
  lineChars: 400,
  /** Figure lines kept per answer. */
  figureLines: 12,
} as const;

const DROPPED_NOTE = '(Older points left out.)';
const hasFigure = (line: string) => /\d/.test(line);

function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** A markdown line as plain text: list marks, headings and emphasis off; the words and figures unchanged. */
function plainLine(line: string): string {
  return line.replace(/^\s*(?:[-*+]\s+|#{1,6}\s+|>\s*)/, '').replace(/\*\*|__/g, '').replace(/\s+/g, ' ').trim();
}

/** A table's header row (followed by its `|---|` line) names what the figures below it are. */
const isTableRule = (line: string | undefined) => line !== undefined && /^\s*\|[\s:|-]+\|\s*$/.test(line) && line.includes('-');

/** One line per message: the question, or the answer's headline and the lines with figures. */
export function extractMessage(message: HistoryMessage): string | null {
  const text = message.content.replace(/\r/g, '').trim();
  if (!text) return null;
  if (message.role === 'user') return `- Asked: ${clip(plainLine(text.replace(/\n+/g, ' ')), LIMITS.questionChars)}`;
  const lines = text.split('\n');
  const kept: string[] = [];
  const headline = lines.findIndex((l) => plainLine(l) && !isTableRule(l));
  if (headline >= 0) kept.push(clip(plainLine(lines[headline]!), LIMITS.lineChars));
  let figures = 0;
  for (let i = headline + 1; i < lines.length && figures < LIMITS.figureLines; i++) {
    const line = lines[i]!;
    if (isTableRule(line)) continue;
    if (hasFigure(line) || isTableRule(lines[i + 1])) {
      kept.push(clip(plainLine(line), LIMITS.lineChars));
      if (hasFigure(line)) figures++;
    }
  }
  return kept.length ? `- Answered: ${kept.join(' · ')}` : null;
}

/**
 * Keeps the summary within `maxTokens`: the oldest lines without figures go first, then the oldest
 * lines; a note says that some were left out.
 */
export function clipSummary(text: string, maxTokens: number): string {
  const all = text.split('\n').filter((l) => l.trim());
  const lines = all.filter((l) => l !== DROPPED_NOTE);
  const tokens = lines.map((l) => estimateTokens(l) + 1);
  let total = tokens.reduce((a, b) => a + b, 0);
  if (total <= maxTokens) return all.join('\n');
  const budget = maxTokens - estimateTokens(DROPPED_NOTE) - 1;
  const dropped = new Set<number>();
  for (const pass of [(l: string) => !hasFigure(l), () => true])
    for (let i = 0; i < lines.length && total > budget; i++) {
      if (dropped.has(i) || !pass(lines[i]!)) continue;
      dropped.add(i);
      total -= tokens[i]!;
    }
  return [DROPPED_NOTE, ...lines.filter((_, i) => !dropped.has(i))].join('\n');
}

/** The summary so far extended with the given messages, within `maxTokens`. */
export function extractiveSummary(previous: string | null, messages: readonly HistoryMessage[], maxTokens: number): string {
  const added = messages.map(extractMessage).filter((l): l is string => l !== null);
  return clipSummary([previous ?? '', ...added].join('\n'), maxTokens);
}
