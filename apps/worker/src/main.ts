// `npm run worker`: a worker-only process (services mode).
import { createRuntime } from '@tandem/core';
import { parseConfig, ConfigError } from '@tandem/schema';
import { startWorkers } from './worker.ts';

try {
  const config = parseConfig(process.env);
  const rt = await createRuntime(config);
  startWorkers(rt, { schedules: true });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    rt.log.info({ signal }, 'worker shutting down');
    await rt.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(2);
  }
  throw err;
}
