// Shared setup of the browser tests: one real server and one Debian Chromium per spec file,
// browser contexts that are closed afterwards, and the few page steps every spec needs.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { repoRoot, startTestServer, type TestServer } from './server.ts';

const distIndex = path.join(repoRoot, 'apps/web/dist/index.html');
const screenshotDir = path.join(repoRoot, 'test-results/screenshots');

/** Flags for headless Chromium as root on a machine with no network but loopback. */
const CHROMIUM_ARGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export interface Person {
  name: string;
  email: string;
  password: string;
}

/** Registers beforeAll/afterAll hooks in the calling spec file and returns its browser helpers. */
export function useBrowser(opts: { waitMs: number; height: number; env?: () => Promise<Record<string, string>> }) {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const pages: Page[] = [];

  beforeAll(async () => {
    if (!existsSync(distIndex))
      throw new Error('apps/web/dist/index.html is missing: build the web client first (npm run build -w apps/web)');
    await mkdir(screenshotDir, { recursive: true });
    server = await startTestServer(await opts.env?.());
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  }, 150_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
  }, 30_000);

  return {
    pages,
    url: (pathname = '/') => `${server?.url}${pathname}`,

    async openContext(colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
      if (!browser) throw new Error('browser not started');
      const context = await browser.newContext({ viewport: { width: 1280, height: opts.height }, colorScheme });
      context.setDefaultTimeout(opts.waitMs);
      contexts.push(context);
      const page = await context.newPage();
      pages.push(page);
      return page;
    },

    async snap(page: Page, name: string): Promise<void> {
      await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
    },

    /** Fills in the register form and submits it. */
    async register(page: Page, who: Person): Promise<void> {
      await page.goto(`${server?.url}/`);
      await page.waitForURL(/\/login$/);
      await page.getByRole('tab', { name: 'Create account' }).click();
      await page.getByLabel('Name').fill(who.name);
      await page.getByLabel('Email').fill(who.email);
      await page.getByLabel('Password').fill(who.password);
      await page.getByLabel('Password').press('Enter');
    },
  };
}

/** Waits until the URL is a workspace page and returns that workspace's id. */
export async function waitForWorkspace(page: Page, section = 'sessions'): Promise<string> {
  await page.waitForURL(new RegExp(`/w/[^/]+/${section}$`));
  const id = /\/w\/([^/]+)\//.exec(new URL(page.url()).pathname)?.[1];
  if (!id) throw new Error(`no workspace id in ${page.url()}`);
  return id;
}

/**
 * An admin's invite link, made on the Members page of `workspaceId` (the page must be signed in
 * as an admin of it): the email labels it, the role is the one it grants.
 */
export async function createInviteLink(page: Page, membersUrl: string, email: string, role: 'admin' | 'member' | 'viewer' = 'member'): Promise<string> {
  await page.goto(membersUrl);
  await page.getByLabel('For (email)').fill(email);
  await page.getByLabel('Role', { exact: true }).selectOption(role);
  await page.getByRole('button', { name: 'Create invite link' }).click();
  const link = page.getByTestId('invite-link');
  await link.waitFor();
  return link.inputValue();
}

/** Opens an invite link in a signed-in page, accepts it, and returns the workspace it lands in. */
export async function acceptInviteLink(page: Page, link: string): Promise<string> {
  await page.goto(link);
  await page.getByRole('button', { name: 'Accept invitation' }).click();
  return waitForWorkspace(page);
}
