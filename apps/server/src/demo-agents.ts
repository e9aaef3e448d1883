// DEMO=1: five simulated AI agents in the `npm start` process, posting to this server's own
// POST /api/v1/metrics with the collector SDK every second, so charts move on first start.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEMO_EMAIL, createAlertRule, createIngestKey, hashIngestKey, type Runtime } from '@tandem/core';
import { createCollector, type Collector, type SampleInput } from '@tandem/collector';

interface DemoAgent {
  name: string;
  model: string;
  /** Requests per second at the daily peak. */
  rps: number;
  latencyMs: number;
  tokensIn: number;
  tokensOut: number;
  errorRate: number;
  cpuPct: number;
  memoryMb: number;
  gpuPct?: number;
  /** Errors and latency up for DEGRADED_MS in every DEGRADE_CYCLE_MS. */
  degrades?: boolean;
}

export const DEMO_AGENTS: readonly DemoAgent[] = [
  { name: 'checkout-bot', model: 'gpt-4o-mini', rps: 2, latencyMs: 650, tokensIn: 900, tokensOut: 220, errorRate: 0.005, cpuPct: 35, memoryMb: 600 },
  { name: 'support-agent', model: 'gpt-4o', rps: 0.8, latencyMs: 1800, tokensIn: 2400, tokensOut: 450, errorRate: 0.01, cpuPct: 25, memoryMb: 900, degrades: true },
  { name: 'research-assistant', model: 'gemini-2.0-flash', rps: 0.4, latencyMs: 2600, tokensIn: 6000, tokensOut: 900, errorRate: 0.01, cpuPct: 20, memoryMb: 750 },
  { name: 'code-reviewer', model: 'llama-3.1-8b-instruct', rps: 0.3, latencyMs: 3200, tokensIn: 3000, tokensOut: 600, errorRate: 0.02, cpuPct: 55, memoryMb: 14_000, gpuPct: 70 },
  { name: 'doc-indexer', model: 'text-embedding-3-small', rps: 6, latencyMs: 120, tokensIn: 500, tokensOut: 0, errorRate: 0.001, cpuPct: 45, memoryMb: 400 },
];

/** USD per million tokens [input, output]; the self-hosted model costs nothing per token. */
const PRICES: Record<string, [number, number]> = {
  'gpt-4o-mini': [0.15, 0.6],
  'gpt-4o': [2.5, 10],
  'gemini-2.0-flash': [0.1, 0.4],
  'llama-3.1-8b-instruct': [0, 0],
  'text-embedding-3-small': [0.02, 0],
};

const MINUTE = 60_000;
export const DEGRADE_CYCLE_MS = 10 * MINUTE;
export const DEGRADED_MS = 2 * MINUTE;
const DEGRADED_FROM_MS = 7 * MINUTE;
const SPIKE_CHANCE = 0.004;
const BACKFILL_MS = 24 * 3600_000;
/** The demo's own alert rule: the degrading agent's p95 latency, which its normal noise stays well under. */
const DEMO_RULE = { name: 'support-agent p95 latency > 4 s', metric: 'latency_ms', agg: 'p95', op: '>', threshold: 4000, windowMs: 2 * MINUTE } as const;

export const isDegraded = (agent: DemoAgent, at: number) =>
  !!agent.degrades && at % DEGRADE_CYCLE_MS >= DEGRADED_FROM_MS && at % DEGRADE_CYCLE_MS < DEGRADED_FROM_MS + DEGRADED_MS;

/** 0.1 at 03:00 local time, 1 at 15:00: people use agents by day. */
const dailyLoad = (at: number) => {
  const d = new Date(at);
  const hour = d.getHours() + d.getMinutes() / 60;
  return 0.55 + 0.45 * Math.sin((2 * Math.PI * (hour - 9)) / 24);
};

