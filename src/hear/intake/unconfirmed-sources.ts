// One page per cause for the runs QRS could not confirm, per sending address (issue 86). A flood spoofing a node's
// address while QRS is slowed past the lookup timeout names a new task id in each datagram, so the per-task budget
// (unconfirmed-budget.ts) never bites and the per-outcome one still lets an hour's worth of forged failures through.
// Per source address and outcome, the first `perSource` unconfirmed runs in a window page one by one, as before; the
// next becomes ONE summary page ("N failed task runs from <address> that QRS could not confirm"), and the rest of the
// source's unconfirmed runs are counted into it, not paged. Held runs are not remembered as handled, so reconciliation
// (and the look after a drop) announces each one QRS later shows, once. The summary ends when the source sends no
// unconfirmed run for a window, or QRS confirms one of its runs: its next unconfirmed run pages on its own again.
// The counts are in memory, per Steward, and the runs its memory would page spend the budget in the store the Stewards
// of a cluster share (unconfirmed-store.ts): one budget per address and outcome for the site, so k Stewards page
// perSource runs one by one between them. The summary itself is claimed there too (one write per address, outcome and
// window), so a flood that reaches several Stewards is one summary page for the site. The summary's page opens a cause
// of its own (tell/grouping/unconfirmed-flood.ts), which ends when the address has been quiet for the window or QRS
// confirmed one of its runs (tell/incidents/unconfirmed-flood-end.ts); docs/security.md.
import type { Logger } from "pino";
import { describeError } from "../../platform/core/errors";
import type { RunReport } from "../events/run-report";
import { unverifiedText } from "../../platform/events/unverified-text";
import { TOUCH_MS, type UnconfirmedStore, unconfirmedSourceKey } from "./unconfirmed-store";

export interface UnconfirmedSourcesConfig {
  /** Unconfirmed runs of one outcome from one address paged one by one within the window. */
  perSource: number;
  windowMinutes: number;
}

/** `page`: as before, one page; `summary`: this run's page stands for the source's flood (text to show); `held`: counted, not paged. */
export type SourceVerdict =
  | { verdict: "page" }
  | { verdict: "summary"; title: string; text: string; flood: { address: string; outcome: RunReport["outcome"] } }
  | { verdict: "held"; why: string };

/** Claims `id` for this Steward in the shared store for `leaseMs`: false when another Steward holds it. */
export type SummaryClaim = (id: string, leaseMs: number) => Promise<boolean>;

export interface UnconfirmedSources {
  /**
   * After a `summary` verdict: true when this Steward pages the address's flood, false when another Steward of the
   * cluster did in this window (the run is then held like the rest).
   */
  summaryOnce(address: string, outcome: string): Promise<boolean>;
  /** Judges one unconfirmed run that the other budgets let through, from `address` (the datagram's source). */
  take(report: RunReport, address: string): SourceVerdict;
  /**
   * The verdict `take` gave, held against the site's budget in the shared store: a run this Steward would page is
   * held back (or becomes the summary) when the other Stewards of the cluster spent the address's budget already.
   * Without a shared store, or when it cannot be reached, the verdict stands.
   */
  siteWide(report: RunReport, address: string, local: SourceVerdict): Promise<SourceVerdict>;
  /**
   * `take` then `siteWide`, one run of an address and outcome after the other: each is judged knowing what the store
   * said of the ones before (runs judged side by side could otherwise give the summary a place the budget still had).
   */
  judge(report: RunReport, address: string): Promise<SourceVerdict>;
  /** QRS confirmed a run from `address`: its summary, if any, ends; undefined when none was open (nothing to wait for). */
  confirmed(address: string): Promise<void> | undefined;
  /** The sources with a summary open now and how many runs each holds (for tests and logs). */
  open(): Array<{ address: string; outcome: string; runs: number }>;
}

interface SourceState {
  /** When the runs paged one by one in this window came. */
  paged: number[];
  /** Runs counted into the summary (including the one whose page is the summary). */
  held: number;
  /** A few task ids or names as sent, for the summary's text. */
  sample: string[];
  last: number;
  /** When this Steward last wrote the address's last run to the shared store. */
  touched: number;
}

