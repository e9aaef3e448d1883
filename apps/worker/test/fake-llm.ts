// Test support shared by the fake OpenAI and Gemini servers: a scripted local LLM server and a sink
// that records what a provider streams and which tools it runs.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AssistantSink, ToolCallOutcome } from '../src/assistant/provider.ts';

export interface ScriptedToolCall {
  id?: string;
  name: string;
  args: Record<string, unknown>;
  /** The argument text exactly as streamed, in these fragments (default: JSON of `args` in three pieces). */
  argsText?: string[];
}

export interface ScriptedTurn {
  text?: string[];
  toolCalls?: ScriptedToolCall[];
  usage?: { prompt: number; completion: number };
  /** The provider's finish reason (default: the normal one for text or tool calls). */
  finish?: string;
  /**
   * `hang`: send the text, then keep the response open (abort and timeout tests);
   * `cut`: send the text, then end the response without finishing it (a dropped stream).
   */
  ending?: 'hang' | 'cut';
  /** Answer with this HTTP status and message instead of a stream. */
  error?: { status: number; message: string };
}

export interface RecordedRequest {
  method: string;
  /** Path and query. */
  url: string;
  headers: IncomingHttpHeaders;
   
  body: any;
  /** Whether the client went away before the response ended (aborted). */
  closedEarly: boolean;
}

/** Turns in order (the last one repeats), or a function of the request number. */
export type Script = ScriptedTurn[] | ((index: number, request: RecordedRequest) => ScriptedTurn);

export interface WireFormat {
  /** Does this request ask for a streamed answer at a path the provider uses? */
  accepts(method: string, url: string): boolean;
  /** The SSE `data:` payloads of one turn. */
  events(turn: ScriptedTurn, request: RecordedRequest): string[];
  /** The error body the provider's API sends with an HTTP error. */
  errorBody(status: number, message: string): unknown;
  /** Between SSE events (OpenAI sends LF LF, Google CRLF CRLF). */
  separator: string;
}

export interface FakeLlmServer {
  /** Origin, e.g. http://127.0.0.1:40123 */
  origin: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export function splitInThree(text: string): string[] {
  const a = Math.floor(text.length / 3);
  const b = Math.floor((2 * text.length) / 3);
  return [text.slice(0, a), text.slice(a, b), text.slice(b)].filter(Boolean);
}

/**
 * A local node:http server that records every request and answers each with the next scripted
 * turn as server-sent events (or an HTTP error).
 */
export async function startFakeLlm(wire: WireFormat, script: Script): Promise<FakeLlmServer> {
  const requests: RecordedRequest[] = [];
  const open = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (raw += d));
    req.on('end', () => {
      const recorded: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: raw ? JSON.parse(raw) : null, closedEarly: false };
      requests.push(recorded);
      if (!wire.accepts(recorded.method, recorded.url)) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify(wire.errorBody(404, `no route ${recorded.url}`)));
        return;
      }
      const index = requests.length - 1;
      const turn = typeof script === 'function' ? script(index, recorded) : script[Math.min(index, script.length - 1)]!;
      if (turn.error) {
        res.writeHead(turn.error.status, { 'content-type': 'application/json' }).end(JSON.stringify(wire.errorBody(turn.error.status, turn.error.message)));
        return;
      }
      open.add(res);
      res.on('close', () => {
        open.delete(res);
        if (!res.writableFinished) recorded.closedEarly = true;
      });
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      for (const data of wire.events(turn, recorded)) res.write(`data: ${data}${wire.separator}`);
      if (turn.ending !== 'hang') res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const close = async () => {
    for (const res of open) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { origin: `http://127.0.0.1:${port}`, requests, close, [Symbol.asyncDispose]: close };
}

/** A local port with nothing listening (for "server unreachable" tests). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface RecordingSink {
  sink: AssistantSink;
  chunks: string[];
  text(): string;
  calls: { name: string; args: unknown }[];
  controller: AbortController;
}

/** A sink whose tools answer from `results` (default: a small summary echoing the arguments). */
export function recordingSink(
  results: (name: string, args: unknown) => ToolCallOutcome = (name, args) => ({ ok: true, result: { summary: `${name} ran`, data: { args } } }),
  onText?: (chunk: string, controller: AbortController) => void,
): RecordingSink {
  const controller = new AbortController();
  const chunks: string[] = [];
  const calls: { name: string; args: unknown }[] = [];
  return {
    chunks,
    calls,
    controller,
    text: () => chunks.join(''),
    sink: {
      signal: controller.signal,
      text(chunk) {
        chunks.push(chunk);
        onText?.(chunk, controller);
      },
      async callTool(name, args) {
        calls.push({ name, args });
        return results(name, args);
      },
    },
  };
}
