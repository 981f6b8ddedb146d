// What Steward says when an alert went out in its plain form: a counter per channel and template on /metrics, and a
// warning in the log once per template a minute (a broken template fails every alert it formats; the log says so
// once, with how many more since). The delivery's own row says it too (reason, see the worker).
import type { Logger } from "pino";
import type { Clock } from "../../../platform/core/clock";
import type { NotifyMetrics } from "../metrics";
import type { DeliveryRow } from "../outbox-store";
import type { TemplateFallback } from "./format";

/** A template's failures are logged at most once in this span. */
export const FALLBACK_LOG_EVERY_MS = 60_000;

export function createFallbackRecorder(deps: { log: Logger; clock: Clock; metrics: NotifyMetrics }): (row: DeliveryRow, f: TemplateFallback) => void {
  const last = new Map<string, { at: number; since: number }>();
  return (row, f) => {
    deps.metrics.templateFallback(row.channel, f.template);
    const key = `${f.origin}\u0000${f.template}`;
    const now = deps.clock.now();
    const seen = last.get(key);
    if (seen && now - seen.at < FALLBACK_LOG_EVERY_MS) {
      seen.since++;
      return;
    }
    last.set(key, { at: now, since: 0 });
    deps.log.warn(
      { deliveryId: row.id, channel: row.channel, template: f.template, file: f.origin, reason: f.reason, moreSinceLastLog: seen?.since ?? 0 },
      "alert sent in the plain form: its template failed",
    );
  };
}
