import { describe, expect, it } from 'vitest';
import { parseDateBound, resolveRange, toolJsonSchemas, tools, toolsByName } from '../src/index.ts';

const TASK_TOOLS = new Set(['create_task', 'list_tasks', 'update_task', 'toggle_task_completion', 'delete_task']);

describe('tool definitions', () => {
  it('registers the tools by name, each analytics tool accepting {}', () => {
    expect(tools.map((t) => t.name)).toEqual([
      'get_sales_by_month', 'get_inventory_status', 'get_product_analytics', 'list_agents', 'query_agent_metrics',
      'create_task', 'list_tasks', 'update_task', 'toggle_task_completion', 'delete_task',
    ]);
    for (const tool of tools.filter((t) => !TASK_TOOLS.has(t.name))) {
      expect(toolsByName.get(tool.name)).toBe(tool);
      expect(tool.parameters.safeParse({}).success).toBe(true);
    }
    expect(toolsByName.get('get_product_analytics')!.parameters.parse({})).toEqual({ metric: 'revenue', order: 'top', limit: 10 });
    expect(toolsByName.get('get_inventory_status')!.parameters.parse({})).toEqual({ belowReorderOnly: false });
  });

  it('describes parameters as JSON Schema; only task tools require what names a task', () => {
    const schemas = toolJsonSchemas();
    expect(schemas.map((s) => s.name)).toEqual(tools.map((t) => t.name));
    const required = Object.fromEntries(schemas.map((s) => [s.name, s.parameters.required ?? []]));
    expect(required).toMatchObject({ create_task: ['title'], list_tasks: [], update_task: ['task'], toggle_task_completion: ['task'], delete_task: ['task'] });
    for (const s of schemas) {
      expect(s.description.length).toBeGreaterThan(40);
      expect(s.parameters).toMatchObject({ type: 'object' });
      if (!TASK_TOOLS.has(s.name)) expect(s.parameters.required ?? []).toEqual([]);
      expect(s.parameters).not.toHaveProperty('$schema');
    }
    const analytics = schemas.find((s) => s.name === 'get_product_analytics')!.parameters as { properties: Record<string, Record<string, unknown>> };
    expect(analytics.properties.limit).toMatchObject({ type: 'integer', minimum: 1, maximum: 50, default: 10 });
    expect(analytics.properties.metric).toMatchObject({ enum: ['revenue', 'units', 'margin'] });
    // Generated from the same zod schemas as task.create: the limits are the API's.
    const create = schemas.find((s) => s.name === 'create_task')!.parameters as { properties: Record<string, Record<string, unknown>> };
    expect(Object.keys(create.properties)).toEqual(['title', 'notes', 'due']);
    expect(create.properties.title).toMatchObject({ type: 'string' });
    const list = schemas.find((s) => s.name === 'list_tasks')!.parameters as { properties: Record<string, Record<string, unknown>> };
    expect(list.properties.filter).toMatchObject({ enum: ['open', 'done', 'all'], default: 'open' });
  });
});

describe('date parameters', () => {
  it('reads years, months, days and date-times as UTC bounds', () => {
    expect(parseDateBound('2025', 'start')?.toISOString()).toBe('2025-01-01T00:00:00.000Z');
    expect(parseDateBound('2025', 'end')?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(parseDateBound('2025-02', 'end')?.toISOString()).toBe('2025-03-01T00:00:00.000Z');
    expect(parseDateBound('2025-12-31', 'end')?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(parseDateBound('2025-03-04T05:06:07+01:00', 'end')?.toISOString()).toBe('2025-03-04T04:06:07.000Z');
    for (const bad of ['2025-13', '2025-02-30', 'yesterday', '2025-03-04T05:06', '']) expect(parseDateBound(bad, 'start')).toBeNull();
  });

  it('defaults to the last 12 calendar months up to now', () => {
    const now = new Date('2026-01-15T08:00:00Z');
    const r = resolveRange({}, now);
    expect(r.from.toISOString()).toBe('2025-02-01T00:00:00.000Z');
    expect(r.to).toBe(now);
    expect(resolveRange({ to: '2025-06' }, now).from.toISOString()).toBe('2024-07-01T00:00:00.000Z');
  });
});
