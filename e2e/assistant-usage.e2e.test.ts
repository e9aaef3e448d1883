// The quota in sight and the monthly budget in the browser: the composer counts down the questions
// left this hour and says when the next frees; an admin sets a budget on the Costs page, and a
// workspace over it sees why questions are refused. Deleting a session takes it away from every
// open page at once.
import { describe, expect, onTestFailed, test } from 'vitest';
import { useBrowser, waitForWorkspace } from './browser.ts';

const { pages, url, openContext, snap, register } = useBrowser({ waitMs: 30_000, height: 860, env: async () => ({ ASSISTANT_RATE_LIMIT_PER_HOUR: '3', OFFLINE_WORD_DELAY_MS: '0' }) });

describe('assistant usage', () => {
  test('the composer counts questions down to none and says when the next frees; the Costs page sets the budget', async () => {
    onTestFailed(async () => {
      for (const [index, page] of pages.entries()) await snap(page, `usage-failure-${index + 1}`).catch(() => undefined);
    });
    const suffix = Date.now().toString(36);
    const page = await openContext('light');
    await register(page, { name: 'Quinn Quota', email: `quinn-${suffix}@example.com`, password: 'correct horse 1' });
    const workspace = await waitForWorkspace(page);
    await page.getByTestId('new-session').first().click();
    await page.waitForURL(new RegExp(`/w/${workspace}/sessions/[^/]+$`));

    // Fewer than 10 left from the start (limit 3): the hint counts down after each question.
    await page.getByTestId('composer-quota').getByText('3 of 3 questions left this hour').waitFor();
    for (const [i, left] of ['2 of 3', '1 of 3'].entries()) {
      await page.getByTestId('composer-input').fill(`sales by month ${i}`);
      await page.getByTestId('composer-send').click();
      await page.getByTestId('composer-quota').getByText(new RegExp(`^${left} questions left this hour \\(one more frees at`)).waitFor();
    }
    await page.getByTestId('composer-input').fill('top products');
    await page.getByTestId('composer-send').click();
    await page.getByTestId('composer-quota').getByText(/^No questions left this hour; the next can be asked at \d/).waitFor();
    // Asking anyway is refused with the time, and the question stays in the box.
    await page.getByTestId('composer-input').fill('inventory please');
    await page.getByTestId('composer-send').click();
    await page.getByTestId('composer-error').getByText(/3 questions this hour/).waitFor();
    expect(await page.getByTestId('composer-input').inputValue()).toBe('inventory please');
    await snap(page, 'u01-composer-quota');

    // The Costs page: the assistant's month, and the admin's budget form.
    await page.goto(url(`/w/${workspace}/metrics/costs`));
    await page.getByTestId('assistant-spend').getByText(/no monthly budget/).waitFor();
    await page.getByTestId('assistant-budget-input').fill('-5');
    await page.getByTestId('assistant-budget-save').click();
    await page.getByTestId('assistant-budget-error').waitFor();
    await page.getByTestId('assistant-budget-input').fill('0');
    await page.getByTestId('assistant-budget-save').click();
    // A budget of $0: reached at once, so the page says questions are refused.
    await page.getByTestId('assistant-over-budget').waitFor();
    await page.getByTestId('assistant-spend').getByText(/of \$0(\.00)? budget/).waitFor();
    await snap(page, 'u02-costs-budget');
    await page.getByTestId('assistant-budget-clear').click();
    await page.getByTestId('assistant-spend').getByText(/no monthly budget/).waitFor();
    expect(await page.getByTestId('assistant-over-budget').count()).toBe(0);
  });

  test('deleting a session sends its other open page back with a notice, and the list no longer has it', async () => {
    const suffix = Date.now().toString(36);
    const page = await openContext('light');
    await register(page, { name: 'Dana Delete', email: `dana-${suffix}@example.com`, password: 'correct horse 1' });
    const workspace = await waitForWorkspace(page);
    await page.getByTestId('new-session').first().click();
    await page.waitForURL(new RegExp(`/w/${workspace}/sessions/[^/]+$`));
    await page.getByTestId('conversation-title').click();
    await page.getByTestId('conversation-title-input').fill('Scratch work');
    await page.getByTestId('conversation-title-input').press('Enter');
    await page.getByTestId('conversation-title').getByText('Scratch work').waitFor();
    // A second page of the same conversation (another tab) is open when it is deleted.
    const other = await page.context().newPage();
    await other.goto(page.url());
    await other.getByTestId('composer-input').waitFor();

    await page.getByRole('button', { name: 'Delete Scratch work' }).click();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.waitForURL(new RegExp(`/w/${workspace}/sessions$`));
    await other.getByTestId('conversation-deleted').getByText('Dana Delete deleted it for everyone').waitFor();
    await snap(other, 'u03-session-deleted');
    expect(await page.getByText('Scratch work').count()).toBe(0);
  });
});
