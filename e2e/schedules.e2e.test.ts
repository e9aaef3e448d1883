// Scheduled exports, retention and audit filters in the browser: an admin schedules an export (a
// completion webhook at a private address refused, a public one kept) and sees its next runs in the
// chosen zone, pauses it, then filters the audit log (kept in the URL).
import { describe, expect, onTestFailed, test } from 'vitest';
import { useBrowser, waitForWorkspace } from './browser.ts';

const { pages, url, openContext, snap, register } = useBrowser({ waitMs: 30_000, height: 1400 });

describe('scheduled exports and audit filters', () => {
  test('an admin schedules an export, sees its next runs, pauses it, and filters the audit log', async () => {
    onTestFailed(async () => {
      for (const [index, page] of pages.entries()) await snap(page, `schedules-failure-${index + 1}`).catch(() => undefined);
    });
    const suffix = Date.now().toString(36);
    const page = await openContext('light');
    await register(page, { name: 'Sam Schedule', email: `sam-${suffix}@example.com`, password: 'correct horse 1' });
    const workspace = await waitForWorkspace(page);

    await page.goto(url(`/w/${workspace}/jobs`));
    await page.getByTestId('schedules-empty').waitFor();
    await page.getByTestId('retention-setting').waitFor();
    await expect.poll(() => page.getByTestId('retention-setting').textContent(), { timeout: 30_000 }).toContain('30 days');

    // The preview follows the cron and the zone as they are typed; a bad cron says why and cannot be saved.
    await page.getByTestId('schedule-cron').fill('every morning');
    await expect.poll(() => page.getByTestId('schedule-preview').textContent(), { timeout: 30_000 }).toContain('Five fields');
    expect(await page.getByTestId('create-schedule').isDisabled()).toBe(true);
    await page.getByTestId('schedule-cron').fill('0 9 * * 1-5');
    await page.getByTestId('schedule-zone').selectOption('Asia/Tokyo');
    const preview = page.getByTestId('schedule-preview').locator('li');
    await expect.poll(() => preview.count(), { timeout: 30_000 }).toBe(5);
    for (const text of await preview.allTextContents()) expect(text).toMatch(/09:00/);
    await expect.poll(() => page.getByTestId('schedule-preview').textContent(), { timeout: 30_000 }).toContain('Asia/Tokyo');
    await page.getByLabel('Scheduled data').selectOption('audit');
    // A completion webhook at a private address is refused under its field, and nothing is saved.
    await page.getByTestId('schedule-webhook').fill('http://10.0.0.5/hook');
    await page.getByTestId('create-schedule').click();
    await expect.poll(() => page.getByTestId('schedule-webhook-error').textContent(), { timeout: 30_000 }).toContain('10.0.0.5 is a private address');
    expect(await page.getByTestId('schedule-row').count()).toBe(0);
    await page.getByTestId('schedule-webhook').fill('https://hooks.example.com/services/e2e');
    await page.getByTestId('create-schedule').click();

    const row = page.getByTestId('schedule-row');
    await row.waitFor();
    expect(await row.textContent()).toContain('0 9 * * 1-5');
    expect(await row.getByTestId('schedule-webhook-url').textContent()).toContain('https://hooks.example.com/services/e2e');
    expect(await page.getByTestId('schedule-webhook').inputValue()).toBe('');
    const next = await row.getByTestId('schedule-next').locator('div').allTextContents();
    expect(next).toHaveLength(3);
    for (const text of next) expect(text).toMatch(/09:00/);
    await snap(page, 'schedules-01-created');

    await row.getByTestId('schedule-pause').click();
    await page.locator('[data-testid="schedule-row"][data-paused="true"]').waitFor();
    expect(await row.getByTestId('schedule-next').textContent()).toContain('paused');

    // Retention: a shorter period for this workspace, then a sweep now with its report.
    await page.getByTestId('retention-days').fill('45');
    await page.getByTestId('retention-save').click();
    await expect.poll(() => page.getByTestId('retention-setting').textContent(), { timeout: 30_000 }).toContain('45 days');
    await page.getByTestId('retention-run').click();
    await expect.poll(() => page.getByTestId('retention-last').textContent(), { timeout: 30_000 }).toMatch(/\(by an admin\): 0 archived, 0 purged/);
    await snap(page, 'schedules-02-paused-and-retention');

    // The audit log, filtered to schedule changes; the filter lives in the URL and survives a reload.
    await page.goto(url(`/w/${workspace}/audit`));
    await page.getByTestId('audit-table').waitFor();
    await page.getByTestId('audit-filter-action').selectOption('export.schedule.');
    await expect.poll(() => page.url(), { timeout: 30_000 }).toContain('action=export.schedule.');
    const actions = () => page.getByTestId('audit-table').locator('tbody tr code').allTextContents();
    await expect.poll(actions, { timeout: 30_000 }).toEqual(['export.schedule.pause', 'export.schedule.create']);
    await page.reload();
    await expect.poll(actions, { timeout: 30_000 }).toEqual(['export.schedule.pause', 'export.schedule.create']);
    expect(await page.getByTestId('audit-filter-action').inputValue()).toBe('export.schedule.');
    await page.getByTestId('audit-filter-action').selectOption('retention.');
    await expect.poll(actions, { timeout: 30_000 }).toEqual(['retention.sweep', 'retention.set']);
    await snap(page, 'schedules-03-audit-filtered');
    await page.getByTestId('audit-filter-clear').click();
    await expect.poll(async () => (await actions()).length, { timeout: 30_000 }).toBeGreaterThan(4);
  });
});
