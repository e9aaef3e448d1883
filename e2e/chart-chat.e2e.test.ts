// Chart ↔ chat (issue 13 item 3) in the browser, with the offline assistant: a range dragged on an
// agent's chart → "Ask about this" → a new session with the range attached → the question carries it
// and the answer describes it; the reply's query_agent_metrics card opens the dashboard at that range;
// the assistant's own run is a marker on tandem-assistant's charts that leads back to the question.
import type { Page } from 'playwright-core';
import { describe, expect, onTestFailed, test } from 'vitest';
import { useBrowser, waitForWorkspace } from './browser.ts';

const { pages, url, openContext, snap, register } = useBrowser({ waitMs: 30_000, height: 900 });

/** Thirty minutes of one sample a minute, flat at 100 ms and 900 ms for the last five. */
async function postHistory(key: string, agent: string): Promise<void> {
  const now = Date.now();
  const samples = Array.from({ length: 30 }, (_, i) => ({
    ts: now - (30 - i) * 60_000,
    latency_ms: i < 25 ? 100 : 900,
    requests: 2,
    errors: 0,
  }));
  const response = await fetch(url('/api/v1/metrics'), {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ agent, samples }),
  });
  expect(response.status).toBe(202);
}

/** Drags across a panel's plot from one share of its width to another. */
async function dragAcross(page: Page, metric: string, fromShare: number, toShare: number): Promise<void> {
  const over = page.locator(`[data-testid="metric-panel"][data-metric="${metric}"] .u-over`);
  const box = await over.boundingBox();
  if (!box) throw new Error(`no plot for ${metric}`);
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * fromShare, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * ((fromShare + toShare) / 2), y, { steps: 5 });
  await page.mouse.move(box.x + box.width * toShare, y, { steps: 5 });
  await page.mouse.up();
}

