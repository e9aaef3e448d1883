// The OpenAI assistant (and any OpenAI-compatible server via OPENAI_BASE_URL): streamed chat
// completions with function tools; tool-call deltas are assembled by index, then run through the sink.
import OpenAI from 'openai';
import type { ChatCompletionFunctionTool, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { toolJsonSchemas } from '@tandem/tools';
import { ProviderError, type AssistantProvider } from './provider.ts';
import {
  LLM_LIMITS, UsageMeter, answerWithTools, describeUnreachable, httpFailure, parseToolArgs, systemPrompt,
  type DescribedError, type ModelSession, type ToolCallRequest,
} from './llm-loop.ts';
import { historyBudgetOf } from './context-budget.ts';
import { historyWithSummary, questionText, summaryInstructions, summaryRequestText } from './summary-prompt.ts';

export interface OpenAiProviderOptions {
  apiKey?: string;
  /** An OpenAI-compatible server (Azure, vLLM, Ollama, a test server); default the official API. */
  baseURL?: string;
  model: string;
  maxRetries?: number;
  /** ASSISTANT_HISTORY_TOKENS: overrides the model's history budget (context-budget.ts). */
  historyTokens?: number;
}

export function createOpenAiProvider(opts: OpenAiProviderOptions): AssistantProvider {
  // A local compatible server may need no key; the SDK refuses to start without one.
  const client = new OpenAI({ apiKey: opts.apiKey ?? 'unused', baseURL: opts.baseURL, maxRetries: opts.maxRetries ?? LLM_LIMITS.sdkRetries });
  const tools: ChatCompletionFunctionTool[] = toolJsonSchemas().map((t) => ({
    type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters },
  }));

  return {
    name: 'openai',
    offline: false,
    historyTokens: historyBudgetOf(opts.model, opts.historyTokens),
    async summarise(request, signal) {
      const meter = new UsageMeter(opts.model);
      try {
        const stream = await client.chat.completions.create(
          {
            model: opts.model, stream: true, stream_options: { include_usage: true }, max_completion_tokens: request.maxTokens,
            messages: [{ role: 'system', content: summaryInstructions(request.maxTokens) }, { role: 'user', content: summaryRequestText(request) }],
          },
          { signal },
        );
        let text = '';
        let finished = false;
        for await (const chunk of stream) {
          if (chunk.usage) meter.add(chunk.usage.prompt_tokens, chunk.usage.completion_tokens);
          text += chunk.choices[0]?.delta.content ?? '';
          if (chunk.choices[0]?.finish_reason) finished = true;
        }
        signal.throwIfAborted();
        if (!finished) throw new Error('OpenAI ended the summary stream before it was complete');
        return { text, usage: meter.usage(), writtenBy: `openai:${opts.model}` };
      } catch (err) {
        throw new ProviderError(describeOpenAiError(err)?.message ?? (err as Error).message, meter.usage(), { cause: err });
      }
    },
    async answer(input, sink) {
      const meter = new UsageMeter(opts.model);
      const messages: ChatCompletionMessageParam[] = [
        { role: 'system', content: systemPrompt() },
        ...historyWithSummary(input),
        { role: 'user', content: questionText(input) },
      ];
      const session: ModelSession = {
        async respond(text) {
          const stream = await client.chat.completions.create(
            {
              model: opts.model, messages, tools, stream: true, stream_options: { include_usage: true },
              max_completion_tokens: LLM_LIMITS.maxOutputTokens,
            },
            { signal: sink.signal },
          );
          let content = '';
          let finishReason: string | null = null;
          const parts: { id: string; name: string; args: string }[] = [];
          for await (const chunk of stream) {
            if (chunk.usage) meter.add(chunk.usage.prompt_tokens, chunk.usage.completion_tokens);
            const choice = chunk.choices[0];
            if (!choice) continue;
            if (choice.delta.content) {
              content += choice.delta.content;
              text(choice.delta.content);
            }
            for (const delta of choice.delta.tool_calls ?? []) {
              const part = (parts[delta.index] ??= { id: '', name: '', args: '' });
              if (delta.id) part.id = delta.id;
              if (delta.function?.name) part.name = delta.function.name;
              if (delta.function?.arguments) part.args += delta.function.arguments;
            }
            if (choice.finish_reason) finishReason = choice.finish_reason;
          }
          // The SDK ends the iteration quietly when aborted; a cut connection also ends it early.
          sink.signal.throwIfAborted();
          if (!finishReason) throw new Error('OpenAI ended the answer stream before it was complete');
          // Indexes may be sparse if a server skips one; ids are optional on some compatible servers.
          const assembled = parts.flatMap((p, i) => (p ? [{ ...p, id: p.id || `call_${i}` }] : []));
          messages.push({
            role: 'assistant',
            content: content || null,
            ...(assembled.length
              ? { tool_calls: assembled.map((p) => ({ id: p.id, type: 'function' as const, function: { name: p.name, arguments: p.args } })) }
              : {}),
          });
          const calls: ToolCallRequest[] = assembled.map((p) => ({ id: p.id, name: p.name, ...parseToolArgs(p.args) }));
          return { calls, cutOff: finishReason === 'length' };
        },
        addToolResults(replies) {
          for (const r of replies) messages.push({ role: 'tool', tool_call_id: r.call.id, content: r.output });
        },
      };
      return answerWithTools(session, sink, meter, describeOpenAiError);
    },
  };
}

function describeOpenAiError(err: unknown): DescribedError | undefined {
  if (err instanceof OpenAI.APIConnectionTimeoutError) return { message: 'OpenAI did not answer in time' };
  if (err instanceof OpenAI.APIConnectionError) return { message: describeUnreachable('OpenAI', err) };
  if (err instanceof OpenAI.APIError) {
    const detail = (err.error as { message?: unknown } | undefined)?.message;
    return httpFailure('OpenAI', err.status, typeof detail === 'string' ? detail : undefined);
  }
  if (err instanceof SyntaxError) return { message: 'OpenAI sent a response that is not valid JSON' };
  return undefined;
}
