// An export of a workspace's data to a file under DATA_DIR/exports, made by the `export.run` job
// (exports/run-export.ts). The row outlives its file: an expired export keeps its figures.
import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { EXPORT_FORMATS, EXPORT_KINDS, EXPORT_STATUSES } from '@tandem/schema';

export const ExportEntity = defineEntity({
  name: 'Export',
  tableName: 'exports',
  indexes: [{ properties: ['workspaceId', 'createdAt'] }, { properties: ['status', 'finishedAt'] }, { properties: ['scheduleId', 'finishedAt'] }],
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    workspaceId: p.uuid(),
    /** Null for scheduled runs (the schedule's author is on the schedule). */
    requestedBy: p.uuid().nullable(),
    /** The schedule whose run this is (scheduled exports); null for exports made by hand. */
    scheduleId: p.uuid().nullable(),
    kind: p.enum([...EXPORT_KINDS]),
    format: p.enum([...EXPORT_FORMATS]),
    gzip: p.boolean().default(false),
    rangeFrom: p.datetime().nullable(),
    rangeTo: p.datetime().nullable(),
    agentIds: p.json<string[]>().default('[]'),
    status: p.enum([...EXPORT_STATUSES]).default('queued'),
    rows: p.bigint('number').default(0),
    bytes: p.bigint('number').default(0),
    /** Rows expected (counted before writing), where that is cheap to know; percent derives from it. */
    totalRows: p.bigint('number').nullable(),
    error: p.string().length(500).nullable(),
    /** The file's name under DATA_DIR/exports once complete (also the download's name). */
    fileName: p.string().length(200).nullable(),
    /** How many times a worker has started this export; a worker writes only while it is current. */
    attempt: p.integer().default(0),
    createdAt: p.datetime().onCreate(() => new Date()),
    startedAt: p.datetime().nullable(),
    finishedAt: p.datetime().nullable(),
    /**
     * A scheduled run's completion webhook (its schedule's webhook_url), as alert_events has it:
     * pending → delivered | failed; null when no webhook is due (none set, or not finished).
     */
    webhookState: p.enum(['pending', 'delivered', 'failed'] as const).nullable(),
    webhookAttempts: p.integer().default(0),
    /** What admins see of the last failed attempt: the status, or "unreachable" (never why). */
    webhookError: p.string().length(300).nullable(),
    webhookDeliveredAt: p.datetime().nullable(),
  },
});
export type IExport = InferEntity<typeof ExportEntity>;
