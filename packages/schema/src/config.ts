// Runtime configuration: every environment variable of docs/api.md, validated once at start-up.
import { z } from 'zod';

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const flag = z
  .enum(['0', '1', 'true', 'false'])
  .transform((v) => v === '1' || v === 'true')
  .optional();

const url = (protocols: string[]) =>
  optionalString.refine(
    (v) => v === undefined || protocols.some((p) => v.startsWith(p + '://')),
    { message: `must be a URL starting with ${protocols.map((p) => p + '://').join(' or ')}` },
  );

/** The variables Tandem reads, as the environment spells them (docs/api.md lists each). */
export const environmentSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: url(['postgres', 'postgresql']),
  REDIS_URL: url(['redis', 'rediss']),
  JWT_SECRET: optionalString.refine((v) => v === undefined || v.length >= 32, {
    message: 'must be at least 32 characters',
  }),
  LLM_PROVIDER: z.enum(['openai', 'gemini', 'offline']).optional(),
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: url(['http', 'https']),
  OPENAI_MODEL: z.string().min(1).default('gpt-4o-mini'),
  GEMINI_API_KEY: optionalString,
  GEMINI_BASE_URL: url(['http', 'https']),
  GEMINI_MODEL: z.string().min(1).default('gemini-2.0-flash'),
  ASSISTANT_RATE_LIMIT_PER_HOUR: z.coerce.number().int().min(1).max(100_000).default(50),
  ASSISTANT_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  /**
   * Tokens of earlier conversation sent with a question (a summary of older messages and the newest
   * ones); unset: the model's own budget (apps/worker/src/assistant/context-budget.ts).
   */
  ASSISTANT_HISTORY_TOKENS: optionalString.pipe(z.coerce.number<string>().int().min(200).max(1_000_000).optional()),
  DEMO: flag,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Extra origins allowed to open the WebSocket, comma separated (the server's own origin always is). */
  ALLOWED_ORIGINS: optionalString,
  /** Prefix of queue names and Redis keys, so several deployments can share one Redis. */
  QUEUE_PREFIX: z.string().regex(/^[\w-]{1,40}$/, 'must be 1-40 letters, digits, - or _').default('tandem'),
  /** How long a worker's claim on a job lasts; a job whose worker died runs again after about this. */
  JOB_LOCK_MS: z.coerce.number().int().min(500).max(600_000).default(30_000),
  /** Pause between the words the offline assistant streams (it has no model to wait for). */
  OFFLINE_WORD_DELAY_MS: z.coerce.number().int().min(0).max(5000).default(12),
  /** Days raw agent-metric samples are kept (whole daily partitions are dropped). */
  METRICS_RAW_RETENTION_DAYS: z.coerce.number().int().min(8).max(3650).default(14),
  /** Days 1-minute and 1-hour metric rollups are kept. */
  METRICS_ROLLUP_RETENTION_DAYS: z.coerce.number().int().min(8).max(3650).default(400),
  /** Agent-metric samples one server holds (queued or being written) before ingestion answers 429. */
  INGEST_MAX_QUEUED_ROWS: z.coerce.number().int().min(1).max(10_000_000).default(100_000),
  /** Samples one ingest key may send per second (over every server); beyond, 429 with Retry-After. */
  INGEST_KEY_SAMPLES_PER_SECOND: z.coerce.number().int().min(1).max(100_000_000).default(20_000),
  /** Samples one workspace may send per second over all its keys; beyond, 429 with Retry-After. */
  INGEST_WORKSPACE_SAMPLES_PER_SECOND: z.coerce.number().int().min(1).max(100_000_000).default(50_000),
  /** Live alert rules one workspace may have; alert.createRule is refused (CONFLICT) beyond. */
  WORKSPACE_MAX_ALERT_RULES: z.coerce.number().int().min(1).max(1_000_000).default(100),
  /** Agents one workspace may have; samples naming a new agent beyond are refused (409). */
  WORKSPACE_MAX_AGENTS: z.coerce.number().int().min(1).max(1_000_000).default(1000),
  /** Ingest keys (not revoked) one workspace may have; ingestKey.create is refused (CONFLICT) beyond. */
  WORKSPACE_MAX_INGEST_KEYS: z.coerce.number().int().min(1).max(1_000_000).default(50),
  /** Assistant questions one workspace may ask per hour, over all its members. */
  ASSISTANT_WORKSPACE_LIMIT_PER_HOUR: z.coerce.number().int().min(1).max(10_000_000).default(500),
  /** Assistant questions the whole deployment answers per hour: a ceiling on provider spend. */
  ASSISTANT_MAX_RUNS_PER_HOUR: z.coerce.number().int().min(1).max(100_000_000).default(5000),
  /** Let alert webhooks reach loopback and private-network addresses (refused by default: SSRF). */
  WEBHOOK_ALLOW_PRIVATE: flag,
  /** Milliseconds a SIGTERM waits for running jobs before handing them back to the queue. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
  /**
   * Reverse-proxy hops in front of the server whose X-Forwarded-For entry is believed: the client
   * address that limits count and logs show. 0: the socket's peer (no proxy).
   */
  TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
  /** Open WebSockets one user may hold (each browser tab is one); more are refused. */
  WS_MAX_SOCKETS_PER_USER: z.coerce.number().int().min(1).max(1_000_000).default(20),
  /** Open WebSockets from one client address (IPv6: one /64), counted before authentication. */
  WS_MAX_SOCKETS_PER_ADDRESS: z.coerce.number().int().min(1).max(1_000_000).default(200),
  /** Days without activity before a conversation is archived by the daily retention sweep (a workspace may set its own). */
  CONVERSATION_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  /** Days a conversation archived by retention stays restorable by an admin before it is purged. */
  RETENTION_GRACE_DAYS: z.coerce.number().int().min(0).max(365).default(7),
  /** Days an export's file is kept; then a sweep removes it and the export shows as expired. */
  EXPORT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(7),
  /** Accounts (comma-separated emails) that see deployment-wide queue figures on the Jobs page. */
  OPERATOR_EMAILS: optionalString,
  /**
   * The deployment's address as users reach it (https://tandem.example.com): links sent outside the
   * app, such as a scheduled export's download link in its completion webhook, are made absolute with it.
   */
  PUBLIC_URL: url(['http', 'https']).refine((v) => v === undefined || URL.canParse(v), { message: 'must be a valid URL' }),
});

