// Channel failures as AppError CHANNEL_SEND, marked permanent when retrying cannot help (a 4xx from a
// webhook, a rejected recipient, a broken template), so the outbox dead-letters them at once.
import { AppError, isAppError } from "../core/errors";

export function deliveryError(message: string, options: { permanent?: boolean; cause?: unknown; status?: number } = {}): AppError {
  return new AppError("CHANNEL_SEND", message, { cause: options.cause, details: { permanent: options.permanent === true, status: options.status } });
}

export function isPermanent(err: unknown): boolean {
  if (!isAppError(err)) return false;
  if (err.code === "CONFIG_INVALID") return true;
  const d = err.details as { permanent?: boolean } | undefined;
  return d?.permanent === true;
}

/** HTTP statuses worth retrying: timeouts, rate limits, server errors. Other 4xx are permanent. */
export function isRetryableHttpStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}
