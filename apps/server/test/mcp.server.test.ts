// /mcp and `npm run mcp` through the SDK's own Client: the tool registry is listed with the
// JSON Schemas of the zod parameters, tools run as the token's user in the token's workspace
// with that user's role now, and bad, revoked or orphaned tokens get 401.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { availableModes } from '@tandem/core/testing';
import { toolJsonSchemas } from '@tandem/tools';
import { inviteMember, sqlRows, startTestApp, type TestApp } from './harness.ts';

const modes = await availableModes();
const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

describe.each(modes)('MCP (%s)', (mode) => {
  let app: TestApp;
  const clients: Client[] = [];
  beforeAll(async () => {
    app = await startTestApp(mode, {}, { workers: false });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await app?.close();
  });

  async function connect(token: string): Promise<Client> {
    const client = new Client({ name: 'tandem-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', app.url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    clients.push(client);
    return client;
  }
  const call = (client: Client, name: string, args: Record<string, unknown> = {}) =>
    client.callTool({ name, arguments: args }) as Promise<CallToolResult>;
  const text = (r: CallToolResult) => r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
  const post = (token: string | undefined) => fetch(`${app.url}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
  });

  it('lists the tool registry with its JSON Schemas, and runs tools as the token’s user in its workspace', async () => {
    const admin = await app.signUp('McpAdmin');
    const { id, token } = await app.client(admin.token).accessToken.create.mutate({ workspaceId: admin.workspaceId, label: 'Claude Desktop' });
    expect(token).toMatch(/^tdp_[A-Za-z0-9_-]{43}$/);
    const client = await connect(token);

    const { tools } = await client.listTools();
    expect(tools.map((t) => ({ name: t.name, description: t.description, inputSchema: t.inputSchema })))
      .toEqual(toolJsonSchemas().map((t) => ({ name: t.name, description: t.description, inputSchema: t.parameters })));
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['get_sales_by_month', 'create_task', 'list_tasks', 'update_task', 'toggle_task_completion', 'delete_task']));

    const created = await call(client, 'create_task', { title: 'Written over MCP', due: '2026-12-24' });
    expect(created.isError).toBeFalsy();
    expect(text(created)).toContain('Added "Written over MCP", due 2026-12-24 to your tasks.');
    expect(await app.client(admin.token).task.list.query({ workspaceId: admin.workspaceId }))
      .toEqual([expect.objectContaining({ title: 'Written over MCP', dueAt: '2026-12-24T00:00:00.000Z' })]);
    expect(text(await call(client, 'list_tasks'))).toContain('You have 1 open task:\n- "Written over MCP", due 2026-12-24');
    const sales = await call(client, 'get_sales_by_month', {});
    expect(sales.isError).toBeFalsy();
    expect(sales.structuredContent).toMatchObject({ data: { rows: expect.any(Array), totals: expect.any(Object) } });

    // Bad arguments are the tool's error, not a broken connection.
    const bad = await call(client, 'create_task', { title: '' });
    expect(bad.isError).toBe(true);
    expect(text(bad)).toMatch(/^Invalid arguments for create_task: title: Title is required/);

    const [listed] = await app.client(admin.token).accessToken.list.query({ workspaceId: admin.workspaceId });
    expect(listed).toMatchObject({ id, label: 'Claude Desktop', prefix: token.slice(0, 12), revokedAt: null, lastUsedAt: expect.any(String) });
    expect(JSON.stringify(listed)).not.toContain(token.slice(12));
    const [stored] = await sqlRows<{ token_hash: string }>(app, 'select token_hash from access_tokens where id = ?', [id]);
    expect(stored!.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored!.token_hash).not.toContain(token.slice(4, 20));
  });

  it('answers 401 for no token, a malformed or unknown token, and a revoked one', async () => {
    const user = await app.signUp('McpRevoke');
    const { id, token } = await app.client(user.token).accessToken.create.mutate({ workspaceId: user.workspaceId, label: 'Script' });
    expect((await post(token)).status).toBe(200);
    for (const bad of [undefined, 'tdp_short', `tdp_${'A'.repeat(43)}`, user.token]) {
      const res = await post(bad);
      expect(res.status, String(bad)).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="tandem-mcp"');
    }
    const revoked = await app.client(user.token).accessToken.revoke.mutate({ workspaceId: user.workspaceId, tokenId: id });
    expect(revoked.revokedAt).not.toBeNull();
    expect((await post(token)).status).toBe(401);
    await expect(connect(token)).rejects.toThrow();
  });

  it('another workspace’s token acts there only; a member demoted to viewer cannot create tasks; a removed member’s token is 401', async () => {
    const admin = await app.signUp('McpOwner');
    const member = await app.signUp('McpMember');
    await inviteMember(app, admin.token, admin.workspaceId, member, 'member');
    await app.client(admin.token).task.create.mutate({ workspaceId: admin.workspaceId, title: 'Admin task in A' });
    // The member's token of their own workspace never sees workspace A's tasks.
    const own = await app.client(member.token).accessToken.create.mutate({ workspaceId: member.workspaceId, label: 'Home' });
    const home = await connect(own.token);
    await call(home, 'create_task', { title: 'In my own workspace' });
    expect(await app.client(member.token).task.list.query({ workspaceId: admin.workspaceId })).toEqual([]);
    expect((await call(home, 'delete_task', { task: 'Admin task in A' })).isError).toBe(true);

    const inA = await app.client(member.token).accessToken.create.mutate({ workspaceId: admin.workspaceId, label: 'Work' });
    const work = await connect(inA.token);
    expect((await call(work, 'create_task', { title: 'Member task in A' })).isError).toBeFalsy();
    await app.client(admin.token).workspace.setRole.mutate({ workspaceId: admin.workspaceId, userId: member.userId, role: 'viewer' });
    const refused = await call(work, 'create_task', { title: 'As a viewer' });
    expect(refused.isError).toBe(true);
    expect(text(refused)).toBe('create_task failed: Tasks need the member role; you are a viewer in this workspace');
    expect((await call(work, 'list_agents')).isError).toBeFalsy();
    const rows = await sqlRows<{ title: string }>(app, 'select title from tasks where owner_id = ? and workspace_id = ?', [member.userId, admin.workspaceId]);
    expect(rows.map((r) => r.title)).toEqual(['Member task in A']);

    await app.client(admin.token).workspace.removeMember.mutate({ workspaceId: admin.workspaceId, userId: member.userId });
    expect((await post(inA.token)).status).toBe(401);
    expect((await post(own.token)).status).toBe(200);
  });

  it('`npm run mcp` bridges stdio to /mcp: the SDK client lists the tools and creates a task', async () => {
    const user = await app.signUp('McpStdio');
    const { token } = await app.client(user.token).accessToken.create.mutate({ workspaceId: user.workspaceId, label: 'stdio' });
    const client = new Client({ name: 'tandem-stdio-test', version: '1.0.0' });
    const env = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => typeof e[1] === 'string'));
    await client.connect(new StdioClientTransport({
      command: 'npm', args: ['run', '-s', 'mcp'], cwd: REPO_ROOT, stderr: 'pipe',
      env: { ...env, TANDEM_URL: app.url, TANDEM_TOKEN: token },
    }));
    clients.push(client);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(toolJsonSchemas().map((t) => t.name));
    const created = await client.callTool({ name: 'create_task', arguments: { title: 'Through the bridge' } }) as CallToolResult;
    expect(created.isError).toBeFalsy();
    expect((await app.client(user.token).task.list.query({ workspaceId: user.workspaceId })).map((t) => t.title)).toEqual(['Through the bridge']);
   }, 60_000);

  it('the bridge answers with the server’s refusal when its token is bad', async () => {
    const client = new Client({ name: 'tandem-stdio-test', version: '1.0.0' });
    const env = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => typeof e[1] === 'string'));
    const transport = new StdioClientTransport({
      command: 'npm', args: ['run', '-s', 'mcp'], cwd: REPO_ROOT, stderr: 'pipe',
      env: { ...env, TANDEM_URL: app.url, TANDEM_TOKEN: `tdp_${'B'.repeat(43)}` },
    });
    await expect(client.connect(transport)).rejects.toThrow(/401|Invalid or revoked access token|Unauthorized/i);
    await transport.close();
  }, 60_000);
});
