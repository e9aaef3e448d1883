// One domain error type. Services throw AppError; the server maps codes to tRPC and HTTP.
import {
  CheckConstraintViolationException, DriverException, ForeignKeyConstraintViolationException,
  NotNullConstraintViolationException, UniqueConstraintViolationException,
} from '@mikro-orm/postgresql';

export const errorCodes = {
  /** No or bad credentials / token. */
  UNAUTHORIZED: 401,
  /** Authenticated, but the role is too low. */
  FORBIDDEN: 403,
  /** Missing, or belongs to another workspace (never reveal which). */
  NOT_FOUND: 404,
  /** Input is well-formed but not acceptable (also: a value the database refused, see databaseRefusal). */
  BAD_REQUEST: 400,
  /** Would break an invariant (duplicate, last admin, a row changed or removed meanwhile). */
  CONFLICT: 409,
  /** Rate limited; carries retryAfterMs. */
  TOO_MANY_REQUESTS: 429,
  /** A dependency (database, queue) is down. */
  SERVICE_UNAVAILABLE: 503,
} as const;
export type AppErrorCode = keyof typeof errorCodes;

export interface AppErrorDetails {
  retryAfterMs?: number;
  /** The input field the error is about, when there is one (forms show the message beside it). */
  field?: string;
}

export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly details: AppErrorDetails = {},
  ) {
    super(message);
  }
  get httpStatus(): number {
    return errorCodes[this.code];
  }
}

/**
 * Unique constraints whose violation a person can cause, with what to tell them. Others still
 * answer CONFLICT, naming the field after the constraint's columns.
 */
const UNIQUE_CONSTRAINTS: Record<string, { field: string; message: string }> = {
  users_email_unique: { field: 'email', message: 'An account with that email already exists' },
  memberships_workspace_id_user_id_unique: { field: 'email', message: 'That user is already a member' },
  messages_conversation_id_client_message_id_unique: { field: 'clientMessageId', message: 'That message was already sent' },
  agents_workspace_id_name_unique: { field: 'agent', message: 'An agent with that name already exists' },
};

/**
 * SQLSTATEs of class 22 ("data exception") that mean the database refused a value it was given,
 * not that a statement is wrong. PostgreSQL names no column for these.
 */
const VALUE_REFUSALS: Record<string, string> = {
  '22001': 'A value is longer than can be stored', // string_data_right_truncation
  '22021': "Text can't contain NUL characters", // character_not_in_repertoire
  '22P05': "Text can't contain NUL characters", // untranslatable_character (\u0000 in jsonb)
  '22P02': 'A value is not in the expected form', // invalid_text_representation (uuid, json, number)
  '22003': 'A number is out of range', // numeric_value_out_of_range
  '22007': 'A date is not valid', // invalid_datetime_format
  '22008': 'A date is out of range', // datetime_field_overflow
  '54000': 'A value is too large to store', // program_limit_exceeded (index row, jsonb size)
  // A NUL inside a statement whose values MikroORM inlined ends the statement text early.
  '08P01': "Text can't contain NUL characters", // protocol_violation
};

/** `users_email_unique` → `email`; `memberships_workspace_id_user_id_unique` → `workspaceId_userId`. */
function fieldOfConstraint(constraint: unknown, table: unknown): string | undefined {
  if (typeof constraint !== 'string') return undefined;
  const prefix = typeof table === 'string' && constraint.startsWith(`${table}_`) ? table.length + 1 : 0;
  const columns = constraint.slice(prefix).replace(/_(unique|check|foreign|pkey|key|fkey)$/, '');
  return columns.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()) || undefined;
}

const camel = (column: unknown) => (typeof column === 'string' ? column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()) : undefined);

/**
 * The AppError a refusal by the database stands for (BAD_REQUEST or CONFLICT, with the field
 * when PostgreSQL names it), or null for every other error. Matched by class and SQLSTATE, never
 * by message. Schemas refuse such input first; this keeps one that slips through from answering
 * "something went wrong" (and callers log it, as it shows a schema to tighten).
 */
export function databaseRefusal(err: unknown): AppError | null {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof AppError) return null;
    const { code, constraint, table, column } = e as { code?: unknown; constraint?: unknown; table?: unknown; column?: unknown };
    if (e instanceof UniqueConstraintViolationException || code === '23505') {
      const known = typeof constraint === 'string' ? UNIQUE_CONSTRAINTS[constraint] : undefined;
      const field = known?.field ?? fieldOfConstraint(constraint, table);
      return new AppError('CONFLICT', known?.message ?? 'That already exists', field ? { field } : {});
    }
    if (e instanceof ForeignKeyConstraintViolationException || code === '23503') {
      const field = fieldOfConstraint(constraint, table);
      return new AppError('CONFLICT', 'Something it refers to was removed meanwhile; reload and try again', field ? { field } : {});
    }
    if (e instanceof NotNullConstraintViolationException || code === '23502') {
      const field = camel(column);
      return new AppError('BAD_REQUEST', `${field ?? 'A value'} is required`, field ? { field } : {});
    }
    if (e instanceof CheckConstraintViolationException || code === '23514') {
      const field = camel(column) ?? fieldOfConstraint(constraint, table);
      return new AppError('BAD_REQUEST', `${field ?? 'A value'} is not allowed here`, field ? { field } : {});
    }
    if (typeof code === 'string' && code in VALUE_REFUSALS && (e instanceof DriverException || (typeof e === 'object' && 'severity' in e))) {
      const field = camel(column);
      return new AppError('BAD_REQUEST', VALUE_REFUSALS[code]!, field ? { field } : {});
    }
  }
  return null;
}
