// Shared sessions end to end: two people in one conversation see the same question, the same
// streamed reply from the offline assistant and the same tool call, live, in two browsers.
import type { Page } from 'playwright-core';
import { describe, expect, onTestFailed, test } from 'vitest';
import { acceptInviteLink, createInviteLink, useBrowser, waitForWorkspace, type Person } from './browser.ts';

const { pages, url, openContext, snap, register: fillRegisterForm } = useBrowser({ waitMs: 30_000, height: 860 });

/** Registers through the form and returns the new user's own workspace id. */
async function register(page: Page, who: Person): Promise<string> {
  await fillRegisterForm(page, who);
  return waitForWorkspace(page);
}


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

    // --- B registers (dark scheme); A invites B by link from the Members page; B accepts.
    const b = await openContext('dark');
    await register(b, bea);
    await acceptInviteLink(b, await createInviteLink(a, url(`/w/${workspace}/members`), bea.email));
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
    expect(await b.getByTestId('message-assistant').first().textContent()).toContain('Assistant');
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