function gauss(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Requests in a span: Poisson (Knuth) for small means, its normal approximation for large ones. */
function poisson(mean: number, random: () => number): number {
  if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * gauss(random)));
  let k = 0;
  for (let p = random(), limit = Math.exp(-mean); p > limit; p *= random()) k++;
  return k;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** One sample summarising `spanMs` of an agent's work ending at `at`. */
export function demoSample(agent: DemoAgent, at: number, spanMs: number, random: () => number = Math.random): SampleInput {
  const load = dailyLoad(at);
  const degraded = isDegraded(agent, at);
  const requests = poisson(agent.rps * load * (spanMs / 1000), random);
  const sample: SampleInput = {
    ts: at,
    requests,
    errors: Math.min(requests, poisson(requests * (degraded ? 0.25 : agent.errorRate), random)),
    cpu_pct: Math.round(clamp(agent.cpuPct * (0.5 + 0.6 * load) * (1 + 0.08 * gauss(random)) * (degraded ? 1.4 : 1), 0, 100) * 10) / 10,
    memory_mb: Math.round(agent.memoryMb * (1 + 0.03 * gauss(random))),
    labels: { model: agent.model },
  };
  if (agent.gpuPct !== undefined) sample.gpu_pct = Math.round(clamp(agent.gpuPct * (0.4 + 0.7 * load) * (1 + 0.1 * gauss(random)), 0, 100) * 10) / 10;
  if (requests > 0) {
    const spike = random() < SPIKE_CHANCE ? 4 : 1;
    sample.latency_ms = Math.round(Math.max(5, agent.latencyMs * (0.85 + 0.3 * load) * (1 + 0.15 * gauss(random)) * spike * (degraded ? 3 : 1)));
    sample.tokens_in = Math.max(0, Math.round(requests * agent.tokensIn * (1 + 0.2 * gauss(random))));
    sample.tokens_out = Math.max(0, Math.round(requests * agent.tokensOut * (1 + 0.2 * gauss(random))));
    const [pin, pout] = PRICES[agent.model] ?? [0, 0];
    sample.cost_usd = Math.round(((sample.tokens_in * pin + sample.tokens_out * pout) / 1e6) * 1e6) / 1e6;
  }
  return sample;
}

/**
 * The demo workspace's ingest key, made once and kept in DATA_DIR (mode 0600): keys are stored
 * hashed, so the file is the only copy. A key that is gone or revoked is replaced.
 */
export async function ensureDemoIngestKey(rt: Runtime, workspaceId: string): Promise<string> {
  const file = join(rt.config.DATA_DIR, 'demo-ingest-key');
  const em = rt.orm.em.fork();
  const saved = await readFile(file, 'utf8').then((s) => s.trim(), () => null);
  if (saved) {
    const [live] = await em.execute(`select 1 from ingest_keys where key_hash = ? and workspace_id = ? and revoked_at is null`, [hashIngestKey(saved), workspaceId]);
    if (live) return saved;
  }
  const { key } = await createIngestKey(em, { workspaceId, label: 'Demo agents', actorId: await demoAdminId(rt) });
  await mkdir(rt.config.DATA_DIR, { recursive: true }); // services mode may start with no data directory
  await writeFile(file, key, { mode: 0o600 });
  return key;
}

async function demoAdminId(rt: Runtime): Promise<string> {
  const [user] = await rt.orm.em.fork().execute<{ id: string }[]>(`select id from users where email = ?`, [DEMO_EMAIL]);
  if (!user) throw new Error('the demo admin does not exist; seed the demo first');
  return user.id;
}

/** Whether the demo agents already have samples from the last 24 hours. */
async function hasRecentSamples(rt: Runtime, workspaceId: string, now: number): Promise<boolean> {
  const [row] = await rt.orm.em.fork().execute(
    `select 1 from metric_samples s join agents a on a.id = s.agent_id
      where a.workspace_id = ? and a.name in (select jsonb_array_elements_text(?::jsonb)) and s.ts > ? limit 1`,
    [workspaceId, JSON.stringify(DEMO_AGENTS.map((a) => a.name)), new Date(now - BACKFILL_MS)],
  );
  return !!row;
}

