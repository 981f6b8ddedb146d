// Exponential backoff with jitter for delivery retries: initial × 2^(attempt-1), capped, then a random
// 50–100 % of that so a recovering server is not hit by every delivery at the same moment.
export function backoffDelay(attempt: number, initialMs: number, maxMs: number, random: () => number = Math.random): number {
  const exp = Math.min(maxMs, initialMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return Math.max(1, Math.round(exp * (0.5 + random() * 0.5)));
}
