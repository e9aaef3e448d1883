// One domain error type. Services throw AppError; the server maps codes to tRPC and HTTP.
export const errorCodes = {
  /** No or bad credentials / token. */
  UNAUTHORIZED: 401,
  /** Authenticated, but the role is too low. */
  FORBIDDEN: 403,
  /** Missing, or belongs to another workspace (never reveal which). */
  NOT_FOUND: 404,
  /** Input is well-formed but not acceptable. */
  BAD_REQUEST: 400,
  /** Would break an invariant (duplicate, last admin). */
  CONFLICT: 409,
  /** Rate limited; carries retryAfterMs. */
  TOO_MANY_REQUESTS: 429,
  /** A dependency (database, queue) is down. */
  SERVICE_UNAVAILABLE: 503,
} as const;
export type AppErrorCode = keyof typeof errorCodes;

export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly details: { retryAfterMs?: number } = {},
  ) {
    super(message);
  }
  get httpStatus(): number {
    return errorCodes[this.code];
  }
}
