// `npm run mcp`: MCP over stdio for clients that only launch commands. A thin bridge: every
// JSON-RPC message is passed as it is to a running server's /mcp (TANDEM_URL, TANDEM_TOKEN).
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { isJSONRPCRequest, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

const bridgeEnv = z.object({
  TANDEM_URL: z.url({ message: 'TANDEM_URL must be the URL of a running Tandem server, e.g. http://127.0.0.1:3000' }).default('http://127.0.0.1:3000'),
  TANDEM_TOKEN: z.string({ message: 'TANDEM_TOKEN is required: a personal access token (tdp_…) from the Access tokens page' })
    .regex(/^tdp_\S+$/, { message: 'TANDEM_TOKEN must be a personal access token (tdp_…)' }),
});

const parsed = bridgeEnv.safeParse(process.env);
if (!parsed.success) {
  process.stderr.write(`tandem mcp: ${parsed.error.issues.map((i) => i.message).join('; ')}\n`);
  process.exit(2);
}
const { TANDEM_URL, TANDEM_TOKEN } = parsed.data;

const remote = new StreamableHTTPClientTransport(new URL('/mcp', TANDEM_URL), {
  requestInit: { headers: { authorization: `Bearer ${TANDEM_TOKEN}` } },
});
const local = new StdioServerTransport();

/** A request the server never answered (unreachable, 401) still gets an answer, with the reason. */
function answerFailed(message: JSONRPCMessage, err: unknown): void {
  const reason = err instanceof Error ? err.message : String(err);
  process.stderr.write(`tandem mcp: ${reason}\n`);
  if (isJSONRPCRequest(message))
    void local.send({ jsonrpc: '2.0', id: message.id, error: { code: -32000, message: `Tandem server at ${TANDEM_URL}: ${reason}` } });
}

local.onmessage = (message) => void remote.send(message).catch((err: unknown) => answerFailed(message, err));
remote.onmessage = (message) => void local.send(message);
remote.onerror = (err) => process.stderr.write(`tandem mcp: ${err.message}\n`);
local.onclose = () => void remote.close().finally(() => process.exit(0));

await remote.start();
await local.start();
