// The web client end to end in real Chromium against a real server: accounts, workspaces, members, roles.
import type { Page } from 'playwright-core';
import { describe, expect, onTestFailed, test, vi } from 'vitest';
import { acceptInviteLink, createInviteLink, useBrowser, waitForWorkspace } from './browser.ts';

const waitMs = 15_000;
const { pages, url, openContext, snap, register } = useBrowser({ waitMs, height: 800 });

async function signIn(page: Page, who: { email: string; password: string }): Promise<void> {
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByLabel('Password').press('Enter');
}

async function switcherOptions(page: Page): Promise<string[]> {
  return page.getByTestId('workspace-switcher').locator('option').allTextContents();
}

describe('web client', () => {
  test('two users share a workspace; roles survive a reload; sign out and back in', async () => {
    // What each browser showed when it went wrong is usually the fastest clue.
    onTestFailed(async () => {
      for (const [index, page] of pages.entries()) await snap(page, `failure-${index + 1}`).catch(() => undefined);
    });
    const suffix = Date.now().toString(36);
    const alice = { name: 'Alice Archer', email: `alice-${suffix}@example.com`, password: 'correct horse 1' };
    const bob = { name: 'Bob Baker', email: `bob-${suffix}@example.com`, password: 'battery staple 2' };

    // --- A registers through the form and lands in a workspace of their own.
    const a = await openContext();
    await a.goto(url());
    await a.waitForURL(/\/login$/);
    await snap(a, '01-login');
    await a.getByRole('tab', { name: 'Create account' }).click();
    await a.getByLabel('Password').fill('short');
    await a.getByLabel('Password').press('Enter');
    await a.getByText('Name is required').waitFor();
    await a.getByText('Password must be at least 8 characters').waitFor();
    await snap(a, '02-register-validation');
    await register(a, alice);
    const ownWorkspace = await waitForWorkspace(a);
    await a.getByTestId('sessions-empty').waitFor();
    expect(await a.getByTestId('user-name').textContent()).toBe(alice.name);
    expect(await a.getByTestId('workspace-switcher').inputValue()).toBe(ownWorkspace);
    await snap(a, '03-sessions');

    for (const [label, testId] of [
      ['Metrics', 'metrics-empty'],
      ['Jobs', 'exports-empty'],
    ] as const) {
      await a.getByRole('link', { name: label }).click();
      await a.getByTestId(testId).waitFor();
      await snap(a, `04-${label.toLowerCase()}`);
    }

    // --- A creates a second workspace from the switcher.
    await a.getByTestId('workspace-switcher').selectOption({ label: 'New workspace…' });
    const dialog = a.getByRole('dialog', { name: 'New workspace' });
    await dialog.waitFor();
    await dialog.getByLabel('Name').fill('Ops Review');
    await snap(a, '05-new-workspace-dialog');
    await dialog.getByLabel('Name').press('Enter');
    const opsWorkspace = await waitForWorkspace(a);
    expect(opsWorkspace).not.toBe(ownWorkspace);
    await vi.waitFor(async () => expect(await a.getByTestId('workspace-switcher').inputValue()).toBe(opsWorkspace), {
      timeout: waitMs,
    });
    expect(await switcherOptions(a)).toContain('Ops Review');

    // --- B registers in a second browser context (dark scheme, to see the dark theme too).
    const b = await openContext('dark');
    await register(b, bob);
    await waitForWorkspace(b);
    expect(await switcherOptions(b)).not.toContain('Ops Review');

    // --- A invites B to "Ops Review" by link, B accepts, and A manages B's role.
    await a.getByRole('link', { name: 'Members' }).click();
    await a.waitForURL(`**/w/${opsWorkspace}/members`);
    await a.getByTestId('members-table').waitFor();
    await snap(a, '06-members-admin');

    const link = await createInviteLink(a, url(`/w/${opsWorkspace}/members`), bob.email);
    expect(await acceptInviteLink(b, link)).toBe(opsWorkspace);
    const bobRole = a.getByLabel(`Role of ${bob.name}`);
    await bobRole.waitFor();
    expect(await bobRole.inputValue()).toBe('member');
    expect(await a.locator(`[data-testid="member-row"][data-email="${bob.email}"]`).textContent()).toContain(bob.email);

    const roleSaved = a.waitForResponse((response) => response.url().includes('workspace.setRole'));
    await bobRole.selectOption('viewer');
    expect((await roleSaved).ok()).toBe(true);
    await a.reload();
    await a.getByLabel(`Role of ${bob.name}`).waitFor();
    expect(await a.getByLabel(`Role of ${bob.name}`).inputValue()).toBe('viewer');

    await snap(a, '07-members-after-changes');

    await a.getByRole('link', { name: 'Audit' }).click();
    await a.waitForURL(`**/w/${opsWorkspace}/audit`);
    await a.getByTestId('audit-table').or(a.getByTestId('audit-empty')).first().waitFor();
    await snap(a, '08-audit');

    // --- B now sees "Ops Review" as a viewer: read-only members, no audit link.
    await b.reload();
    await vi.waitFor(async () => expect(await switcherOptions(b)).toContain('Ops Review'), { timeout: waitMs });
    await b.goto(url(`/w/${opsWorkspace}/members`));
    await b.getByTestId('members-table').waitFor();
    expect(await b.getByRole('button', { name: 'Create invite link' }).count()).toBe(0);
    expect(await b.getByRole('link', { name: 'Audit' }).count()).toBe(0);
    await snap(b, '09-members-viewer-dark');

    // --- A signs out, fails once with a wrong password, then signs in again.
    await a.getByRole('button', { name: 'Sign out' }).click();
    await a.waitForURL(/\/login$/);
    await signIn(a, { email: alice.email, password: 'not the password' });
    await a.getByTestId('auth-error').getByText('Invalid email or password').waitFor();
    await snap(a, '10-login-error');
    await signIn(a, alice);
    await waitForWorkspace(a);
    expect(await switcherOptions(a)).toContain('Ops Review');
    await snap(a, '11-signed-in-again');
  }, 180_000);

  test('the last admin cannot demote themself; the server says why, inline', async () => {
    const carol = { name: 'Carol Chen', email: `carol-${Date.now().toString(36)}@example.com`, password: 'carol password 3' };
    const page = await openContext();
    onTestFailed(async () => {
      await snap(page, 'failure-last-admin').catch(() => undefined);
    });
    await register(page, carol);
    const workspace = await waitForWorkspace(page);
    await page.goto(url(`/w/${workspace}/members`));
    const ownRole = page.getByLabel(`Role of ${carol.name}`);
    await ownRole.selectOption('member');
    await page.getByTestId('members-error').getByText('A workspace must keep at least one admin').waitFor();
    await vi.waitFor(async () => expect(await ownRole.inputValue()).toBe('admin'), { timeout: waitMs });
    await snap(page, '12-members-last-admin-error');
  }, 60_000);
});
