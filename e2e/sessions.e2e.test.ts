// Shared sessions end to end: two people in one conversation see the same question, the same
// streamed reply from the offline assistant and the same tool call, live, in two browsers.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, onTestFailed, test } from 'vitest';
import { repoRoot, startTestServer, type TestServer } from './server.ts';

const distIndex = path.join(repoRoot, 'apps/web/dist/index.html');
const screenshotDir = path.join(repoRoot, 'test-results/screenshots');
const waitMs = 30_000;

let server: TestServer | undefined;
let browser: Browser | undefined;
const contexts: BrowserContext[] = [];
const pages: Page[] = [];

async function openContext(colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
  if (!browser) throw new Error('browser not started');
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme });
  context.setDefaultTimeout(waitMs);
  contexts.push(context);
  const page = await context.newPage();
  pages.push(page);
  return page;
}

async function snap(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}

async function register(page: Page, who: { name: string; email: string; password: string }): Promise<string> {
  await page.goto(`${server?.url}/`);
  await page.waitForURL(/\/login$/);
  await page.getByRole('tab', { name: 'Create account' }).click();
  await page.getByLabel('Name').fill(who.name);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByLabel('Password').press('Enter');
  await page.waitForURL(/\/w\/[^/]+\/sessions$/);
  const id = /\/w\/([^/]+)\//.exec(new URL(page.url()).pathname)?.[1];
  if (!id) throw new Error(`no workspace id in ${page.url()}`);
  return id;
}

beforeAll(async () => {
  if (!existsSync(distIndex)) {
    throw new Error(`apps/web/dist/index.html is missing: build the web client first (npm run build -w apps/web)`);
  }
  await mkdir(screenshotDir, { recursive: true });
  server = await startTestServer();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 90_000);

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
}, 30_000);

describe('shared sessions', () => {
  test('two members follow one conversation live: question, streamed reply, tool call', async () => {
    onTestFailed(async () => {
      for (const [index, page] of pages.entries()) await snap(page, `sessions-failure-${index + 1}`).catch(() => undefined);
    });
    const suffix = Date.now().toString(36);
    const ann = { name: 'Ann Avery', email: `ann-${suffix}@example.com`, password: 'correct horse 1' };
    const bea = { name: 'Bea Brook', email: `bea-${suffix}@example.com`, password: 'battery staple 2' };

    // --- A registers and creates a session from the empty list.
    const a = await openContext('light');
    const workspace = await register(a, ann);
    await a.getByTestId('sessions-empty').waitFor();
    await snap(a, 's01-sessions-empty');
    await a.getByTestId('new-session').first().click();
    await a.waitForURL(new RegExp(`/w/${workspace}/sessions/[^/]+$`));
    const conversationUrl = a.url();
    await a.getByTestId('conversation-empty').waitFor();

    // --- A renames it in place.
    await a.getByTestId('conversation-title').click();
    await a.getByTestId('conversation-title-input').fill('Quarterly review');
    await a.getByTestId('conversation-title-input').press('Enter');
    await a.getByTestId('conversation-title').getByText('Quarterly review').waitFor();
    await snap(a, 's02-conversation-empty');

    // --- B registers (dark scheme); A adds B as a member through the Members page.
    const b = await openContext('dark');
    await register(b, bea);
    await a.goto(`${server?.url}/w/${workspace}/members`);
    await a.getByLabel('Email', { exact: true }).fill(bea.email);
    await a.getByRole('button', { name: 'Add member' }).click();
    await a.getByLabel(`Role of ${bea.name}`).waitFor();

    // --- Both open the same conversation.
    await a.goto(conversationUrl);
    await b.goto(conversationUrl);
    for (const page of [a, b]) {
      await page.getByTestId('conversation-title').getByText('Quarterly review').waitFor();
      await page.getByTestId('composer-input').waitFor();
    }
    expect(await b.getByTestId('composer-input').isEnabled()).toBe(true);

    // --- Presence: both see both of them viewing.
    for (const page of [a, b]) await page.locator('[data-testid="viewers"] [data-testid="viewer"]:nth-child(2)').waitFor();

    // --- B starts typing; A sees who.
    await b.getByTestId('composer-input').fill('hello');
    await a.getByTestId('typing-indicator').getByText(`${bea.name} is typing…`).waitFor();
    await b.getByTestId('composer-input').fill('');

    // --- A asks; both see the question, then the completed reply and the tool card.
    const question = 'top products by revenue';
    await a.getByTestId('composer-input').fill(question);
    await a.getByTestId('composer-input').press('Enter');
    for (const page of [a, b]) {
      await page.getByTestId('message-user').filter({ hasText: question }).waitFor();
      await page.locator('[data-testid="message-assistant"][data-status="complete"]').waitFor();
      await page.locator('[data-testid="tool-card"][data-tool="get_product_analytics"]').waitFor();
    }
    expect(await a.getByTestId('message-user').count()).toBe(1);
    expect(await b.getByTestId('message-user').count()).toBe(1);
    expect(await b.getByTestId('message-user').first().textContent()).toContain(ann.name);
    expect(await b.getByTestId('message-assistant').first().textContent()).toContain('Offline assistant');
    const replyA = await a.locator('[data-testid="message-assistant"] .message__body').first().textContent();
    const replyB = await b.locator('[data-testid="message-assistant"] .message__body').first().textContent();
    expect(replyA?.trim().length).toBeGreaterThan(0);
    expect(replyB).toBe(replyA);
    await snap(a, 's03-conversation-answered-light');
    await snap(b, 's04-conversation-answered-dark');

    // --- A reload replays the same state (tool card included) from the server.
    await a.reload();
    await a.locator('[data-testid="message-assistant"][data-status="complete"]').waitFor();
    await a.locator('[data-testid="tool-card"][data-tool="get_product_analytics"]').waitFor();

    // --- The list shows the session; archiving moves it to the archived tab.
    await a.getByRole('button', { name: 'Archive' }).click();
    await a.getByTestId('archived-tag').waitFor();
    await a.getByTestId('composer-blocked').waitFor();
    await b.getByTestId('archived-tag').waitFor();
    await a.getByRole('link', { name: 'Back to sessions' }).click();
    await a.getByTestId('sessions-empty').waitFor();
    await a.getByTestId('sessions-archived-toggle').click();
    await a.getByTestId('session-item').filter({ hasText: 'Quarterly review' }).waitFor();
    await snap(a, 's05-sessions-archived');
  }, 180_000);
});