describe('chart ↔ chat', () => {
  test("'Ask about this' from a chart range lands in a session with the range attached", async () => {
    onTestFailed(async () => {
      for (const [index, page] of pages.entries()) await snap(page, `chart-chat-failure-${index + 1}`).catch(() => undefined);
    });
    const suffix = Date.now().toString(36);
    const agent = `checkout-bot-${suffix}`;
    const page = await openContext('light');
    await register(page, { name: 'Cleo Charts', email: `cleo-${suffix}@example.com`, password: 'correct horse 1' });
    const workspace = await waitForWorkspace(page);

    // --- An agent with half an hour of history.
    await page.goto(url(`/w/${workspace}/metrics/keys`));
    await page.getByLabel('Label').fill('chart chat');
    await page.getByTestId('create-key').click();
    const key = (await page.getByTestId('new-key-value').textContent())?.trim() ?? '';
    await postHistory(key, agent);
    await page.goto(url(`/w/${workspace}/metrics`));
    await page.locator(`[data-testid="agent-card"][data-agent="${agent}"]`).click();
    await page.waitForURL(/\/metrics\/agents\/[0-9a-f-]{36}$/);
    const agentId = /agents\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    await page.locator('[data-testid="metric-panel"][data-metric="latency_ms"] [data-testid="ts-chart"]:not(.ts-chart__plot--empty)').waitFor();

    // --- Drag across the latency chart: every panel zooms, and the dragged one offers to ask.
    await dragAcross(page, 'latency_ms', 0.35, 0.95);
    await page.getByTestId('zoom-range').waitFor();
    const popover = page.locator('[data-testid="metric-panel"][data-metric="latency_ms"] [data-testid="ask-popover"]');
    await popover.waitFor();
    expect(await popover.textContent()).toContain('Latency (ms)');
    await snap(page, 'chart-chat-1-ask-popover');
    await popover.getByTestId('ask-new-session').click();

    // --- A new session with the range waiting in the composer, removable.
    await page.waitForURL(/\/sessions\/[0-9a-f-]{36}\?ask=/);
    const ask = decodeURIComponent(new URL(page.url()).searchParams.get('ask') ?? '').split('~');
    expect(ask.slice(0, 2)).toEqual([agentId, 'latency_ms']);
    const [from, to] = [Number(ask[2]), Number(ask[3])];
    expect(to).toBeGreaterThan(from);
    const chip = page.getByTestId('composer-attachment');
    await chip.getByText(agent).waitFor();
    expect(await chip.textContent()).toContain('Latency (ms)');
    await snap(page, 'chart-chat-2-composer-attachment');
    await page.getByTestId('composer-input').fill('What happened here?');
    await page.getByTestId('composer-send').click();

    // --- The question shows its range; the answer describes that agent's latency there.
    const question = page.getByTestId('message-user').last();
    const card = question.getByTestId('metric-ref-card');
    await card.waitFor();
    expect(await card.getAttribute('data-agent-id')).toBe(agentId);
    await card.getByTestId('metric-ref-agent').getByText(agent).waitFor();
    await card.getByTestId('ts-chart').waitFor();
    await expect.poll(() => chip.count()).toBe(0);
    const reply = page.locator('[data-testid="message-assistant"][data-status="complete"]').last();
    await reply.waitFor();
    const answer = (await reply.textContent()) ?? '';
    expect(answer).toContain(agent);
    expect(answer).toMatch(/Peak:\s*900 ms/);
    const tool = reply.locator('[data-testid="tool-card"][data-tool="query_agent_metrics"]');
    await tool.waitFor();
    await question.scrollIntoViewIfNeeded();
    await snap(page, 'chart-chat-3-question-with-range');
    await tool.scrollIntoViewIfNeeded();
    await snap(page, 'chart-chat-3b-tool-card');
    const sessionUrl = new URL(page.url());
    const questionId = await question.getAttribute('data-message-id');

    // --- The tool card opens the agent's dashboard at the same range, its latency panel outlined.
    await tool.getByTestId('tool-open-dashboard').click();
    await page.waitForURL(new RegExp(`/metrics/agents/${agentId}\\?`));
    const opened = new URL(page.url()).searchParams;
    expect(Number(opened.get('from'))).toBe(from);
    expect(Number(opened.get('to'))).toBe(to);
    expect(opened.get('metric')).toBe('latency_ms');
    await page.getByTestId('zoom-range').waitFor();
    await page.locator('[data-testid="metric-panel"][data-metric="latency_ms"].metric-panel--focused').waitFor();
    await page.locator('[data-testid="metric-panel"][data-metric="latency_ms"] [data-testid="ts-chart"]:not(.ts-chart__plot--empty)').waitFor();
    await snap(page, 'chart-chat-4-dashboard-at-range');

    // --- The assistant's run is a marker on its own charts, leading back to the question.
    await page.goto(url(`/w/${workspace}/metrics`));
    await page.locator('[data-testid="agent-card"][data-agent="tandem-assistant"]').click();
    await page.waitForURL(/\/metrics\/agents\/[0-9a-f-]{36}$/);
    const marker = page.locator('[data-testid="metric-panel"][data-metric="latency_ms"] [data-testid="run-marker"]').first();
    await marker.waitFor();
    expect(await marker.getAttribute('title')).toContain('What happened here?');
    await snap(page, 'chart-chat-5-run-markers');
    await marker.click();
    await page.waitForURL((u) => u.pathname === sessionUrl.pathname && u.hash === `#message-${questionId}`);
    await page.locator(`[data-message-id="${questionId}"].message--highlighted`).waitFor();
    await snap(page, 'chart-chat-6-turn-highlighted');

    // --- Another range into the same session: the recent session is offered; the chip is removable.
    await page.goto(url(`/w/${workspace}/metrics/agents/${agentId}`));
    await page.locator('[data-testid="metric-panel"][data-metric="throughput"] [data-testid="ts-chart"]:not(.ts-chart__plot--empty)').waitFor();
    await dragAcross(page, 'throughput', 0.5, 0.9);
    const again = page.locator('[data-testid="metric-panel"][data-metric="throughput"] [data-testid="ask-popover"]');
    await again.getByTestId('ask-existing-session').first().click();
    await page.waitForURL((u) => u.pathname === sessionUrl.pathname && (u.searchParams.get('ask') ?? '').includes('~throughput~'));
    await chip.getByText('Throughput').waitFor();
    await chip.getByTestId('composer-attachment-remove').click();
    await expect.poll(() => chip.count()).toBe(0);
    expect(new URL(page.url()).searchParams.has('ask')).toBe(false);
  });
});
