// The simulator's own error type (src/sim is self-contained and must not import the rest of src/).
export type SimErrorCode = "SITE_INVALID" | "CERTS_INVALID" | "LISTEN_FAILED" | "BAD_REQUEST" | "NOT_FOUND" | "CONFLICT";

export class SimError extends Error {
  readonly code: SimErrorCode;
  readonly details: unknown;

  constructor(code: SimErrorCode, message: string, options: { cause?: unknown; details?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "SimError";
    this.code = code;
    this.details = options.details;
  }
}
