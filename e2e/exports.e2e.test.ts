// Exports in the browser: an admin starts a metric-sample export on the Jobs page, watches its
// progress, downloads the file and finds the rows in it.
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { describe, expect, onTestFailed, test } from 'vitest';
import { useBrowser, waitForWorkspace } from './browser.ts';

const { pages, url, openContext, snap, register } = useBrowser({
  waitMs: 60_000, height: 900,
  env: async () => ({ INGEST_KEY_SAMPLES_PER_SECOND: '10000000', INGEST_WORKSPACE_SAMPLES_PER_SECOND: '10000000' }),
});

const SAMPLES = 60_000;

/** An ingest key made through the API with the page's token. */
async function ingestKey(page: Page, workspaceId: string): Promise<string> {
  return page.evaluate(async (ws) => {
    const token = localStorage.getItem('tandem.token') ?? '';
    const res = await fetch('/trpc/ingestKey.create', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ workspaceId: ws, label: 'e2e export' }),
    });
    return ((await res.json()) as { result: { data: { key: string } } }).result.data.key;
  }, workspaceId);
}

async function postSamples(key: string, agent: string): Promise<void> {
  const base = Date.now() - 30 * 60_000;
  for (let start = 0; start < SAMPLES; start += 10_000) {
    const samples = Array.from({ length: 10_000 }, (_, i) => ({ ts: base + (start + i) * 10, latency_ms: 100 + ((start + i) % 50), requests: 1 }));
    const res = await fetch(url('/api/v1/metrics'), {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ agent, samples }),
    });
    expect(res.status).toBe(202);
  }
}

describe('exports', () => {
  test('an admin creates an export, watches its progress, downloads the file and finds the rows', async () => {
    onTestFailed(async () => {
      for (const [index, page] of pages.entries()) await snap(page, `exports-failure-${index + 1}`).catch(() => undefined);
    });
    const suffix = Date.now().toString(36);
    const admin = { name: 'Eve Export', email: `eve-${suffix}@example.com`, password: 'correct horse 1' };
    const agent = `export-bot-${suffix}`;
    const page = await openContext('light');
    await register(page, admin);
    const workspace = await waitForWorkspace(page);

    // --- Empty state first.
    await page.goto(url(`/w/${workspace}/jobs`));
    await page.getByTestId('exports-empty').waitFor();
    await snap(page, 'exports-01-empty');

    // --- Samples arrive, then (waiting until they are stored) the export.
    await postSamples(await ingestKey(page, workspace), agent);
    await page.waitForFunction(async ({ ws, n }) => {
      const token = localStorage.getItem('tandem.token') ?? '';
      const res = await fetch(`/api/v1/export?workspaceId=${ws}&from=${Date.now() - 3600_000}&format=ndjson`, { headers: { authorization: `Bearer ${token}` } });
      return (await res.text()).split('\n').filter(Boolean).length === n;
    }, { ws: workspace, n: SAMPLES }, { polling: 500 });
    // The form lists the agents the page loaded with: the new agent shows after a reload.
    await page.reload();
    await page.getByTestId('new-export-form').waitFor();

    // Records every status and progress text the first export row shows, to see it move.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { exportStates: string[] }).exportStates = seen;
      new MutationObserver(() => {
        const row = document.querySelector<HTMLElement>('[data-testid="export-row"]');
        if (row) seen.push(`${row.dataset.status}|${row.querySelector('[data-testid="export-progress"]')?.textContent ?? ''}`);
      }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    await page.getByLabel('What').selectOption('metrics');
    await page.getByLabel('Format').selectOption('csv');
    await page.getByLabel('Time range').selectOption({ label: 'Last 24 hours' });
    await page.getByTestId('export-agents').getByText(agent).click();
    await page.getByTestId('create-export').click();
    await page.locator('[data-testid="export-row"][data-status="running"]').waitFor();
    await snap(page, 'exports-02-running');
    await page.locator('[data-testid="export-row"][data-status="completed"]').waitFor();
    const states = await page.evaluate(() => (window as unknown as { exportStates: string[] }).exportStates);
    const running = states.filter((s) => s.startsWith('running|'));
    expect(running.length).toBeGreaterThan(0);
    expect(states.at(-1)).toContain(`${SAMPLES.toLocaleString('en-US')} rows`);
    await snap(page, 'exports-03-completed');

    // --- The download holds the header and every sample of the agent.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-download').click()]);
    expect(download.suggestedFilename()).toMatch(/^tandem-metrics-.*\.csv$/);
    const text = await readFile(await download.path(), 'utf8');
    const lines = text.trimEnd().split('\r\n');
    expect(lines[0]!.startsWith('ts,agent_id,agent,latency_ms')).toBe(true);
    expect(lines).toHaveLength(SAMPLES + 1);
    expect(lines.filter((l) => l.includes(`,${agent},`))).toHaveLength(SAMPLES);
  });
});
