// What every assistant provider implements (offline planner, OpenAI, Gemini).
// A provider streams text and tool calls into a sink; the pipeline owns persistence and timing.
import type { AttachedMetricRef } from '@tandem/core';
import type { ToolResult } from '@tandem/tools';

export interface ToolCallOutcome {
  ok: boolean;
  result?: ToolResult;
  error?: string;
}

export interface AssistantSink {
  /** Appends streamed answer text. */
  text(chunk: string): void;
  /** Runs a tool in the caller's workspace (the provider never picks workspace or user). */
  callTool(name: string, args: unknown): Promise<ToolCallOutcome>;
  /** Aborts on cancel, timeout or shutdown. */
  signal: AbortSignal;
}

export interface HistoryMessage {
  role: 'user' | 'assistant';
  content: string;
}

export interface ProviderInput {
  question: string;
  /** The agent, metric and range the question is about (a chart selection, an alert's window). */
  metricRef?: AttachedMetricRef | null;
  /** Earlier messages sent word for word, oldest first (after the summary, when there is one). */
  history: HistoryMessage[];
  /** The summary of the messages before `history` (conversation-summary.ts), and how many it covers. */
  summary?: { text: string; messages: number } | null;
}

/** Older messages to add to a conversation's summary (conversation-summary.ts). */
export interface SummaryRequest {
  /** The summary so far, if any. */
  previous: string | null;
  messages: HistoryMessage[];
  /** Tokens the new summary may take. */
  maxTokens: number;
}

export interface ProviderUsage {
  tokens?: number | null;
  costUsd?: number | null;
}

/**
 * Thrown by a provider that stops early (aborted, timed out, API error) with what the run spent
 * so far, so the run records its tokens and cost even though it has no answer.
 */
export class ProviderError extends Error {
  override name = 'ProviderError';
  /** True when asking again cannot help (a rejected key, an unknown model): the job is not retried. */
  readonly permanent: boolean;
  constructor(message: string, readonly usage: ProviderUsage, options?: ErrorOptions & { permanent?: boolean }) {
    super(message, options);
    this.permanent = options?.permanent ?? false;
  }
}

export interface AssistantProvider {
  name: string;
  /** Shown in the UI, so people know the answer came from no LLM. */
  offline: boolean;
  /** Tokens of earlier conversation (summary and messages) sent with a question (context-budget.ts). */
  historyTokens: number;
  answer(input: ProviderInput, sink: AssistantSink): Promise<ProviderUsage>;
  /**
   * Writes the summary of earlier messages with the model, without tools, as `writtenBy`. A provider
   * without it (offline) gets the extractive summary.
   */
  summarise?(request: SummaryRequest, signal: AbortSignal): Promise<{ text: string; usage: ProviderUsage; writtenBy: string }>;
}
