// Tasks in the browser: the page's own create/edit/complete/delete, and a task the offline
// assistant creates from a chat question appears on an open Tasks page without a reload.
// Access tokens: made once, shown once, listed, revoked.
import { describe, expect, onTestFailed, test } from 'vitest';
import { useBrowser, waitForWorkspace } from './browser.ts';

const { pages, url, openContext, snap, register } = useBrowser({ waitMs: 30_000, height: 820 });

describe('tasks', () => {
  test('the Tasks page manages tasks and shows one the assistant creates, live', async () => {
    onTestFailed(async () => {
      for (const [index, page] of pages.entries()) await snap(page, `tasks-failure-${index + 1}`).catch(() => undefined);
    });
    const suffix = Date.now().toString(36);
    const tasks = await openContext('light');
    await register(tasks, { name: 'Tia Tasker', email: `tia-${suffix}@example.com`, password: 'correct horse 1' });
    const workspace = await waitForWorkspace(tasks);

    // --- The empty page, then the page's own create, complete, edit and delete.
    await tasks.getByRole('link', { name: 'Tasks' }).click();
    await tasks.getByTestId('tasks-empty').waitFor();
    await tasks.locator('[data-testid="tasks-live"][data-state="live"]').waitFor();
    await snap(tasks, 't01-tasks-empty');
    await tasks.getByTestId('create-task').click();
    await tasks.getByTestId('task-title-error').waitFor();
    await tasks.getByLabel('New task').fill('Renew the domain');
    await tasks.getByLabel('Due', { exact: true }).fill('2030-01-15');
    await tasks.getByTestId('create-task').click();
    await tasks.locator('[data-testid="task"][data-title="Renew the domain"]').getByText('due in').waitFor();
    await tasks.getByLabel('New task').fill('Water the plants');
    await tasks.getByLabel('New task').press('Enter');
    await tasks.locator('[data-testid="task"][data-title="Water the plants"]').waitFor();

    await tasks.getByLabel('Complete Water the plants').check();
    await tasks.locator('[data-testid="task"][data-title="Water the plants"][data-completed="true"]').waitFor({ state: 'detached' }).catch(() => undefined);
    // Open shows only the open task now; Done shows the completed one.
    await expect.poll(() => tasks.getByTestId('task').count()).toBe(1);
    await tasks.getByRole('button', { name: /^Done/ }).click();
    await tasks.locator('[data-testid="task"][data-title="Water the plants"][data-completed="true"]').waitFor();
    await tasks.getByRole('button', { name: /^Open/ }).click();

    await tasks.getByRole('button', { name: 'Edit Renew the domain' }).click();
    await tasks.getByLabel('Title', { exact: true }).fill('Renew tandem.example');
    await tasks.getByRole('button', { name: 'Save' }).click();
    await tasks.locator('[data-testid="task"][data-title="Renew tandem.example"]').waitFor();

    // --- In another tab, the assistant is asked; the Tasks page, not reloaded, shows the task.
    const chat = await tasks.context().newPage();
    pages.push(chat);
    await chat.goto(url(`/w/${workspace}/sessions`));
    await chat.getByTestId('new-session').first().click();
    await chat.getByTestId('composer-input').fill('Remind me to call Ana about the Q4 report');
    await chat.getByTestId('composer-input').press('Enter');
    await chat.locator('[data-testid="tool-card"][data-tool="create_task"]').getByTestId('tool-task-action').getByText('Added “Call Ana about the Q4 report”').waitFor();
    await chat.locator('[data-testid="message-assistant"][data-status="complete"]').getByText('to your tasks').waitFor();
    await snap(chat, 't02-chat-task-card');

    await tasks.locator('[data-testid="task"][data-title="Call Ana about the Q4 report"]').waitFor();
    expect(await tasks.getByTestId('task').count()).toBe(2);
    await snap(tasks, 't03-tasks-live');

    // --- "mark … as done" in the chat: the page follows.
    await chat.getByTestId('composer-input').fill('mark call ana as done');
    await chat.getByTestId('composer-input').press('Enter');
    await chat.locator('[data-testid="tool-card"][data-tool="toggle_task_completion"]').waitFor();
    await expect.poll(() => tasks.getByTestId('task').count()).toBe(1);

    // --- Delete asks first.
    await tasks.getByRole('button', { name: 'Delete Renew tandem.example' }).click();
    await tasks.getByRole('button', { name: 'Delete', exact: true }).click();
    await tasks.getByTestId('tasks-empty').getByText('All done').waitFor();
  }, 180_000);

  test('access tokens: created once with an MCP config, listed, revoked', async () => {
    const suffix = Date.now().toString(36);
    const page = await openContext('dark');
    await register(page, { name: 'Mo Mcp', email: `mo-${suffix}@example.com`, password: 'correct horse 2' });
    await waitForWorkspace(page);
    await page.getByRole('link', { name: 'Access tokens' }).click();
    await page.getByTestId('tokens-empty').waitFor();
    await page.getByLabel('Label').fill('Claude Desktop');
    await page.getByTestId('create-token').click();
    const token = (await page.getByTestId('new-token-value').textContent())?.trim() ?? '';
    expect(token).toMatch(/^tdp_[A-Za-z0-9_-]{43}$/);
    expect(await page.getByTestId('new-token-mcp').textContent()).toContain(`"Authorization": "Bearer ${token}"`);
    await snap(page, 't04-token-created');
    await page.getByRole('button', { name: 'I have copied it' }).click();
    const row = page.locator('[data-testid="token-row"][data-label="Claude Desktop"]');
    await row.getByText(token.slice(0, 12)).waitFor();
    expect(await page.getByTestId('new-token-value').count()).toBe(0);

    const res = await fetch(url('/mcp'), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
    });
    expect(res.status).toBe(200);
    await row.getByRole('button', { name: 'Revoke Claude Desktop' }).click();
    await row.getByRole('button', { name: 'Revoke', exact: true }).click();
    await row.getByTestId('token-revoked').waitFor();
    await snap(page, 't05-token-revoked');
    const after = await fetch(url('/mcp'), { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
    expect(after.status).toBe(401);
  }, 120_000);
});
