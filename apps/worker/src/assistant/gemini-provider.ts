// The Gemini assistant: streamed generateContent with function declarations; functionCall parts
// are run through the sink and answered with functionResponse parts.
import { ApiError, FinishReason, GoogleGenAI, type Content, type FunctionDeclaration, type Part } from '@google/genai';
import { toolJsonSchemas } from '@tandem/tools';
import { ProviderError, type AssistantProvider } from './provider.ts';
import { LLM_LIMITS, UsageMeter, answerWithTools, describeUnreachable, httpFailure, systemPrompt, type DescribedError, type ModelSession, type ToolCallRequest } from './llm-loop.ts';
import { historyBudgetOf } from './context-budget.ts';
import { historyWithSummary, questionText, summaryInstructions, summaryRequestText } from './summary-prompt.ts';

export interface GeminiProviderOptions {
  apiKey: string;
  /** Default the official endpoint; the SDK appends `/v1beta/models/…`. */
  baseUrl?: string;
  model: string;
  maxRetries?: number;
  /** ASSISTANT_HISTORY_TOKENS: overrides the model's history budget (context-budget.ts). */
  historyTokens?: number;
}

export function createGeminiProvider(opts: GeminiProviderOptions): AssistantProvider {
  const ai = new GoogleGenAI({
    apiKey: opts.apiKey,
    httpOptions: {
      ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}),
      // Without retryOptions the SDK never retries; attempts count the first request.
      retryOptions: { attempts: 1 + (opts.maxRetries ?? LLM_LIMITS.sdkRetries), initialDelay: 0.5 },
    },
  });
  const functionDeclarations: FunctionDeclaration[] = toolJsonSchemas().map((t) => ({
    name: t.name, description: t.description, parametersJsonSchema: t.parameters,
  }));

  return {
    name: 'gemini',
    offline: false,
    historyTokens: historyBudgetOf(opts.model, opts.historyTokens),
    async summarise(request, signal) {
      const meter = new UsageMeter(opts.model);
      try {
        const stream = await ai.models.generateContentStream({
          model: opts.model,
          contents: [{ role: 'user', parts: [{ text: summaryRequestText(request) }] }],
          config: { systemInstruction: summaryInstructions(request.maxTokens), maxOutputTokens: request.maxTokens, abortSignal: signal },
        });
        let text = '';
        let finished = false;
        let usage: { prompt: number; completion: number } | undefined;
        for await (const chunk of stream) {
          const u = chunk.usageMetadata;
          if (u) usage = { prompt: u.promptTokenCount ?? 0, completion: (u.candidatesTokenCount ?? 0) + (u.thoughtsTokenCount ?? 0) };
          const candidate = chunk.candidates?.[0];
          for (const part of candidate?.content?.parts ?? []) if (part.text && !part.thought) text += part.text;
          if (candidate?.finishReason) finished = true;
        }
        if (usage) meter.add(usage.prompt, usage.completion);
        signal.throwIfAborted();
        if (!finished) throw new Error('Gemini ended the summary stream before it was complete');
        return { text, usage: meter.usage(), writtenBy: `gemini:${opts.model}` };
      } catch (err) {
        throw new ProviderError(describeGeminiError(err)?.message ?? (err as Error).message, meter.usage(), { cause: err });
      }
    },
    async answer(input, sink) {
      const meter = new UsageMeter(opts.model);
      const contents: Content[] = [
        ...historyWithSummary(input).map((m): Content => ({ role: m.role === 'assistant' ? 'model' : 'user', parts: [{ text: m.content }] })),
        { role: 'user', parts: [{ text: questionText(input) }] },
      ];
      /** Ids we made up for calls without one (Gemini 2.0); they are not sent back. */
      const madeUpIds = new Set<string>();
      const session: ModelSession = {
        async respond(text) {
          const stream = await ai.models.generateContentStream({
            model: opts.model,
            contents,
            config: {
              systemInstruction: systemPrompt(),
              tools: [{ functionDeclarations }],
              maxOutputTokens: LLM_LIMITS.maxOutputTokens,
              abortSignal: sink.signal,
            },
          });
          const parts: Part[] = [];
          const calls: ToolCallRequest[] = [];
          let finishReason: string | undefined;
          let blocked: string | undefined;
          let usage: { prompt: number; completion: number } | undefined;
          for await (const chunk of stream) {
            // Each chunk's usage is the running total of this request (the SDK sums resumed hops).
            if (chunk.usageMetadata) {
              const u = chunk.usageMetadata;
              usage = { prompt: (u.promptTokenCount ?? 0) + (u.toolUsePromptTokenCount ?? 0), completion: (u.candidatesTokenCount ?? 0) + (u.thoughtsTokenCount ?? 0) };
            }
            blocked ??= chunk.promptFeedback?.blockReason;
            const candidate = chunk.candidates?.[0];
            for (const part of candidate?.content?.parts ?? []) {
              // Parts go back to the model as they came (thought signatures included).
              parts.push(part);
              if (part.text && !part.thought) text(part.text);
              if (part.functionCall) {
                let id = part.functionCall.id;
                if (!id) madeUpIds.add((id = `call_${madeUpIds.size}`));
                calls.push({ id, name: part.functionCall.name ?? '', args: part.functionCall.args ?? {} });
              }
            }
            if (candidate?.finishReason) finishReason = candidate.finishReason;
          }
          if (usage) meter.add(usage.prompt, usage.completion);
          sink.signal.throwIfAborted();
          if (blocked) throw new Error(`Gemini refused the question (${blocked})`);
          if (!finishReason) throw new Error('Gemini ended the answer stream before it was complete');
          if (finishReason !== FinishReason.STOP && finishReason !== FinishReason.MAX_TOKENS && !calls.length && !parts.some((p) => p.text))
            throw new Error(`Gemini stopped without an answer (${finishReason})`);
          contents.push({ role: 'model', parts });
          return { calls, cutOff: finishReason === FinishReason.MAX_TOKENS };
        },
        addToolResults(replies) {
          contents.push({
            role: 'user',
            parts: replies.map((r) => ({
              functionResponse: {
                // Newer models match results to calls by id; Gemini 2.0 sends none, and gets none back.
                ...(madeUpIds.has(r.call.id) ? {} : { id: r.call.id }),
                name: r.call.name,
                response: r.ok ? { output: r.output } : { error: r.output },
              },
            })),
          });
        },
      };
      return answerWithTools(session, sink, meter, describeGeminiError);
    },
  };
}

function describeGeminiError(err: unknown): DescribedError | undefined {
  if (err instanceof ApiError) return httpFailure('Gemini', err.status, errorDetail(err.message));
  // Node's fetch reports an unreachable host as "fetch failed" with the socket error as its cause.
  if (err instanceof TypeError && err.message === 'fetch failed') return { message: describeUnreachable('Gemini', err) };
  return undefined;
}

/** The SDK's error message embeds the response body (`{"error": {"message": …}}`); keep its message. */
function errorDetail(message: string): string | undefined {
  const start = message.indexOf('{');
  if (start < 0) return message;
  try {
    const body = JSON.parse(message.slice(start)) as { error?: { message?: unknown } };
    return typeof body.error?.message === 'string' ? body.error.message : undefined;
  } catch {
    return message.slice(0, 200);
  }
}
