// docs/reliability.md §20, in the browser: whatever a model (or a member) writes is shown as text,
// and nothing in it makes the browser fetch or run anything.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, onTestFailed, test } from 'vitest';
import { startFakeOpenAi } from '@tandem/worker/testing/fake-openai';
import { useBrowser, waitForWorkspace } from './browser.ts';

let trapHits: string[] = [];
let trap: Server | undefined;
let fake: Awaited<ReturnType<typeof startFakeOpenAi>> | undefined;
let trapOrigin = '';

/**
 * The reply (from a real OpenAI SDK call to a local server speaking OpenAI's wire protocol): a
 * script tag, an HTML image with an onerror handler, a markdown image and a javascript: link, all
 * aimed at a local "trap" server that counts every request it gets.
 */
function hostileText(origin: string): string[] {
  return [
    'Here is the report. <script>window.__pwned = "script"</script>\n\n',
    `<img src="${origin}/html.png" onerror="window.__pwned = 'onerror'">\n\n`,
    `![chart](${origin}/markdown.png)\n\n`,
    '[open the dashboard](javascript:window.__pwned="link")\n\n',
    '**Revenue** grew by 12%.',
  ];
}

const { pages, url, openContext, snap, register } = useBrowser({
  waitMs: 30_000,
  height: 860,
  async env() {
    trap = createServer((req, res) => {
      trapHits.push(req.url ?? '');
      res.writeHead(204).end();
    });
    await new Promise<void>((resolve) => trap!.listen(0, '127.0.0.1', resolve));
    trapOrigin = `http://127.0.0.1:${(trap.address() as AddressInfo).port}`;
    fake = await startFakeOpenAi([{ text: hostileText(trapOrigin) }]);
    return { LLM_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: fake.url };
  },
});

afterAll(async () => {
  await fake?.close();
  await new Promise<void>((resolve) => (trap ? trap.close(() => resolve()) : resolve()));
});

describe('safe rendering', () => {
  test('model and member text with HTML, images and javascript links renders as inert text', async () => {
    onTestFailed(async () => {
      for (const [index, page] of pages.entries()) await snap(page, `safe-render-failure-${index + 1}`).catch(() => undefined);
    });
    trapHits = [];
    const page = await openContext('light');
    await register(page, { name: 'Sam Safe', email: `safe-${Date.now().toString(36)}@example.com`, password: 'correct horse 3' });
    await waitForWorkspace(page);
    await page.getByTestId('new-session').first().click();
    await page.getByTestId('conversation-empty').waitFor();

    const question = `Summarise <img src="${trapOrigin}/question.png" onerror="window.__pwned='question'"> please`;
    await page.getByTestId('composer-input').fill(question);
    await page.getByTestId('composer-input').press('Enter');
    await page.locator('[data-testid="message-assistant"][data-status="complete"]').waitFor();

    const reply = page.locator('[data-testid="message-assistant"] .message__body').first();
    const text = (await reply.textContent()) ?? '';
    expect(text).toContain('<script>window.__pwned = "script"</script>');
    expect(text).toContain('onerror=');
    expect(await page.getByTestId('message-user').first().textContent()).toContain('<img src=');
    // Markdown still works for what is safe: the bold text is bold.
    expect(await reply.locator('strong').first().textContent()).toBe('Revenue');

    const found = await page.evaluate(() => ({
      scripts: document.querySelectorAll('.message__body script').length,
      images: document.querySelectorAll('.message__body img').length,
      javascriptLinks: [...document.querySelectorAll('.message__body a')].filter((a) => a.getAttribute('href')?.trim().toLowerCase().startsWith('javascript:')).length,
      handlers: [...document.querySelectorAll('.message__body *')].filter((el) => [...el.attributes].some((a) => a.name.startsWith('on'))).length,
      pwned: (window as unknown as { __pwned?: string }).__pwned ?? null,
    }));
    expect(found).toEqual({ scripts: 0, images: 0, javascriptLinks: 0, handlers: 0, pwned: null });
    // Give any lazy image a moment to load; nothing may reach the trap.
    await page.waitForTimeout(500);
    expect(trapHits).toEqual([]);
    // The fake model was really asked, by the real SDK, with the member's question.
    expect(JSON.stringify(fake!.requests.at(-1)?.body.messages)).toContain('question.png');
    await snap(page, 'safe-render');
    await page.goto(url('/'));
  }, 120_000);
});
