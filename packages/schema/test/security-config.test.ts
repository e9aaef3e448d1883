// Issue 11 item 9: a configuration error names the variable and what is wrong, never a secret
// (JWT_SECRET, an API key, a URL's password): start-up errors end up in shared logs and CI output.
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../src/config.ts';

const messageOf = (env: Record<string, string>) => {
  try {
    parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a configuration error');
};

describe('security: configuration errors never echo secret values', () => {
  it.each([
    [{ JWT_SECRET: 'hunter2-but-too-short' }, 'JWT_SECRET', 'hunter2'],
    [{ DATABASE_URL: 'mysql://admin:hunter2@db.internal/app' }, 'DATABASE_URL', 'hunter2'],
    [{ DATABASE_URL: 'postgres://db.internal/app', REDIS_URL: 'http://:hunter2@redis:6379' }, 'REDIS_URL', 'hunter2'],
    [{ OPENAI_BASE_URL: 'ftp://svc:hunter2@llm.internal/v1' }, 'OPENAI_BASE_URL', 'hunter2'],
    [{ GEMINI_BASE_URL: 'gopher://proxy.internal/?key=hunter2' }, 'GEMINI_BASE_URL', 'hunter2'],
    [{ DATABASE_URL: 'mysql://db.internal/app?sslmode=require&password=hunter2' }, 'DATABASE_URL', 'hunter2'],
  ])('%o names %s and does not show the secret', (env, variable, secret) => {
    const message = messageOf(env);
    expect(message).toMatch(new RegExp(`^Invalid configuration: ${variable} `));
    expect(message).not.toContain(secret);
  });

  it('still shows harmless values, and URLs without their password', () => {
    expect(messageOf({ PORT: 'eighty' })).toContain('(got "eighty")');
    expect(messageOf({ DATABASE_URL: 'mysql://admin:hunter2@db/x' })).toContain('(got "mysql://admin:***@db/x")');
  });
});
