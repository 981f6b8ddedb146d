// One error type for the whole program: a noun code a caller can branch on, a message a person can act on.
export const ERROR_CODES = {
  CONFIG_INVALID: 400,
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  PATH_NOT_ALLOWED: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  UDP_PARSE: 400,
  QRS_UNAVAILABLE: 502,
  ENGINE_UNAVAILABLE: 502,
  CHANNEL_SEND: 502,
  UNAVAILABLE: 503,
  STORE_LOCKED: 500,
  STORE_FAILED: 500,
  TIMEOUT: 504,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface AppErrorOptions {
  cause?: unknown;
  /** Safe to show to an API client (field names, limits); never secrets or stack traces. */
  details?: unknown;
  /** Overrides the HTTP status derived from the code. */
  status?: number;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;
  readonly status: number;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.details = options.details;
    this.status = options.status ?? ERROR_CODES[code];
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/** A readable one-line description of anything thrown, for logs. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? ` (cause: ${err.cause.message})` : "";
    return `${err.message}${cause}`;
  }
  return String(err);
}
