// Issue 9 item 7 in the browser: the Jobs page's "Needs attention" lists an assistant run that
// failed, with its reason and a link to its conversation, pushed live (jobs.events) while the admin
// watches. The run fails for real: the worker's OpenAI SDK call gets a 401 from a local server that
// speaks OpenAI's wire protocol.
import { afterAll, describe, expect, onTestFailed, test } from 'vitest';
import { startFakeOpenAi } from '@tandem/worker/testing/fake-openai';
import { useBrowser, waitForWorkspace } from './browser.ts';

let fake: Awaited<ReturnType<typeof startFakeOpenAi>> | undefined;

const { pages, url, openContext, snap, register } = useBrowser({
  waitMs: 30_000,
  height: 1100,
  async env() {
    fake = await startFakeOpenAi(() => ({ error: { status: 401, message: 'Incorrect API key provided' } }));
    return { LLM_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-wrong', OPENAI_BASE_URL: fake.url, OPENAI_MODEL: 'gpt-4o-mini' };
  },
});

afterAll(async () => {
  await fake?.close();
});

describe('jobs: needs attention', () => {
  test('a failed assistant run appears on the Jobs page as it fails, with its reason and a link to the session', async () => {
    onTestFailed(async () => {
      for (const [index, page] of pages.entries()) await snap(page, `jobs-attention-failure-${index + 1}`).catch(() => undefined);
    });
    const suffix = Date.now().toString(36);
    const admin = await openContext('light');
    await register(admin, { name: 'Ada Attention', email: `ada-${suffix}@example.com`, password: 'correct horse 9' });
    const workspace = await waitForWorkspace(admin);

    // A second tab on the Jobs page, watching: nothing needs attention yet.
    // (Same browser context: the token is in localStorage.)
    const jobs = await admin.context().newPage();
    pages.push(jobs);
    await jobs.goto(url(`/w/${workspace}/jobs`));
    await jobs.getByTestId('attention-empty').waitFor();

    // A question whose run fails: the provider rejects the key.
    await admin.getByTestId('new-session').first().click();
    await admin.waitForURL(/\/sessions\/[^/]+$/);
    const sessionPath = new URL(admin.url()).pathname;
    await admin.getByTestId('composer-input').fill('How did sales do last week?');
    await admin.getByTestId('composer-input').press('Enter');
    await admin.locator('[data-testid="message-assistant"][data-status="error"]').waitFor();

    // Pushed to the watching Jobs page, without a reload.
    const row = jobs.getByTestId('failed-run');
    await row.waitFor();
    expect(await row.getByTestId('failed-run-reason').textContent()).toMatch(/401|API key/i);
    expect(await jobs.getByTestId('attention-empty').count()).toBe(0);
    await snap(jobs, 'jobs-attention-01-failed-run');
    await row.getByRole('link').click();
    await jobs.waitForURL((u) => u.pathname === sessionPath);
  });
});
