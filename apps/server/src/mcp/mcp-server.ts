// The MCP server of one caller: the assistant's tool registry (names, descriptions and the JSON
// Schemas toolJsonSchemas() makes from the zod parameters), each call run by runTool as that caller.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { runTool, toolJsonSchemas, type ToolContext } from '@tandem/tools';

export const MCP_SERVER_INFO = { name: 'tandem', version: '0.1.0' };

/** `context` is built per call: a fresh EntityManager each time, the caller fixed by the token. */
export function createMcpServer(context: (signal: AbortSignal) => ToolContext): Server {
  const server = new Server(MCP_SERVER_INFO, {
    capabilities: { tools: {} },
    instructions: 'Tandem: sales and inventory analytics, AI-agent metrics, and your own todo tasks, in the workspace of your access token.',
  });
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: toolJsonSchemas().map((t) => ({ name: t.name, description: t.description, inputSchema: t.parameters as { type: 'object' } })),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const run = await runTool(request.params.name, request.params.arguments ?? {}, context(extra.signal));
    if (!run.ok) return { isError: true, content: [{ type: 'text', text: run.error }] };
    const { summary, data, chart } = run.result;
    return {
      // The summary reads as an answer; the data beside it is for clients that parse.
      content: [{ type: 'text', text: summary }, { type: 'text', text: JSON.stringify(data) }],
      structuredContent: { summary, data, ...(chart ? { chart } : {}) },
    };
  });
  return server;
}