/** Task names shown in a summary: enough to tell a flood from one task failing over and over. */
const SAMPLE = 3;
/** Addresses followed at once. The intake admits only the nodes' addresses, so this is far above any site. */
export const MAX_SOURCES = 1_000;

/** The page that stands for an address's flood: `runs` counted so far, a few of its tasks as sent (shown unverified). */
function summaryOf(cfg: UnconfirmedSourcesConfig, address: string, outcome: RunReport["outcome"], runs: number, sample: readonly string[]): SourceVerdict {
  const tasks = sample.map((n) => unverifiedText(n)).join(", ");
  return {
    verdict: "summary",
    flood: { address, outcome },
    title: `${runs} ${outcome} task runs from ${address} that QRS could not confirm`,
    text:
      `${runs} ${outcome} task runs from ${address} that QRS could not confirm within ${cfg.windowMinutes} minutes ` +
      `(a sender may be spoofing this node's address while QRS is slow), e.g. ${tasks}. ` +
      `This page stands for them all: further unconfirmed ${outcome} runs from ${address} are counted ` +
      `(steward_intake_unconfirmed_total{action="over_budget"}), not paged, until it sends none for ${cfg.windowMinutes} minutes or QRS confirms its runs; ` +
      "then this page's incident is resolved by itself, and the runs QRS later shows are announced, each once.",
  };
}

/** QRS confirmed a run from `address`: each of its summaries ends, here and in the store the cluster shares. */
async function endSummaries(
  address: string,
  states: Map<string, SourceState>,
  ended: (key: string, s: SourceState, why: string) => void,
  deps: { log?: Logger; shared?: UnconfirmedStore },
): Promise<void> {
  let had = false;
  for (const [key, s] of [...states.entries()]) {
    if (!key.startsWith(`${address}|`)) continue;
    had = true;
    ended(key, s, "QRS confirmed one of its runs");
    states.delete(key);
  }
  if (!had || !deps.shared) return;
  try {
    await deps.shared.confirmed(address);
  } catch (err) {
    deps.log?.warn(
      { source: address, err: describeError(err) },
      "cannot note in the store that QRS confirmed a run from this address; its summary ends when it is quiet",
    );
  }
}

