// Invitations and accounts end to end: an admin's invite link is copied, opened by someone who
// registers on the way and joins; an account squatting the invited email sees nothing; a password change.
import type { Page } from 'playwright-core';
import { describe, expect, onTestFailed, test, vi } from 'vitest';
import { createInviteLink, useBrowser, waitForWorkspace, type Person } from './browser.ts';

const waitMs = 20_000;
const { pages, url, openContext, snap, register } = useBrowser({ waitMs, height: 820 });

async function signIn(page: Page, who: { email: string; password: string }): Promise<void> {
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByLabel('Password').press('Enter');
}

const switcherOptions = (page: Page) => page.getByTestId('workspace-switcher').locator('option').allTextContents();

describe('invitations', () => {
  test('an admin copies an invite link; a new user registers through it and joins; the email squatter sees nothing', async () => {
    onTestFailed(async () => {
      for (const [index, page] of pages.entries()) await snap(page, `invite-failure-${index + 1}`).catch(() => undefined);
    });
    const suffix = Date.now().toString(36);
    const admin: Person = { name: 'Ada Admin', email: `ada-${suffix}@example.com`, password: 'correct horse 1' };
    const invitedEmail = `dana-${suffix}@corp.example`;
    const squatter: Person = { name: 'Not Dana', email: invitedEmail, password: 'squatter pass 2' };
    const dana: Person = { name: 'Dana Diaz', email: `dana.diaz-${suffix}@example.com`, password: 'battery staple 3' };

    // --- The squatter registers the address the admin is about to invite.
    const c = await openContext();
    await register(c, squatter);
    await waitForWorkspace(c);

    // --- The admin creates a workspace's invite link for that address and copies it.
    const a = await openContext();
    await a.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url() });
    await register(a, admin);
    const workspace = await waitForWorkspace(a);
    const workspaceName = `${admin.name}'s workspace`;
    const link = await createInviteLink(a, url(`/w/${workspace}/members`), invitedEmail, 'member');
    expect(link).toMatch(new RegExp(`^${url('/invite/')}tdi_[\\w-]{43}$`));
    await a.getByTestId('invite-copy').click();
    await a.getByTestId('invite-copy').getByText('Copied').waitFor();
    expect(await a.evaluate(() => navigator.clipboard.readText())).toBe(link);
    const pending = a.locator(`[data-testid="invitation-row"][data-email="${invitedEmail}"]`);
    await pending.waitFor();
    await snap(a, 'i01-invite-link');

    // --- Dana opens the link signed out: sign up first, then back to the invitation.
    const d = await openContext('dark');
    await d.goto(link);
    await d.waitForURL(/\/login\?next=/);
    await d.getByTestId('auth-invite-note').waitFor();
    await d.getByRole('tab', { name: 'Create account' }).click();
    await d.getByLabel('Name').fill(dana.name);
    await d.getByLabel('Email').fill(dana.email);
    await d.getByLabel('Password').fill(dana.password);
    await snap(d, 'i02-register-for-invite');
    await d.getByLabel('Password').press('Enter');
    await d.waitForURL(/\/invite\/tdi_/);
    await d.getByTestId('invitation-workspace').getByText(workspaceName).waitFor();
    expect(await d.getByTestId('invitation').textContent()).toContain('Member');
    await snap(d, 'i03-invitation');
    await d.getByRole('button', { name: 'Accept invitation' }).click();
    expect(await waitForWorkspace(d)).toBe(workspace);
    await vi.waitFor(async () => expect(await switcherOptions(d)).toContain(workspaceName), { timeout: waitMs });

    // --- The admin sees Dana among the members, and the link gone from the pending ones.
    await a.getByLabel(`Role of ${dana.name}`).waitFor();
    await pending.waitFor({ state: 'detached' });
    await a.getByTestId('invitations-empty').waitFor();
    await snap(a, 'i04-members-after-accept');

    // --- The used link opens nothing for the squatter, who sees nothing of the workspace.
    await c.goto(link);
    await c.getByTestId('invitation-error').getByText(/already been used/).waitFor();
    await snap(c, 'i05-used-link');
    await c.goto(url(`/w/${workspace}/members`));
    await c.getByTestId('workspace-missing').waitFor();
    expect(await switcherOptions(c)).not.toContain(workspaceName);

    // --- A revoked link opens nothing either.
    const revoked = await createInviteLink(a, url(`/w/${workspace}/members`), `someone-${suffix}@example.com`, 'viewer');
    await a.getByRole('button', { name: `Revoke the invitation for someone-${suffix}@example.com` }).click();
    await a.getByRole('button', { name: 'Revoke', exact: true }).click();
    await a.getByTestId('invitations-empty').waitFor();
    await c.goto(revoked);
    await c.getByTestId('invitation-error').getByText(/revoked/).waitFor();
    await c.goto(url(`/w/${workspace}/members`));
    await c.getByTestId('workspace-missing').waitFor();
  }, 180_000);

  test('a user changes their password on the Account page and signs in with the new one', async () => {
    const suffix = Date.now().toString(36);
    const erin: Person = { name: 'Erin Eve', email: `erin-${suffix}@example.com`, password: 'correct horse 4' };
    const page = await openContext();
    onTestFailed(async () => {
      await snap(page, 'account-failure').catch(() => undefined);
    });
    await register(page, erin);
    const workspace = await waitForWorkspace(page);
    await page.getByRole('link', { name: 'Account' }).click();
    await page.waitForURL(/\/account$/);

    // Wrong current password, a short new one, and two that differ: each said where it belongs.
    const fill = async (current: string, next: string, confirm: string) => {
      await page.getByLabel('Current password').fill(current);
      await page.getByLabel('New password', { exact: true }).fill(next);
      await page.getByLabel('Repeat the new password').fill(confirm);
      await page.getByRole('button', { name: 'Change password' }).click();
    };
    await fill(erin.password, 'short', 'short');
    await page.getByTestId('new-password-error').getByText('New password must be at least 8 characters').waitFor();
    await fill(erin.password, 'a new secret 5', 'a new secret 6');
    await page.getByTestId('confirm-password-error').getByText('The two new passwords differ').waitFor();
    await fill('not my password', 'a new secret 5', 'a new secret 5');
    await page.getByTestId('current-password-error').getByText('The current password is wrong').waitFor();
    await snap(page, 'i06-account-wrong-password');
    await fill(erin.password, 'a new secret 5', 'a new secret 5');
    await page.getByTestId('password-changed').waitFor();
    await snap(page, 'i07-account-changed');

    // Still signed in here; then out, and back in with the new password only.
    await page.goto(url(`/w/${workspace}/sessions`));
    await page.getByTestId('sessions-empty').waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login$/);
    await signIn(page, erin);
    await page.getByTestId('auth-error').getByText('Invalid email or password').waitFor();
    await signIn(page, { email: erin.email, password: 'a new secret 5' });
    expect(await waitForWorkspace(page)).toBe(workspace);
  }, 120_000);
});
