// The fanout benchmark's baseline: a bare `ws` server that sends each message of one bus channel to
// every connected client, serialised once. No database, no auth, no tRPC: the floor we compare with.
import { createServer } from 'node:http';
import { pino } from 'pino';
import { WebSocketServer } from 'ws';
import { RedisBus, type Bus } from '@tandem/core';

export const RAW_CHANNEL = 'bench:raw';

export async function startRawBroadcast(bus: Bus): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer();
  const wss = new WebSocketServer({ server });
  const unsubscribe = await bus.subscribe(RAW_CHANNEL, (msg) => {
    const data = JSON.stringify(msg);
    for (const client of wss.clients) client.send(data);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}`,
    async close() {
      unsubscribe();
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => server.close(() => resolve())));
    },
  };
}

// Runs in-process (embedded mode) or as its own process (services mode:
// `node --import tsx bench/fanout/raw-broadcast.ts`, prints its URL).
if (import.meta.filename === process.argv[1]) {
  const bus = new RedisBus(process.env.REDIS_URL!, process.env.BUS_PREFIX!, pino({ level: 'warn' }));
  await bus.ready(10_000);
  const { url } = await startRawBroadcast(bus);
  console.log(`raw broadcast listening on ${url}`);
  process.on('SIGTERM', () => process.exit(0));
}
