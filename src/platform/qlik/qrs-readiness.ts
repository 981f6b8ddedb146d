// /ready check and lifecycle component for the QRS client: reachability via GET /qrs/about, cached briefly so
// probes do not hammer the repository; closing the pooled connections on stop.
import type { Component } from "../core/lifecycle";
import type { ReadinessCheck } from "../core/readiness";
import { describeError } from "../core/errors";
import type { QrsClient } from "./qrs-client";

export function qrsReadinessCheck(qrs: QrsClient, opts: { cacheMs?: number; timeoutMs?: number; now?: () => number } = {}): ReadinessCheck {
  const cacheMs = opts.cacheMs ?? 5_000;
  const now = opts.now ?? Date.now;
  let last: { at: number; ok: boolean; detail: string } | undefined;
  return {
    name: "qrs",
    required: true,
    async check() {
      if (last && now() - last.at < cacheMs) return { ok: last.ok, detail: last.detail };
      try {
        const about = await qrs.about({ timeoutMs: opts.timeoutMs ?? 1_500, retries: 0 });
        last = { at: now(), ok: true, detail: `${qrs.baseUrl} reachable${about.buildVersion ? ` (QRS ${about.buildVersion})` : ""}` };
      } catch (err) {
        last = { at: now(), ok: false, detail: describeError(err) };
      }
      return { ok: last.ok, detail: last.detail };
    },
  };
}

export function qrsComponent(qrs: QrsClient): Component {
  return { name: "qrs", start: () => undefined, stop: () => qrs.close() };
}
