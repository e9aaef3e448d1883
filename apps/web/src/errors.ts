// Turns whatever a tRPC call threw into text a person can act on, plus per-field messages.
import { TRPCClientError } from '@trpc/client';

export interface ErrorView {
  code: string | undefined;
  message: string;
  fieldErrors: Record<string, string[]>;
}

interface ErrorData {
  code?: string;
  fieldErrors?: Record<string, string[] | undefined>;
  retryAfterMs?: number;
}

export function errorCode(error: unknown): string | undefined {
  if (error instanceof TRPCClientError) return (error.data as ErrorData | undefined)?.code;
  return undefined;
}

export function describeError(error: unknown): ErrorView {
  if (!(error instanceof TRPCClientError)) {
    return { code: undefined, message: error instanceof Error ? error.message : 'Something went wrong', fieldErrors: {} };
  }
  const data = error.data as ErrorData | undefined;
  const fieldErrors: Record<string, string[]> = {};
  for (const [field, messages] of Object.entries(data?.fieldErrors ?? {})) {
    if (messages && messages.length > 0) fieldErrors[field] = messages;
  }
  const code = data?.code;
  if (!data) {
    return { code, message: "Can't reach the server. Check your connection and try again.", fieldErrors };
  }
  let message = error.message;
  // A validation error's own message is the raw issue list; the fields carry the real text.
  if (code === 'BAD_REQUEST' && /^\s*[[{]/.test(message)) {
    message = Object.keys(fieldErrors).length > 0 ? 'Please correct the highlighted fields.' : 'The request was not valid.';
  }
  if (code === 'TOO_MANY_REQUESTS' && typeof data.retryAfterMs === 'number') {
    const seconds = Math.max(1, Math.ceil(data.retryAfterMs / 1000));
    message = `${message.replace(/\.?$/, '.')} Try again in ${seconds} s.`;
  }
  if (code === 'INTERNAL_SERVER_ERROR' && !message) message = 'The server hit an error. Please try again.';
  return { code, message, fieldErrors };
}

export function isUnauthorized(error: unknown): boolean {
  return errorCode(error) === 'UNAUTHORIZED';
}
