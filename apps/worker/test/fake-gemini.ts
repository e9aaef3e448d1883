// A local server speaking the Gemini API's streamed generateContent:
// `POST /v1beta/models/{model}:streamGenerateContent?alt=sse`.
import { startFakeLlm, type FakeLlmServer, type Script, type ScriptedTurn, type WireFormat } from './fake-llm.ts';

const DEFAULT_USAGE = { prompt: 10, completion: 5 };
const ROUTE = /^\/v1beta\/models\/([^/:]+):streamGenerateContent\?alt=sse$/;

const statusNames: Record<number, string> = { 400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 429: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL', 503: 'UNAVAILABLE' };

// Answers `data: {GenerateContentResponse}` events (CRLF CRLF between them); function calls arrive
// whole as `functionCall` parts, the last chunk carries the finish reason and the usage.
const geminiWire: WireFormat = {
  separator: '\r\n\r\n',
  accepts: (method, url) => method === 'POST' && ROUTE.test(url),
  errorBody: (status, message) => ({ error: { code: status, message, status: statusNames[status] ?? 'UNKNOWN' } }),
  events(turn: ScriptedTurn, request) {
    const model = ROUTE.exec(request.url)?.[1] ?? 'unknown';
    const response = (parts: object[], last = false) => {
      const u = turn.usage ?? DEFAULT_USAGE;
      return JSON.stringify({
        candidates: [{ content: { role: 'model', parts }, index: 0, ...(last ? { finishReason: turn.finish ?? 'STOP' } : {}) }],
        ...(last ? { usageMetadata: { promptTokenCount: u.prompt, candidatesTokenCount: u.completion, totalTokenCount: u.prompt + u.completion } } : {}),
        modelVersion: model,
        responseId: 'fake-response',
      });
    };
    const texts = (turn.text ?? []).map((text) => ({ text }));
    if (turn.ending) return texts.map((part) => response([part]));
    const calls = (turn.toolCalls ?? []).map((c) => {
      // A call's arguments as the model wrote them: `argsText` (possibly broken JSON) wins.
      const args = c.argsText ? (JSON.parse(c.argsText.join('')) as object) : c.args;
      return { functionCall: { ...(c.id ? { id: c.id } : {}), name: c.name, args } };
    });
    // The last chunk carries the finish reason: the calls, or else the last piece of text.
    const last = calls.length ? calls : texts.slice(-1);
    const before = calls.length ? texts : texts.slice(0, -1);
    return [...before.map((part) => response([part])), response(last, true)];
  },
};

/** Starts the fake; point the SDK's `httpOptions.baseUrl` at `url`. */
export async function startFakeGemini(script: Script): Promise<FakeLlmServer & { url: string }> {
  const server = await startFakeLlm(geminiWire, script);
  return Object.assign(server, { url: server.origin });
}
