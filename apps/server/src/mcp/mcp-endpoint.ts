// POST /mcp: MCP Streamable HTTP, stateless (a server and transport per request), authenticated
// by a personal access token; the tools run as its user, in its workspace, with that user's role.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { AppError, resolveAccessToken } from '@tandem/core';
import type { ServerServices } from '../services.ts';
import { BodyError, readBody } from '../http/api/body.ts';
import { sendJson } from '../http/api/respond.ts';
import { createMcpServer } from './mcp-server.ts';

/** MCP requests are small JSON-RPC messages; a tool's arguments never need more. */
const MCP_MAX_BODY_BYTES = 256 * 1024;

const rpcError = (res: ServerResponse, status: number, code: number, message: string, headers: Record<string, string> = {}) =>
  sendJson(res, status, { jsonrpc: '2.0', error: { code, message }, id: null }, headers);

export async function handleMcp(services: ServerServices, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { rt } = services;
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const identity = bearer ? await resolveAccessToken(rt.orm.em.fork(), bearer) : null;
  if (!identity) {
    rpcError(res, 401, -32001, bearer ? 'Invalid or revoked access token' : 'Send a personal access token: Authorization: Bearer tdp_…',
      { 'www-authenticate': 'Bearer realm="tandem-mcp"' });
    return;
  }
  services.requestUsers.set(req, identity.userId);
  // Stateless: no session to resume and no server-initiated stream to open.
  if (req.method !== 'POST') {
    rpcError(res, 405, -32000, 'Method not allowed: this MCP endpoint is stateless, send POST', { allow: 'POST' });
    return;
  }
  let body: unknown;
  try {
    body = JSON.parse((await readBody(req, MCP_MAX_BODY_BYTES)).toString('utf8'));
  } catch (err) {
    if (err instanceof BodyError) rpcError(res, err.status, -32600, err.message, err.drained ? {} : { connection: 'close' });
    else rpcError(res, 400, -32700, 'Parse error: the body is not JSON');
    return;
  }
  const log = rt.log.child({ mcpToken: identity.tokenId });
  const server = createMcpServer((signal) => ({
    em: rt.orm.em.fork(), workspaceId: identity.workspaceId, userId: identity.userId, signal, log, bus: rt.bus,
  }));
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  res.once('close', () => {
    void transport.close();
    void server.close();
  });
  await server.connect(transport);
  // Tool calls count against the user's slots like their tRPC calls (work-slots.ts).
  const gone = new AbortController();
  res.once('close', () => gone.abort());
  try {
    await services.calls.run(`user:${identity.userId}`, () => transport.handleRequest(req, res, body), gone.signal);
  } catch (err) {
    if (!(err instanceof AppError) || res.headersSent) throw err;
    const retryAfterMs = err.details.retryAfterMs ?? 1000;
    rpcError(res, err.httpStatus, -32000, err.message, { 'retry-after': String(Math.ceil(retryAfterMs / 1000)) });
  }
}
