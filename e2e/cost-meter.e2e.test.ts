// Issue 10 item 5 in the browser: a conversation's header shows the assistant's tokens and cost so
// far, live for everyone in it. The replies come from a real OpenAI SDK call to a local server
// speaking OpenAI's wire protocol, which reports known usage; the cost is the worker's price for
// the model, and the sum survives a reload (it comes from the server, not the page).
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, onTestFailed, test } from 'vitest';
import { startFakeOpenAi } from '@tandem/worker/testing/fake-openai';
import { acceptInviteLink, createInviteLink, useBrowser, waitForWorkspace, type Person } from './browser.ts';

let fake: Awaited<ReturnType<typeof startFakeOpenAi>> | undefined;

/*
 * gpt-4o-mini lists at $0.15 per million prompt tokens and $0.60 per million completion tokens
 * (apps/worker/src/assistant/llm-loop.ts). Written out here rather than imported, so a wrong price
 * table or a wrong sum fails the test:
 *   first reply   1,200 + 300 = 1,500 tokens;  1200 × 0.15 + 300 × 0.6 = 360 µ$  → $0.00036
 *   second reply  2,800 + 700 = 3,500 tokens;  2800 × 0.15 + 700 × 0.6 = 840 µ$
 *   together      5,000 tokens, 1,200 µ$                                          → $0.0012
 */
const MODEL = 'gpt-4o-mini';
const AFTER_FIRST = '1.5K tokens · $0.00036';
const AFTER_SECOND = '5K tokens · $0.0012';

const { pages, url, openContext, snap, register } = useBrowser({
  waitMs: 30_000,
  height: 860,
  async env() {
    fake = await startFakeOpenAi([
      { text: ['Revenue grew ', 'by 12% this quarter.'], usage: { prompt: 1200, completion: 300 } },
      { text: ['Returns fell ', 'to 3%.'], usage: { prompt: 2800, completion: 700 } },
    ]);
    return { LLM_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: fake.url, OPENAI_MODEL: MODEL };
  },
});

afterAll(async () => {
  await fake?.close();
});

/** Waits until the page's meter reads exactly `text`. */
async function meterReads(page: Page, text: string): Promise<void> {
  const meter = page.getByTestId('cost-meter');
  await meter.filter({ hasText: text }).waitFor();
  expect((await meter.textContent())?.trim()).toBe(text);
}

async function ask(page: Page, question: string): Promise<void> {
  await page.getByTestId('composer-input').fill(question);
  await page.getByTestId('composer-input').press('Enter');
}

const completedReplies = (page: Page) => page.locator('[data-testid="message-assistant"][data-status="complete"]');

describe('cost meter', () => {
  test("the header shows the session's tokens and cost so far, live on every member's page and after a reload", async () => {
    onTestFailed(async () => {
      for (const [index, page] of pages.entries()) await snap(page, `cost-meter-failure-${index + 1}`).catch(() => undefined);
    });
    const suffix = Date.now().toString(36);
    const cora: Person = { name: 'Cora Cost', email: `cora-${suffix}@example.com`, password: 'correct horse 5' };
    const milo: Person = { name: 'Milo Meter', email: `milo-${suffix}@example.com`, password: 'battery staple 6' };

    // --- Cora creates a session; Milo joins her workspace through an invite link.
    const a = await openContext('light');
    await register(a, cora);
    const workspace = await waitForWorkspace(a);
    const b = await openContext('dark');
    await register(b, milo);
    await waitForWorkspace(b);
    await acceptInviteLink(b, await createInviteLink(a, url(`/w/${workspace}/members`), milo.email));
    await a.goto(url(`/w/${workspace}/sessions`));
    await a.getByTestId('new-session').first().click();
    await a.waitForURL(new RegExp(`/w/${workspace}/sessions/[^/]+$`));
    const conversationUrl = a.url();
    await b.goto(conversationUrl);
    for (const page of [a, b]) {
      await page.getByTestId('conversation-empty').waitFor();
      await page.locator('[data-testid="viewers"] [data-testid="viewer"]:nth-child(2)').waitFor();
    }

    // --- Nothing asked yet: no meter on either page.
    for (const page of [a, b]) expect(await page.getByTestId('cost-meter').count()).toBe(0);
    // A mark that a reload would wipe: Milo's page must update in place.
    await b.evaluate(() => ((window as unknown as { __sameDocument?: boolean }).__sameDocument = true));

    // --- Cora asks; the fake model reports 1,200 + 300 tokens; both headers show them and their cost.
    await ask(a, 'How did revenue do this quarter?');
    for (const page of [a, b]) {
      await completedReplies(page).first().waitFor();
      await meterReads(page, AFTER_FIRST);
    }
    await snap(a, 'cm01-meter-after-first-light');
    await snap(b, 'cm02-meter-after-first-dark');

    // --- A second question adds up, on Milo's page too, without a reload.
    await ask(a, 'And returns?');
    for (const page of [a, b]) {
      await completedReplies(page).nth(1).waitFor();
      await meterReads(page, AFTER_SECOND);
    }
    expect(await b.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    await snap(b, 'cm03-meter-after-second-dark');

    // The model the prices are for was the one asked, once per question, by the real SDK asking for usage.
    expect(fake!.requests.map((r) => [r.body.model, r.body.stream_options?.include_usage])).toEqual([[MODEL, true], [MODEL, true]]);

    // --- After a reload the meter shows the same total, now from the server's sums.
    for (const page of [a, b]) {
      await page.reload();
      await completedReplies(page).nth(1).waitFor();
      await meterReads(page, AFTER_SECOND);
    }
    expect(await b.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBeUndefined();

    // --- Narrow windows: at 720 px the header still holds title, meter, viewers and actions on one
    // line; on a phone the actions take a second line, and the meter stays one line inside the window.
    await a.setViewportSize({ width: 720, height: 860 });
    await snap(a, 'cm04-meter-narrow');
    await b.setViewportSize({ width: 390, height: 860 });
    const meter = b.getByTestId('cost-meter');
    // Its text fits the pill (a squeezed pill spills it over its edges) and the pill fits the window.
    expect(await meter.evaluate((el) => el.scrollWidth <= el.clientWidth && el.scrollHeight <= el.clientHeight)).toBe(true);
    const box = await meter.boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    await snap(b, 'cm05-meter-phone-dark');
  });
});
