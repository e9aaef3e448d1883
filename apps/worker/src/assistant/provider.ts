// What every assistant provider implements (offline planner, OpenAI, Gemini).
// A provider streams text and tool calls into a sink; the pipeline owns persistence and timing.
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

export interface ProviderInput {
  question: string;
  history: { role: 'user' | 'assistant'; content: string }[];
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
  answer(input: ProviderInput, sink: AssistantSink): Promise<ProviderUsage>;
}
