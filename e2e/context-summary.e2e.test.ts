// Context beyond the window in the browser: with a tiny history budget, the reply whose run got the
// oldest messages only as a summary says so, live and again after a reload.
import { describe, expect, onTestFailed, test } from 'vitest';
import { useBrowser, waitForWorkspace } from './browser.ts';

// 200 tokens (the least allowed): one offline answer (its list of what it can do) outgrows it, so from
// the second question on, the older messages reach the assistant as a summary that each run extends.
const { pages, openContext, snap, register } = useBrowser({ waitMs: 30_000, height: 860, env: async () => ({ ASSISTANT_HISTORY_TOKENS: '200', OFFLINE_WORD_DELAY_MS: '0' }) });

describe('conversation summaries', () => {
  test('a reply whose run got older messages as a summary notes how many; the first reply does not', async () => {
    onTestFailed(async () => {
      for (const [index, page] of pages.entries()) await snap(page, `summary-failure-${index + 1}`).catch(() => undefined);
    });
    const suffix = Date.now().toString(36);
    const page = await openContext('light');
    await register(page, { name: 'Sumi Summary', email: `sumi-${suffix}@example.com`, password: 'correct horse 1' });
    const workspace = await waitForWorkspace(page);
    await page.getByTestId('new-session').first().click();
    await page.waitForURL(new RegExp(`/w/${workspace}/sessions/[^/]+$`));

    const replies = page.locator('[data-testid="message-assistant"][data-status="complete"]');
    for (const [i, question] of ['What can you do?', 'Tell me more', 'And what else?'].entries()) {
      await page.getByTestId('composer-input').fill(question);
      await page.getByTestId('composer-send').click();
      await replies.nth(i).waitFor();
    }
    const noteOf = (i: number) => replies.nth(i).getByTestId('context-summarised');
    await noteOf(1).getByText(/^The 2 earliest messages of this conversation reached the assistant as a summary/).waitFor();
    await noteOf(2).getByText(/^The 4 earliest messages of this conversation reached the assistant as a summary/).waitFor();
    expect(await noteOf(0).count()).toBe(0);
    await snap(page, 'cs01-summary-note');

    // Replayed from the conversation's events after a reload.
    await page.reload();
    await noteOf(2).getByText(/^The 4 earliest/).waitFor();
    expect(await page.getByTestId('context-summarised').count()).toBe(2);
    expect(await noteOf(0).count()).toBe(0);
  });
});
