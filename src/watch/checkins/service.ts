// The check-ins' judge loop: at each interval (on the Steward holding the watchdog lease in a cluster, so a site's
// checks are judged and announced once) it reads every check's latest pings from the shared store, judges them, and
// announces each condition it opens and closes exactly once: stored first, handed to the notifier (whose outbox
// ignores an event id it already has), then marked announced, so a crash in between repeats nothing.
import type { Logger } from "pino";
import { inSiteZone } from "../watchdog/site-zone";
import type { Clock } from "../../platform/core/clock";
import { describeError } from "../../platform/core/errors";
import type { Component } from "../../platform/core/lifecycle";
import { createLoop } from "../../platform/core/loop";
import { inFlight } from "../../platform/core/stepped-clock";
import type { MetricsRegistry } from "../../platform/core/metrics";
import type { CheckinCondition, WatchdogEvent } from "../../platform/events/types";
import { type CheckinDetails, checkinEvent } from "./checkin-event";
import type { CheckinStore } from "./checkin-store";
import { type JudgedCheck, judge, type OpenCheckinCondition } from "./judge";

export interface CheckinFeeds {
  tasks: string[];
  apps: string[];
}

export interface CheckinServiceDeps {
  checks: ReadonlyArray<JudgedCheck & { feeds: CheckinFeeds }>;
  intervalMs: number;
  store: CheckinStore;
  clock: Clock;
  log: Logger;
  metrics: MetricsRegistry;
  /** This Steward's name: the events' host. */
  host: string;
  emit(e: WatchdogEvent): Promise<void>;
  /** Times in what people read, in the site's zone (ISO-8601 when not given; the data keeps ISO). */
  formatTime?: (ms: number) => string;
}

export interface CheckinService extends Component {
  /** One judgement now; resolves when its events are handed over. */
  judgeNow(): Promise<void>;
  lastJudgedAt(): number | undefined;
  lastError(): string | undefined;
}

export function createCheckinService(d: CheckinServiceDeps): CheckinService {
  const people = (e: WatchdogEvent) => (d.formatTime ? inSiteZone(e, d.formatTime) : e);
  const { store, clock, log } = d;
  const feedsOf = new Map(d.checks.map((c) => [c.name, c.feeds]));
  const raised = d.metrics.counter("steward_checkin_events_total", "Check-in events announced, by kind.");
  const judged = d.metrics.counter("steward_checkin_judgements_total", "Check-in judgements, by result (ok, failed).");
  let lastAt: number | undefined;
  let lastErr: string | undefined;

  async function announce(key: string, event: WatchdogEvent, phase: "open" | "close"): Promise<void> {
    await d.emit(event);
    raised.inc({ kind: event.kind });
    if (phase === "open") await store.markOpenAnnounced(key);
    else await store.markCloseAnnounced(key);
  }

  async function judgeOnce(): Promise<void> {
    // Decisions stored but not announced (a crash, or the notifier refused) go out first, with the same event ids.
    for (const c of await store.unannounced()) {
      if (!c.openAnnounced) await announce(c.key, c.openEvent, "open");
      if (c.closedMs !== undefined && !c.closeAnnounced && c.closeEvent) await announce(c.key, c.closeEvent, "close");
    }
    const now = clock.now();
    const since = new Map<string, number>();
    for (const c of d.checks) since.set(c.name, Number(await store.initMeta(`since:${c.name}`, String(now))));
    const openRows = await store.openConditions();
    const open: OpenCheckinCondition[] = openRows.map((r) => ({
      key: r.key,
      type: r.type as CheckinCondition,
      name: r.name,
      openedMs: r.openedMs,
      details: detailsOf(r.openEvent),
    }));
    const result = judge({ checks: d.checks, states: await store.states(), since, open, nowMs: now });
    for (const o of result.opens) {
      const details = o.type === "checkin_failed" ? { ...o.details, ...(await failureLog(o.name, o.openedMs)) } : o.details;
      const event = people(
        checkinEvent({
          kind: o.type === "checkin_missed" ? "checkin.missed" : o.type === "checkin_failed" ? "checkin.failed" : "checkin.running_long",
          condition: { type: o.type, key: o.key, openedAtMs: o.openedMs },
          nowMs: now,
          host: d.host,
          check: o.name,
          feeds: feedsOf.get(o.name) ?? { tasks: [], apps: [] },
          details,
        }),
      );
      if (await store.open({ key: o.key, type: o.type, name: o.name, openedMs: o.openedMs, openEvent: event })) await announce(o.key, event, "open");
    }
    for (const c of result.closes) {
      const row = openRows.find((r) => r.key === c.key);
      if (!row) continue;
      const event = people(
        checkinEvent({
          kind: "checkin.recovered",
          condition: { type: row.type as CheckinCondition, key: row.key, openedAtMs: row.openedMs, closedAtMs: now },
          nowMs: now,
          host: d.host,
          check: row.name,
          feeds: feedsOf.get(row.name) ?? { tasks: [], apps: [] },
          details: { ...detailsOf(row.openEvent), resolution: c.resolution, ...(c.atMs !== undefined ? { checkedInAtMs: c.atMs } : {}) },
        }),
      );
      if (await store.close(c.key, now, event)) await announce(c.key, event, "close");
    }
    await store.prune(now - 7 * 86_400_000);
  }

  /** The log of the failing ping (its body), for the alert. */
  async function failureLog(name: string, atMs: number): Promise<CheckinDetails> {
    const ping = (await store.pings(name, 20)).find((p) => p.kind === "fail" && p.atMs === atMs);
    return ping?.body ? { log: ping.body } : {};
  }

  const loop = createLoop(
    "checkins",
    // On a stepped clock, time waits for the judgement (its store reads and writes) to end.
    () =>
      inFlight(
        clock,
        judgeOnce()
          .then(() => {
            lastAt = clock.now();
            lastErr = undefined;
            judged.inc({ result: "ok" });
          })
          .catch((err) => {
            lastErr = describeError(err);
            judged.inc({ result: "failed" });
            log.warn({ err: lastErr }, "check-in judgement failed; the next one is at the usual time and catches up");
          }),
        "check-in judgement",
      ),
    () => d.intervalMs,
    clock,
  );

  return {
    name: "checkins",
    start: () => loop.start(),
    stop: (budgetMs) => loop.stop(budgetMs),
    judgeNow: () => loop.runNow(),
    lastJudgedAt: () => lastAt,
    lastError: () => lastErr,
  };
}

/** The details an opening event was built from, read back from its data (the event is what is stored). */
function detailsOf(e: WatchdogEvent): CheckinDetails {
  const n = (k: string) => (typeof e.data[k] === "number" ? (e.data[k] as number) : undefined);
  const t = (k: string) => (typeof e.data[k] === "string" ? Date.parse(e.data[k] as string) : undefined);
  const out: CheckinDetails = {};
  const set = <K extends keyof CheckinDetails>(k: K, v: CheckinDetails[K] | undefined) => {
    if (v !== undefined && !(typeof v === "number" && Number.isNaN(v))) out[k] = v;
  };
  set("expectedAtMs", t("expectedAt"));
  set("graceMs", n("graceMs"));
  set("schedule", typeof e.data.schedule === "string" ? e.data.schedule : undefined);
  set("startedAtMs", t("startedAt"));
  set("maxDurationMs", n("maxDurationMs"));
  set("failedAtMs", t("failedAt"));
  set("exitCode", n("exitCode"));
  set("lastSuccessAtMs", t("lastSuccessAt"));
  return out;
}
