// Links to one turn of a session (#message-<id>, as a run marker on a chart makes them): a turn
// older than the first page of messages is fetched page by page, scrolled to and highlighted; a
// link to a turn that is not there says so instead of doing nothing.
import { describe, expect, onTestFailed, test } from 'vitest';
import { useBrowser, waitForWorkspace } from './browser.ts';

const { pages, url, openContext, snap, register } = useBrowser({ waitMs: 60_000, height: 800 });

/** Questions asked: two messages each (question and reply), more than one page of 50. */
const QUESTIONS = 27;

async function call<T>(path: string, input: unknown, token?: string, method: 'GET' | 'POST' = 'POST'): Promise<T> {
  const query = method === 'GET' ? `?input=${encodeURIComponent(JSON.stringify(input))}` : '';
  const response = await fetch(url(`/trpc/${path}${query}`), {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(method === 'POST' ? { body: JSON.stringify(input) } : {}),
  });
  const body = (await response.json()) as { result?: { data: T }; error?: unknown };
  if (!body.result) throw new Error(`${path}: ${JSON.stringify(body.error)}`);
  return body.result.data;
}

interface Page {
  messages: { id: string; role: string; status: string }[];
}

describe('links to a turn', () => {
  test('a turn older than the first page is loaded, scrolled to and highlighted; a missing one is named', async () => {
    onTestFailed(async () => {
      for (const [index, page] of pages.entries()) await snap(page, `turn-links-failure-${index + 1}`).catch(() => undefined);
    });
    const suffix = Date.now().toString(36);
    const ann = { name: 'Ann Avery', email: `ann-${suffix}@example.com`, password: 'correct horse 1' };
    const page = await openContext('light');
    await register(page, ann);
    const workspaceId = await waitForWorkspace(page);

    // --- A long session, asked through the API (the same calls the composer makes).
    const { token } = await call<{ token: string }>('auth.login', { email: ann.email, password: ann.password });
    const conversation = await call<{ id: string }>('conversation.create', { workspaceId, title: 'Long session' }, token);
    for (let i = 0; i < QUESTIONS; i++)
      await call('conversation.send', { conversationId: conversation.id, content: `Question ${i + 1}: top products?`, clientMessageId: `turn-link-${suffix}-${i}` }, token);
    const all = async () => (await call<Page>('conversation.get', { conversationId: conversation.id, limit: 100 }, token, 'GET')).messages;
    await expect
      .poll(async () => (await all()).filter((m) => m.role === 'assistant' && m.status === 'complete').length, { timeout: 120_000, interval: 500 })
      .toBe(QUESTIONS);
    const first = (await all())[0]!;
    expect(first.role).toBe('user');

    // --- A link to the first question: two pages back.
    const sessionPath = `/w/${workspaceId}/sessions/${conversation.id}`;
    await page.goto(url(`${sessionPath}#message-${first.id}`));
    const target = page.locator(`[data-message-id="${first.id}"]`);
    await page.locator(`[data-message-id="${first.id}"].message--highlighted`).waitFor();
    expect(await target.textContent()).toContain('Question 1:');
    await expect.poll(() => target.evaluate((el) => {
      const box = el.getBoundingClientRect();
      return box.bottom > 0 && box.top < window.innerHeight;
    })).toBe(true);
    expect(await page.getByTestId('message-user').count()).toBe(QUESTIONS);
    await snap(page, 'turn-links-1-old-turn-highlighted');

    // --- A link to a turn that is not in the session: said, after the whole history was looked at.
    await page.goto(url(`${sessionPath}#message-00000000-0000-4000-8000-000000000000`));
    await page.getByText('The linked turn is not in this session any more').waitFor();
    expect(await page.locator('.message--highlighted').count()).toBe(0);
    await snap(page, 'turn-links-2-missing-turn');
  }, 240_000);
});
