import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../src/config.ts';

describe('parseConfig', () => {
  it('defaults to embedded mode with the demo on and the offline assistant', () => {
    const c = parseConfig({});
    expect(c).toMatchObject({ PORT: 3000, HOST: '127.0.0.1', DATA_DIR: './data', mode: 'embedded', DEMO: true, LLM_PROVIDER: 'offline' });
    expect(c.ASSISTANT_RATE_LIMIT_PER_HOUR).toBe(50);
    expect(c.ASSISTANT_TIMEOUT_MS).toBe(30_000);
  });

  it('switches to services mode with DATABASE_URL, where the demo is off unless asked for', () => {
    const c = parseConfig({ DATABASE_URL: 'postgres://db/x', REDIS_URL: 'redis://r:6379' });
    expect(c.mode).toBe('services');
    expect(c.DEMO).toBe(false);
    expect(parseConfig({ DATABASE_URL: 'postgres://db/x', DEMO: '1' }).DEMO).toBe(true);
  });

  it('picks the first provider that has a key', () => {
    expect(parseConfig({ GEMINI_API_KEY: 'g' }).LLM_PROVIDER).toBe('gemini');
    expect(parseConfig({ GEMINI_API_KEY: 'g', OPENAI_API_KEY: 'o' }).LLM_PROVIDER).toBe('openai');
    expect(parseConfig({ LLM_PROVIDER: 'offline', OPENAI_API_KEY: 'o' }).LLM_PROVIDER).toBe('offline');
  });

  it('treats empty strings as unset', () => {
    expect(parseConfig({ DATABASE_URL: '', REDIS_URL: ' ' }).mode).toBe('embedded');
  });

  it.each([
    [{ PORT: 'eighty' }, /^Invalid configuration: PORT .*\(got "eighty"\)$/],
    [{ PORT: '70000' }, /^Invalid configuration: PORT /],
    [{ DATABASE_URL: 'mysql://x' }, /^Invalid configuration: DATABASE_URL must be a URL starting with postgres:\/\//],
    [{ REDIS_URL: 'redis://x:6379' }, /^Invalid configuration: DATABASE_URL is required when REDIS_URL is set/],
    [{ JWT_SECRET: 'short' }, /^Invalid configuration: JWT_SECRET must be at least 32 characters/],
    [{ LLM_PROVIDER: 'claude' }, /^Invalid configuration: LLM_PROVIDER /],
    [{ LLM_PROVIDER: 'gemini' }, /^Invalid configuration: GEMINI_API_KEY is required when LLM_PROVIDER=gemini/],
    [{ DEMO: 'yes' }, /^Invalid configuration: DEMO /],
    [{ ASSISTANT_TIMEOUT_MS: '5' }, /^Invalid configuration: ASSISTANT_TIMEOUT_MS /],
    [{ QUEUE_PREFIX: 'has spaces' }, /^Invalid configuration: QUEUE_PREFIX must be 1-40 letters/],
    [{ JOB_LOCK_MS: '10' }, /^Invalid configuration: JOB_LOCK_MS /],
  ])('rejects %o with one line naming the variable', (env, message) => {
    expect(() => parseConfig(env)).toThrow(ConfigError);
    expect(() => parseConfig(env)).toThrow(message);
  });

  it('never echoes a long value in full', () => {
    expect(() => parseConfig({ DATABASE_URL: 'mysql://' + 'x'.repeat(100) })).toThrow(/…"\)$/);
  });

  it('lists extra WebSocket origins', () => {
    expect(parseConfig({ ALLOWED_ORIGINS: 'https://a.example, https://b.example,' }).allowedOrigins).toEqual(['https://a.example', 'https://b.example']);
  });
});
