// Incident replay end to end (issue 13 item 4): a session where the offline assistant queried an
// agent's latency is opened from its Replay link, played at 20× to the end (question, reply, tool
// card and the agent's chart appear; "Ended"), scrubbed back, and opened by a viewer from the link.
import type { Page } from 'playwright-core';
import { describe, expect, onTestFailed, test } from 'vitest';
import { acceptInviteLink, createInviteLink, useBrowser, waitForWorkspace } from './browser.ts';

const { pages, url, openContext, snap, register } = useBrowser({ waitMs: 30_000, height: 900 });

/** Minutes of checkout-bot samples up to now, as an agent would have sent them. */
async function postHistory(key: string, agent: string): Promise<void> {
  const now = Date.now();
  const samples = Array.from({ length: 90 }, (_, i) => ({ ts: now - i * 10_000, latency_ms: 300 + (i % 7) * 40 + (i < 20 ? 900 : 0), requests: 2, errors: 0 }));
  const response = await fetch(url('/api/v1/metrics'), {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ agent, samples }),
  });
  expect(response.status).toBe(202);
}

/** Moves the scrubber as a person dragging it would (range inputs take no typing). */
async function scrubTo(page: Page, value: number): Promise<void> {
  await page.getByTestId('replay-scrubber').evaluate((input, v) => {
    (input as HTMLInputElement).value = String(v);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }, value);
}

describe('incident replay', () => {
  test('the replay view plays a recorded session to the end', async () => {
    onTestFailed(async () => {
      for (const [index, page] of pages.entries()) await snap(page, `replay-failure-${index + 1}`).catch(() => undefined);
    });
    const suffix = Date.now().toString(36);
    const ann = { name: 'Ann Avery', email: `ann-${suffix}@example.com`, password: 'correct horse 1' };
    const vic = { name: 'Vic Viewer', email: `vic-${suffix}@example.com`, password: 'battery staple 2' };

    // --- An admin with an agent that has been sending latency samples.
    const a = await openContext('light');
    await register(a, ann);
    const workspace = await waitForWorkspace(a);
    await a.goto(url(`/w/${workspace}/metrics/keys`));
    await a.getByLabel('Label').fill('checkout');
    await a.getByTestId('create-key').click();
    const key = (await a.getByTestId('new-key-value').textContent())?.trim() ?? '';
    await postHistory(key, 'checkout-bot');

    // --- A session where the assistant queries it.
    await a.goto(url(`/w/${workspace}/sessions`));
    await a.getByTestId('new-session').first().click();
    await a.waitForURL(new RegExp(`/w/${workspace}/sessions/[^/]+$`));
    const sessionUrl = a.url();
    await a.getByTestId('conversation-empty').waitFor();
    // Nothing asked yet: the replay says there is nothing to play.
    await a.getByTestId('replay-link').click();
    await a.waitForURL(/\/replay$/);
    await a.getByTestId('replay-empty').waitFor();
    await snap(a, 'r01-replay-empty');
    await a.goto(sessionUrl);

    const question = 'What was the p95 latency of checkout-bot in the last hour?';
    await a.getByTestId('composer-input').fill(question);
    await a.getByTestId('composer-input').press('Enter');
    await a.locator('[data-testid="message-assistant"][data-status="complete"]').waitFor();
    await a.locator('[data-testid="tool-card"][data-tool="query_agent_metrics"]').waitFor();
    const liveReply = (await a.locator('[data-testid="message-assistant"] .message__body').first().textContent())?.trim() ?? '';
    expect(liveReply.length).toBeGreaterThan(0);
    await snap(a, 'r01b-session-replay-link');

    // --- Replay from the header link: nothing played yet but the first question.
    await a.getByTestId('replay-link').click();
    await a.waitForURL(new RegExp(`/w/${workspace}/sessions/[^/]+/replay$`));
    const replayUrl = a.url();
    await a.getByTestId('replay-play').waitFor();
    await a.getByTestId('replay-chart').filter({ has: a.locator('canvas') }).first().waitFor();
    expect((await a.getByTestId('replay-title').textContent())?.trim()).toBeTruthy();
    expect(await a.getByTestId('message-assistant').count()).toBe(0);
    expect(await a.getByTestId('replay-ended').count()).toBe(0);
    await snap(a, 'r02-replay-start');

    // --- Played at 20× to the end: the question, the reply with its tool card, the chart, "Ended".
    await a.getByRole('button', { name: '20×' }).click();
    await a.getByTestId('replay-play').click();
    await a.getByTestId('replay-ended').waitFor();
    expect(await a.getByTestId('replay-play').textContent()).toBe('Replay again');
    await a.getByTestId('message-user').filter({ hasText: question }).waitFor();
    await a.locator('[data-testid="message-assistant"][data-status="complete"]').waitFor();
    await a.locator('[data-testid="replay-messages"] [data-testid="tool-card"][data-tool="query_agent_metrics"]').waitFor();
    const replayed = (await a.locator('[data-testid="replay-messages"] [data-testid="message-assistant"] .message__body').first().textContent())?.trim();
    expect(replayed).toBe(liveReply);
    const chart = a.locator('[data-testid="replay-chart"][data-metric="latency_ms"]');
    expect(await chart.textContent()).toContain('checkout-bot');
    const plot = chart.locator('[data-cursor-ms]');
    expect(Number(await plot.getAttribute('data-points'))).toBeGreaterThan(10);
    const endCursor = Number(await plot.getAttribute('data-cursor-ms'));
    await snap(a, 'r03-replay-ended');

    // --- Scrubbed back to the start: only the question again, the cursor moved back, not ended.
    await scrubTo(a, 0);
    await a.getByTestId('replay-ended').waitFor({ state: 'detached' });
    expect(await a.getByTestId('message-assistant').count()).toBe(0);
    expect(await a.getByTestId('message-user').count()).toBe(1);
    expect(Number(await plot.getAttribute('data-cursor-ms'))).toBeLessThan(endCursor);
    expect(await a.getByTestId('replay-play').textContent()).toBe('Play');
    await snap(a, 'r04-replay-scrubbed-back');
    // On a phone the controls wrap under each other rather than squeeze.
    await a.setViewportSize({ width: 390, height: 844 });
    await scrubTo(a, Number(await a.getByTestId('replay-scrubber').getAttribute('max')));
    await a.getByTestId('replay-ended').waitFor();
    await snap(a, 'r04b-replay-phone');
    await a.setViewportSize({ width: 1280, height: 900 });

    // --- The link is shareable: a viewer of the workspace opens it and plays it too (dark scheme).
    const v = await openContext('dark');
    await register(v, vic);
    await waitForWorkspace(v);
    await acceptInviteLink(v, await createInviteLink(a, url(`/w/${workspace}/members`), vic.email, 'viewer'));
    await v.goto(replayUrl);
    await v.getByRole('button', { name: '20×' }).click();
    await v.getByTestId('replay-play').click();
    await v.getByTestId('replay-ended').waitFor();
    await v.locator('[data-testid="message-assistant"][data-status="complete"]').waitFor();
    await snap(v, 'r05-replay-viewer-dark');

    // --- A replay that cannot be opened says so.
    await v.goto(url(`/w/${workspace}/sessions/00000000-0000-4000-8000-000000000000/replay`));
    await v.getByTestId('replay-error').waitFor();
    await snap(v, 'r06-replay-error');
  });
});
