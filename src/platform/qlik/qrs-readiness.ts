// /ready check and lifecycle component for the QRS client: reachability via GET /qrs/about, cached briefly so
// probes do not hammer the repository; closing the pooled connections on stop. When other work answered from QRS a
// moment ago (the node reachability read every minute, a watchdog look) and nothing has failed since, that answer is the
// evidence: the degraded watch's look each minute then costs no request (issue 89: 11 % of a simulated day's CPU).
import type { Component } from "../core/lifecycle";
import type { ReadinessCheck } from "../core/readiness";
import { describeError } from "../core/errors";
import type { QrsClient } from "./qrs-client";

/**
 * How recent another call's answer must be to stand for /qrs/about: the degraded watch looks every minute, and the node
 * reachability read comes every minute by default, a little more than a minute apart (each waits for the last to end),
 * so a window of exactly a minute let a look ask /qrs/about now and then. A QRS that goes down fails the next call any
 * part makes, and a failure since the last answer always asks /qrs/about; so the first look that sees it is the first
 * after a call failed, at most a minute after the read that failed.
 */
export const QRS_ANSWERED_WITHIN_MS = 75_000;

export interface QrsReadinessOptions {
  cacheMs?: number;
  timeoutMs?: number;
  now?: () => number;
  /** How recent another call's 2xx answer must be to count (default QRS_ANSWERED_WITHIN_MS; -1: always ask). */
  answeredWithinMs?: number;
}

export function qrsReadinessCheck(qrs: Pick<QrsClient, "about" | "answers" | "baseUrl">, opts: QrsReadinessOptions = {}): ReadinessCheck {
  const cacheMs = opts.cacheMs ?? 5_000;
  const answeredWithinMs = opts.answeredWithinMs ?? QRS_ANSWERED_WITHIN_MS;
  const now = opts.now ?? Date.now;
  let last: { at: number; ok: boolean; detail: string } | undefined;
  /** The build version the last /qrs/about gave (named in the detail), once one was read. */
  let version: string | undefined;
  const reachable = () => `${qrs.baseUrl} reachable${version ? ` (QRS ${version})` : ""}`;
  /** Another call answered recently and none failed since (the version is known from an earlier /qrs/about). */
  const answeredLately = (): boolean => {
    if (version === undefined) return false;
    const { okMs, failedMs } = qrs.answers();
    return okMs !== undefined && now() - okMs <= answeredWithinMs && (failedMs === undefined || failedMs < okMs);
  };
  return {
    name: "qrs",
    required: true,
    async check() {
      if (last && now() - last.at < cacheMs) return { ok: last.ok, detail: last.detail };
      if (answeredLately()) return { ok: true, detail: reachable() };
      try {
        const about = await qrs.about({ timeoutMs: opts.timeoutMs ?? 1_500, retries: 0 });
        version = about.buildVersion ?? "";
        last = { at: now(), ok: true, detail: reachable() };
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