/** The demo's alert rule, made once (never again, also not after someone deletes it). */
async function ensureDemoRule(rt: Runtime, workspaceId: string): Promise<boolean> {
  const em = rt.orm.em.fork();
  const [agent] = await em.execute<{ id: string }[]>(`select id from agents where workspace_id = ? and name = 'support-agent'`, [workspaceId]);
  if (!agent) return false; // not registered yet: its first samples are still on their way
  const [exists] = await em.execute(`select 1 from alert_rules where workspace_id = ? and name = ?`, [workspaceId, DEMO_RULE.name]);
  if (!exists) await createAlertRule(em, workspaceId, await demoAdminId(rt), { workspaceId, agentId: agent.id, ...DEMO_RULE });
  return true;
}

/** Wildcard bind addresses are not addresses to connect to; use loopback then. */
function connectableUrl(serverUrl: string): string {
  const url = new URL(serverUrl);
  if (url.hostname === '0.0.0.0' || url.hostname === '[::]') url.hostname = '127.0.0.1';
  return url.toString();
}

export interface DemoAgents {
  /** Samples queued by the 24-hour backfill (0 when there was recent history). */
  backfilled: number;
  /** Stops the simulation and flushes what the collectors still hold. */
  stop(): Promise<void>;
}

/**
 * Daily load curve, noise, rare latency spikes, and one agent (support-agent) that degrades for two
 * minutes in every ten. The last 24 hours are backfilled at 1-minute resolution through the same
 * endpoint when the agents have no recent samples (first start, or after a long pause).
 */
export async function startDemoAgents(rt: Runtime, opts: { serverUrl: string; workspaceId: string; tickMs?: number }): Promise<DemoAgents> {
  const tickMs = opts.tickMs ?? 1000;
  const key = await ensureDemoIngestKey(rt, opts.workspaceId);
  const url = connectableUrl(opts.serverUrl);
  const collectors = new Map<DemoAgent, Collector>(DEMO_AGENTS.map((agent) => [agent, createCollector({
    url, key, agent: agent.name, flushIntervalMs: tickMs,
    onError: (err) => {
      if (err.kind !== 'retrying') rt.log.warn({ agent: agent.name, err: err.message }, 'demo agent metrics lost');
    },
  })]));

  const now = Date.now();
  let backfilled = 0;
  if (!(await hasRecentSamples(rt, opts.workspaceId, now))) {
    for (const [agent, collector] of collectors)
      for (let at = now - BACKFILL_MS + MINUTE; at < now; at += MINUTE) {
        collector.record(demoSample(agent, at, MINUTE));
        backfilled++;
      }
    rt.log.info({ samples: backfilled }, 'demo agents: backfilling the last 24 hours');
  }

  let ruleReady = false;
  let ruleCheck: Promise<void> | null = null;
  const timer = setInterval(() => {
    const at = Date.now();
    for (const [agent, collector] of collectors) collector.record(demoSample(agent, at, tickMs));
    // The rule needs the agent's id, which exists once ingestion has registered it.
    if (!ruleReady && !ruleCheck)
      ruleCheck = ensureDemoRule(rt, opts.workspaceId)
        .then((ok) => void (ruleReady = ok), (err: unknown) => rt.log.warn({ err }, 'demo alert rule not created'))
        .finally(() => (ruleCheck = null));
  }, tickMs);
  rt.log.info({ agents: DEMO_AGENTS.map((a) => a.name) }, 'demo agents started');

  return {
    backfilled,
    async stop() {
      clearInterval(timer);
      await ruleCheck;
      await Promise.all([...collectors.values()].map((c) => c.close({ timeoutMs: 3000 })));
    },
  };
}
