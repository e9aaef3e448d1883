// Issue 13 item 2 in the browser: a rule posting into a session fires while two members watch it
// (one joined through the invite flow), and the message from Tandem alerts with its chart appears
// for both, live; "Ask about this" puts the alert's range on the composer.
import type { Page } from 'playwright-core';
import { describe, expect, onTestFailed, test } from 'vitest';
import { acceptInviteLink, createInviteLink, useBrowser, waitForWorkspace, type Person } from './browser.ts';

const { pages, url, openContext, snap, register } = useBrowser({ waitMs: 30_000, height: 900 });

/** Posts latency samples for one agent, stamped now, as an agent would (POST /api/v1/metrics). */
async function postLatency(key: string, agent: string, latency: number): Promise<void> {
  const response = await fetch(url('/api/v1/metrics'), {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ agent, samples: [{ ts: Date.now(), latency_ms: latency, requests: 1 }] }),
  });
  expect(response.status).toBe(202);
}

/** An ingest key made on the Keys page (shown once). */
async function createIngestKey(page: Page, workspace: string): Promise<string> {
  await page.goto(url(`/w/${workspace}/metrics/keys`));
  await page.getByLabel('Label').fill('checkout agents');
  await page.getByTestId('create-key').click();
  return (await page.getByTestId('new-key-value').textContent())?.trim() ?? '';
}

describe('alert posts', () => {
  test('a rule posting into a session fires while two members watch it and the message with its chart appears for both', async () => {
    onTestFailed(async () => {
      for (const [index, page] of pages.entries()) await snap(page, `alert-posts-failure-${index + 1}`).catch(() => undefined);
    });
    const suffix = Date.now().toString(36);
    const ada: Person = { name: 'Ada Oncall', email: `ada-${suffix}@example.com`, password: 'correct horse 7' };
    const ben: Person = { name: 'Ben Member', email: `ben-${suffix}@example.com`, password: 'battery staple 8' };
    const agent = `checkout-bot-${suffix}`;

    // --- Ada (admin) makes a key, her agent reports once, she opens a session; Ben joins by invite.
    const a = await openContext('light');
    await register(a, ada);
    const workspace = await waitForWorkspace(a);
    const key = await createIngestKey(a, workspace);
    await postLatency(key, agent, 120);
    const b = await openContext('dark');
    await register(b, ben);
    await waitForWorkspace(b);
    await acceptInviteLink(b, await createInviteLink(a, url(`/w/${workspace}/members`), ben.email));
    await a.goto(url(`/w/${workspace}/sessions`));
    await a.getByTestId('new-session').first().click();
    await a.waitForURL(new RegExp(`/w/${workspace}/sessions/[^/]+$`));
    const sessionUrl = a.url();
    const conversationId = new URL(sessionUrl).pathname.split('/').at(-1)!;

    // --- The rule, made on the Alerts page, posts into that session.
    await a.goto(url(`/w/${workspace}/metrics/alerts`));
    await a.locator('#rule-threshold').fill('2000');
    await a.locator(`#rule-conversationId option[value="${conversationId}"]`).waitFor({ state: 'attached' });
    await a.locator('#rule-conversationId').selectOption(conversationId);
    await snap(a, 'ap01-rule-form-session-light');
    await a.getByTestId('create-rule').click();
    await a.getByTestId('alert-rule-session').waitFor();
    expect(await a.getByTestId('alert-rule-session').textContent()).toContain('posts into');
    await snap(a, 'ap02-rule-table-light');

    // --- Both watch the session.
    for (const page of [a, b]) await page.goto(sessionUrl);
    for (const page of [a, b]) {
      await page.getByTestId('conversation-empty').waitFor();
      await page.locator('[data-testid="viewers"] [data-testid="viewer"]:nth-child(2)').waitFor();
    }
    await b.evaluate(() => ((window as unknown as { __sameDocument?: boolean }).__sameDocument = true));

    // --- The agent breaches: the post appears on both pages, live, with its chart.
    await postLatency(key, agent, 9000);
    for (const page of [a, b]) {
      const post = page.locator('[data-testid="message-alert"][data-kind="fired"]');
      await post.waitFor();
      expect(await post.textContent()).toContain('Tandem alerts');
      expect(await post.textContent()).toContain(`Fired: p95 latency_ms > 2000 over 5m — ${agent}`);
      await post.locator(`[data-testid="metric-ref-card"][data-metric="latency_ms"]`).waitFor();
      await post.getByTestId('metric-ref-agent').filter({ hasText: agent }).waitFor(); // names load with the agent list
      await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('[data-testid="message-alert"] [data-testid="ts-chart"]')?.dataset.points ?? 0) > 0);
    }
    expect(await b.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    // Nobody asked anything: no reply is on its way.
    for (const page of [a, b]) expect(await page.getByTestId('message-assistant').count()).toBe(0);
    await snap(a, 'ap03-alert-post-light');
    await snap(b, 'ap04-alert-post-dark');

    // --- Ben asks about it: the alert's agent, metric and range wait on the composer.
    await b.getByTestId('alert-ask').click();
    await b.getByTestId('composer-attachment').waitFor();
    expect(await b.getByTestId('composer-attachment').textContent()).toContain(agent);
    await snap(b, 'ap05-ask-about-alert-dark');
  });
});
