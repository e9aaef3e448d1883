// A local server speaking OpenAI's streamed chat completions: `POST /v1/chat/completions` with
// `stream: true` answers `data: {chat.completion.chunk}` events ending with `data: [DONE]`.
import { splitInThree, startFakeLlm, type FakeLlmServer, type Script, type ScriptedTurn, type WireFormat } from './fake-llm.ts';

const DEFAULT_USAGE = { prompt: 10, completion: 5 };

// Tool-call arguments arrive in fragments; parallel calls interleave their fragments by index.
const openAiWire: WireFormat = {
  separator: '\n\n',
  accepts: (method, url) => method === 'POST' && url === '/v1/chat/completions',
  errorBody: (status, message) => ({
    error: { message, type: status === 401 ? 'invalid_request_error' : 'server_error', param: null, code: status === 401 ? 'invalid_api_key' : null },
  }),
  events(turn: ScriptedTurn, request) {
    const base = { id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: String(request.body?.model) };
    const chunk = (delta: object, finish: string | null = null) =>
      JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
    const out = [chunk({ role: 'assistant', content: '' })];
    for (const text of turn.text ?? []) out.push(chunk({ content: text }));
    const calls = turn.toolCalls ?? [];
    const fragments = calls.map((c) => c.argsText ?? splitInThree(JSON.stringify(c.args)));
    calls.forEach((c, index) =>
      out.push(chunk({ tool_calls: [{ index, id: c.id ?? `call_${index}_${Math.random().toString(36).slice(2, 8)}`, type: 'function', function: { name: c.name, arguments: '' } }] })));
    for (let step = 0; step < Math.max(0, ...fragments.map((f) => f.length)); step++)
      fragments.forEach((parts, index) => {
        if (parts[step] !== undefined) out.push(chunk({ tool_calls: [{ index, function: { arguments: parts[step] } }] }));
      });
    if (turn.ending) return out;
    out.push(chunk({}, turn.finish ?? (calls.length ? 'tool_calls' : 'stop')));
    if (request.body?.stream_options?.include_usage) {
      const u = turn.usage ?? DEFAULT_USAGE;
      out.push(JSON.stringify({ ...base, choices: [], usage: { prompt_tokens: u.prompt, completion_tokens: u.completion, total_tokens: u.prompt + u.completion } }));
    }
    out.push('[DONE]');
    return out;
  },
};

/** Starts the fake; point the SDK's `baseURL` at `url` (…/v1). */
export async function startFakeOpenAi(script: Script): Promise<FakeLlmServer & { url: string }> {
  const server = await startFakeLlm(openAiWire, script);
  return Object.assign(server, { url: `${server.origin}/v1` });
}
