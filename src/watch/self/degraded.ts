// Says loudly when Steward cannot do its job: a required part that keeps failing at run time (QRS unreachable or
// refusing the certificates, the store, a channel whose server refuses, the broker) makes Steward degraded. Each
// part that goes bad is an error-level log line naming what and why (which the Windows service also writes to the
// Event Log), a steward.degraded event that routes send on the channels that still work, and a line on the
// dashboard's banner; /ready answers 503 meanwhile (it reads the same checks). Its recovery is a steward.recovered.
import type { Logger } from "pino";
import type { Clock } from "../../platform/core/clock";
import type { Component } from "../../platform/core/lifecycle";
import { createLoop } from "../../platform/core/loop";
import type { Readiness } from "../../platform/core/readiness";
import { siteEvent } from "../../platform/events/site-event";
import type { SiteEvent } from "../../platform/events/types";
import { whatToDo } from "./what-to-do";

/** How often the required parts are looked at. */
export const DEGRADED_LOOK_MS = 60_000;
/** Looks in a row a part must fail before it counts: a QRS restart or one refused connection is not news. */
export const DEGRADED_AFTER_LOOKS = 2;

export interface DegradedProblem {
  component: string;
  detail: string;
  /** What the admin does about it. */
  fix: string;
  /** Since when it counts as degraded (epoch ms). */
  since: number;
}

export interface DegradedState {
  degraded: boolean;
  problems: DegradedProblem[];
}

export interface DegradedWatch extends Component {
  state(): DegradedState;
  /** Looks now (tests, and the doctor's view of the running Steward). */
  lookNow(): Promise<void>;
}

export interface DegradedWatchDeps {
  readiness: Readiness;
  clock: Clock;
  log: Logger;
  emit(e: SiteEvent): Promise<void> | void;
  /** This Steward (named in the events: each Steward of a cluster says it for itself). */
  instance: string;
  /** The Qlik Sense host the events are about (qlik.host), or the instance when none. */
  host: string;
  /** Renders a time for people (the admin's zone). */
  formatTime(ms: number): string;
  lookMs?: number;
  afterLooks?: number;
}

export function createDegradedWatch(deps: DegradedWatchDeps): DegradedWatch {
  const lookMs = deps.lookMs ?? DEGRADED_LOOK_MS;
  const afterLooks = deps.afterLooks ?? DEGRADED_AFTER_LOOKS;
  /** Looks in a row each part has failed, and the first failure's detail and time. */
  const failing = new Map<string, { looks: number; firstAt: number }>();
  const degraded = new Map<string, DegradedProblem>();

  async function look(): Promise<void> {
    let report: Awaited<ReturnType<Readiness["report"]>>;
    try {
      report = await deps.readiness.report({ requiredOnly: true });
    } catch (err) {
      deps.log.error({ err }, "could not read Steward's own readiness");
      return;
    }
    const now = deps.clock.now();
    for (const [component, status] of Object.entries(report.components)) {
      if (!status.required) continue;
      if (status.ok) {
        failing.delete(component);
        const was = degraded.get(component);
        if (was) {
          degraded.delete(component);
          await recovered(was, status.detail ?? "", now);
        }
        continue;
      }
      const f = failing.get(component) ?? { looks: 0, firstAt: now };
      f.looks++;
      failing.set(component, f);
      const detail = status.detail ?? "not ready";
      const known = degraded.get(component);
      if (known) {
        known.detail = detail; // the banner shows the latest reason; the event was sent once
        continue;
      }
      if (f.looks < afterLooks) continue;
      const problem = { component, detail, fix: `${whatToDo(component)} \`steward doctor\` on this server tries each dependency.`, since: f.firstAt };
      degraded.set(component, problem);
      await wentBad(problem, now);
    }
    // A part no longer registered (a reload removed the broker) is no longer a problem.
    for (const [component, p] of degraded)
      if (!(component in report.components)) {
        degraded.delete(component);
        failing.delete(component);
        await recovered(p, "no longer configured", now);
      }
  }

  async function wentBad(p: DegradedProblem, now: number): Promise<void> {
    deps.log.error(
      { component: p.component, detail: p.detail, since: new Date(p.since).toISOString(), fix: p.fix },
      `Steward is degraded: ${p.component} fails (${p.detail}). ${p.fix}`,
    );
    await send(
      siteEvent(
        "steward.degraded",
        `${deps.instance}:${p.component}:${p.since}`,
        deps.host,
        now,
        {
          title: `Steward on ${deps.instance} is degraded: ${p.component}`,
          summary: `Since ${deps.formatTime(p.since)}, ${p.component} fails: ${p.detail}. ${p.fix}`,
        },
        { instance: deps.instance, component: p.component, detail: p.detail, since: new Date(p.since).toISOString(), fix: p.fix },
      ),
    );
  }

  async function recovered(p: DegradedProblem, detail: string, now: number): Promise<void> {
    deps.log.warn({ component: p.component, detail, downFor: now - p.since }, `Steward recovered: ${p.component} works again`);
    await send(
      siteEvent(
        "steward.recovered",
        `${deps.instance}:${p.component}:${p.since}`,
        deps.host,
        now,
        {
          title: `Steward on ${deps.instance} works again: ${p.component}`,
          summary: `${p.component} failed from ${deps.formatTime(p.since)} to ${deps.formatTime(now)} (${p.detail}); now: ${detail || "ok"}.`,
        },
        { instance: deps.instance, component: p.component, since: new Date(p.since).toISOString(), detail },
      ),
    );
  }

  async function send(e: SiteEvent): Promise<void> {
    try {
      await deps.emit(e);
    } catch (err) {
      // The store may be what failed: the log line above has said it already.
      deps.log.error({ err, kind: e.kind }, "could not queue Steward's own state change");
    }
  }

  const loop = createLoop("degraded-watch", look, () => lookMs, deps.clock);
  return {
    name: "degraded-watch",
    start: () => loop.start(),
    stop: (budgetMs) => loop.stop(budgetMs),
    lookNow: () => loop.runNow(),
    state: () => {
      const problems = [...degraded.values()].map((p) => ({ ...p })).sort((a, b) => a.component.localeCompare(b.component));
      return { degraded: problems.length > 0, problems };
    },
  };
}
