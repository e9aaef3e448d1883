// What an MCP client needs to reach Tandem with a new token: the Streamable HTTP address, and
// the same through the stdio bridge for clients that only launch commands.
export function mcpHttpConfig(token: string, origin = location.origin): string {
  return JSON.stringify({ mcpServers: { tandem: { type: 'http', url: `${origin}/mcp`, headers: { Authorization: `Bearer ${token}` } } } }, null, 2);
}

export function mcpStdioConfig(token: string, origin = location.origin): string {
  return JSON.stringify({
    mcpServers: { tandem: { command: 'npm', args: ['run', '-s', 'mcp', '--prefix', '/path/to/tandem'], env: { TANDEM_URL: origin, TANDEM_TOKEN: token } } },
  }, null, 2);
}
