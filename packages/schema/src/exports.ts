// The export router (export.create, list, get, cancel, retry, events) and the export job's payload.
// Scheduled exports (export.schedule…) reuse exportSpecSchema.
import { z } from 'zod';
import { idSchema } from './auth.ts';

export const EXPORT_KINDS = ['conversations', 'messages', 'metrics', 'audit', 'tasks'] as const;
export const exportKindSchema = z.enum(EXPORT_KINDS);
export type ExportKind = z.infer<typeof exportKindSchema>;

export const EXPORT_FORMATS = ['csv', 'json', 'ndjson'] as const;
export const exportFormatSchema = z.enum(EXPORT_FORMATS);
export type ExportFormat = z.infer<typeof exportFormatSchema>;

export const EXPORT_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled', 'expired'] as const;
export type ExportStatus = (typeof EXPORT_STATUSES)[number];

/** Epoch milliseconds, before the year 10000 (what Date and timestamptz both hold). */
const epochMs = z.number().int().nonnegative().max(253_402_300_799_999, 'must be before the year 10000');

/** What to export: everything export.create takes but the workspace (export.schedule reuses it). */
export const exportSpecFields = {
  kind: exportKindSchema,
  format: exportFormatSchema,
  /** Rows created (samples taken) at or after this instant; omitted: from the beginning. */
  from: epochMs.optional(),
  /** Rows before this instant; omitted: up to the time the export runs. */
  to: epochMs.optional(),
  /** metrics only: these agents (omitted: every agent of the workspace). */
  agentIds: z.array(idSchema).max(50).optional(),
  gzip: z.boolean().default(false),
};
/** `to` after `from` when both are given. */
export const rangeInOrder = (s: { from?: number; to?: number }) => s.from === undefined || s.to === undefined || s.to > s.from;
const rangeProblem = { message: 'must be after from', path: ['to'] };
export const exportSpecSchema = z.object(exportSpecFields).refine(rangeInOrder, rangeProblem);
export type ExportSpec = z.input<typeof exportSpecSchema>;

export const createExportInput = z.object({ workspaceId: idSchema, ...exportSpecFields }).refine(rangeInOrder, rangeProblem);
export const exportIdInput = z.object({ workspaceId: idSchema, exportId: idSchema });
export const listExportsInput = z.object({
  workspaceId: idSchema,
  /** Newest first; the next page starts before this export's creation (its id). */
  cursor: idSchema.optional(),
  limit: z.number().int().min(1).max(100).default(50),
});
export const exportEventsInput = z.object({ workspaceId: idSchema });

/** The export job: the export row says what to do (its id is the job id). */
export const exportRunJob = z.object({ exportId: z.uuid() });

export interface ExportView {
  id: string;
  workspaceId: string;
  kind: ExportKind;
  format: ExportFormat;
  gzip: boolean;
  from: number | null;
  to: number | null;
  agentIds: string[];
  status: ExportStatus;
  /** Rows written so far (or in all, once completed). */
  rows: number;
  bytes: number;
  /** 0-100 where the total is known, else null. */
  percent: number | null;
  error: string | null;
  fileName: string | null;
  scheduleId: string | null;
  requestedBy: string | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  /** When the file is removed (completed exports). */
  expiresAt: number | null;
  /** A signed link valid for an hour, for completed exports. */
  downloadUrl: string | null;
}

/** What export.events pushes: the export as it is now. */
export type ExportEvent = ExportView;
