// The benches' HTTP load generator: node:http over keep-alive sockets (cheaper than fetch on two
// shared cores, and no pool surprises), plus a tRPC call on top of it for setup.
import { Agent, request } from 'node:http';

type Reply = { status: number; text: string };

export function keepAliveClient(baseUrl: string, maxSockets: number, encoding: BufferEncoding = 'utf8') {
  const agent = new Agent({ keepAlive: true, maxSockets });
  const send = (method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: Buffer | string): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const req = request(`${baseUrl}${path}`, { method, agent, headers }, (res) => {
        let text = '';
        res.setEncoding(encoding);
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.end(body);
    });
  /** POSTs `body` (JSON unless `headers` say otherwise); resolves with the status and the body as text in `encoding`. */
  const post = (path: string, body: Buffer | string, headers: Record<string, string>) =>
    send('POST', path, { 'content-type': 'application/json', ...headers }, body);
  const get = (path: string, headers: Record<string, string> = {}) => send('GET', path, headers);
  /** A tRPC mutation's data. */
  const rpc = async (path: string, input: unknown, token?: string) => {
    const res = await post(`/trpc/${path}`, JSON.stringify(input), token ? { authorization: `Bearer ${token}` } : {});
    return (JSON.parse(res.text) as { result: { data: any } }).result.data;
  };
  return { agent, post, get, rpc };
}