export const configSchema = environmentSchema
  .transform((c) => {
    const mode = c.DATABASE_URL || c.REDIS_URL ? ('services' as const) : ('embedded' as const);
    const llmProvider =
      c.LLM_PROVIDER ?? (c.OPENAI_API_KEY ? 'openai' : c.GEMINI_API_KEY ? 'gemini' : 'offline');
    return {
      ...c,
      mode,
      LLM_PROVIDER: llmProvider,
      DEMO: c.DEMO ?? mode === 'embedded',
      WEBHOOK_ALLOW_PRIVATE: c.WEBHOOK_ALLOW_PRIVATE ?? false,
      allowedOrigins: (c.ALLOWED_ORIGINS ?? '')
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
      operatorEmails: (c.OPERATOR_EMAILS ?? '')
        .split(',')
        .map((e) => e.trim().toLowerCase())
        .filter(Boolean),
    };
  })
  .superRefine((c, ctx) => {
    if (c.mode === 'services' && !c.DATABASE_URL)
      ctx.addIssue({ code: 'custom', path: ['DATABASE_URL'], message: 'is required when REDIS_URL is set (services mode)' });
    if (c.LLM_PROVIDER === 'openai' && !c.OPENAI_API_KEY && !c.OPENAI_BASE_URL)
      ctx.addIssue({ code: 'custom', path: ['OPENAI_API_KEY'], message: 'is required when LLM_PROVIDER=openai' });
    if (c.LLM_PROVIDER === 'gemini' && !c.GEMINI_API_KEY)
      ctx.addIssue({ code: 'custom', path: ['GEMINI_API_KEY'], message: 'is required when LLM_PROVIDER=gemini' });
  });

export type Config = z.output<typeof configSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Variables whose values are secrets: an error names them and never shows what they hold. */
const SECRET_VARIABLES = new Set(['JWT_SECRET', 'OPENAI_API_KEY', 'GEMINI_API_KEY']);

/**
 * A received value as an error may show it: none for secrets, and URLs without the password
 * (`postgres://app:***@db/x`, `?password=***`), since start-up errors end up in shared logs.
 */
function shownValue(variable: string, received: string | undefined): string {
  if (received === undefined || SECRET_VARIABLES.has(variable)) return '';
  const redacted = received
    .replace(/(\/\/[^/?#@]*?:)[^/?#@]*@/, '$1***@')
    .replace(/([?&](?:password|pass|pwd|secret|token|key)=)[^&#]*/gi, '$1***');
  return ` (got ${JSON.stringify(redacted.length > 40 ? redacted.slice(0, 40) + '…' : redacted)})`;
}

/** Parses the environment; throws ConfigError with one line naming the variable and the problem. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = configSchema.safeParse(env);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const variable = issue.path.join('.') || 'environment';
  throw new ConfigError(`Invalid configuration: ${variable} ${issue.message}${shownValue(variable, env[variable])}`);
}