export function createUnconfirmedSources(
  cfg: UnconfirmedSourcesConfig,
  deps: { now: () => number; log?: Logger; once?: SummaryClaim; shared?: UnconfirmedStore },
): UnconfirmedSources {
  const { now } = deps;
  const windowMs = cfg.windowMinutes * 60_000;
  const states = new Map<string, SourceState>();

  /** Said when noticed (the next unconfirmed run of the address, or a confirmed one): nothing runs on a timer. */
  function ended(key: string, s: SourceState, why: string): void {
    if (s.held === 0) return;
    deps.log?.info(
      { source: key.split("|")[0], outcome: key.split("|")[1], held: s.held, lastAt: new Date(s.last).toISOString() },
      `a flood of unconfirmed runs from this address is over (${why}); its next unconfirmed run pages on its own`,
    );
  }

  function stateOf(key: string, t: number): SourceState {
    let s = states.get(key);
    // Quiet for a window: the summary (if any) is over, and the next run is judged afresh.
    if (s && t - s.last > windowMs) {
      ended(key, s, "it sent none for the window");
      states.delete(key);
      s = undefined;
    }
    if (!s) {
      if (states.size >= MAX_SOURCES) {
        const oldest = states.keys().next().value;
        if (oldest !== undefined) states.delete(oldest);
      }
      s = { paged: [], held: 0, sample: [], last: t, touched: Number.NEGATIVE_INFINITY };
      states.set(key, s);
    }
    return s;
  }

  /** A held run of a flood is written to the shared store at most every TOUCH_MS per address (its summary's end). */
  function dueTouch(report: RunReport, address: string): boolean {
    const s = states.get(unconfirmedSourceKey(address, report.outcome));
    if (!s || now() - s.touched < TOUCH_MS) return false;
    s.touched = now();
    return true;
  }

  /** Counts a run past the address's budget into its summary: the first such run is the summary's page. */
  function hold(s: SourceState, report: RunReport, address: string, place?: number): SourceVerdict {
    s.held++;
    const name = report.taskName ?? report.taskId;
    if (s.sample.length < SAMPLE && !s.sample.includes(name)) s.sample.push(name);
    if (s.held > 1)
      return {
        verdict: "held",
        why: `one of ${s.held} unconfirmed ${report.outcome} runs from ${address} already paged as one (intake.confirm.unconfirmedBudget.perSource)`,
      };
    return summaryOf(cfg, address, report.outcome, place ?? s.paged.length + 1, s.sample);
  }

  /** Per address and outcome, the last run being judged: the next waits for it. */
  const judging = new Map<string, Promise<unknown>>();

  const sources: UnconfirmedSources = {
    judge(report, address) {
      const key = unconfirmedSourceKey(address, report.outcome);
      const next = (judging.get(key) ?? Promise.resolve()).then(() => sources.siteWide(report, address, sources.take(report, address)));
      const settled = next.catch(() => undefined);
      judging.set(key, settled);
      void settled.then(() => {
        if (judging.get(key) === settled) judging.delete(key);
      });
      return next;
    },
    async summaryOnce(address, outcome) {
      if (!deps.once) return true;
      // Stewards agree on the window by the clock: a flood that spans two windows may be two summaries, never more.
      const window = Math.floor(now() / windowMs);
      try {
        return await deps.once(`unconfirmed-summary|${address}|${outcome}|${window}`, 2 * windowMs);
      } catch (err) {
        // A summary paged twice beats a flood nobody hears of: the store's trouble is /ready's to tell.
        deps.log?.warn({ source: address, err: describeError(err) }, "cannot claim the summary page of unconfirmed runs in the store; it is paged from here");
        return true;
      }
    },
    take(report, address) {
      const t = now();
      const key = `${address}|${report.outcome}`;
      const s = stateOf(key, t);
      s.last = t;
      // Re-inserted, so the map's first key is the one quiet longest (evicted first).
      states.delete(key);
      states.set(key, s);
      s.paged = s.paged.filter((at) => t - at <= windowMs);
      if (s.held === 0 && s.paged.length < cfg.perSource) {
        s.paged.push(t);
        return { verdict: "page" };
      }
      return hold(s, report, address);
    },
    async siteWide(report, address, local) {
      const shared = deps.shared;
      if (!shared || (local.verdict === "held" && !dueTouch(report, address))) return local;
      const t = now();
      const key = unconfirmedSourceKey(address, report.outcome);
      try {
        if (local.verdict === "held") return (await shared.touch(key, t), local);
        const place = await shared.spend(key, Math.floor(t / windowMs), t);
        const s = states.get(key);
        if (s) s.touched = t;
        if (local.verdict === "summary" || place <= cfg.perSource || !s) return local;
        // The other Stewards paged the address's budget: this run is counted as this Steward's memory would count the
        // one past it (the summary, which summaryOnce gives one Steward of the site, or held).
        s.paged.pop();
        return hold(s, report, address, place);
      } catch (err) {
        // A page too many beats a flood nobody hears of: the store's trouble is /ready's to tell.
        deps.log?.warn(
          { source: address, err: describeError(err) },
          "cannot spend the page budget of unconfirmed runs in the store; this Steward's own budget holds",
        );
        return local;
      }
    },
    confirmed(address) {
      // Called for every confirmed datagram: with no summary open (almost always) it returns at once, without a promise.
      if (states.size === 0) return undefined;
      return endSummaries(address, states, ended, deps);
    },
    open() {
      const t = now();
      return [...states.entries()]
        .filter(([, s]) => s.held > 0 && t - s.last <= windowMs)
        .map(([key, s]) => {
          const [address = "", outcome = ""] = key.split("|");
          return { address, outcome, runs: s.paged.length + s.held };
        });
    },
  };
  return sources;
}
