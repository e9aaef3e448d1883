// What every assistant provider implements: the offline planner today, OpenAI and Gemini next.
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

export interface AssistantProvider {
  name: string;
  /** Shown in the UI, so people know the answer came from no LLM. */
  offline: boolean;
  answer(input: ProviderInput, sink: AssistantSink): Promise<ProviderUsage>;
}
