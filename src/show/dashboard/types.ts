// What the dashboard pages are given: the API reader, the recent-event memory and the optional demo inbox.
import type { TaskNames } from "./task-names";
import type { Context } from "hono";
import type { CapturedItem } from "../demo/capture-types";
import type { HttpEnv } from "../../platform/http/types";
import type { ApiReader } from "./api-reader";
import type { EventTimeline } from "./event-timeline";
import type { RunHistory } from "./run-history";
import type { RunLinks } from "./runs-route";
import type { PageClock } from "./page-clock";
import type { ActionLinksConfig } from "../../tell/ack-links/config";

/** Read access to the demo's capture inbox (attached only by `steward demo`). */
export interface InboxSource {
  items(): CapturedItem[];
  get(id: number): CapturedItem | undefined;
}

export interface PageDeps {
  api: ApiReader;
  timeline: EventTimeline;
  /** Finished task runs for the charts; absent without a store. */
  runs?: RunHistory;
  inbox(): InboxSource | undefined;
  /** The site's zone and now: every time on a page is shown on this clock (page-clock.tsx), named in the header. */
  siteClock(): PageClock;
  /** Names of Qlik Sense tasks by id (from QRS, cached), for pages that hold only ids. */
  taskNames: TaskNames;
  /** HTML shown at the top of every page while it returns one (an active maintenance window). */
  banner?: () => string | undefined;
  /** The snooze choices of the alerts' links (actionLinks), offered by the incidents page's Snooze too. */
  snooze?: Pick<ActionLinksConfig, "snooze" | "snoozeUntil">;
  /** Which incident each run belongs to, and which failures were heard after their task's next success. */
  runLinks?: RunLinks;
  /** What remediation offers (docs/remediation.md): absent when Steward cannot start tasks or `remediation.offer` is false. */
  remediation?: RemediationOffer;
  /** Single sign-on (security.sso): the login page offers "Sign in with <label>" before the API key. */
  signIn?: { label: string };
}

/** The error classes whose open incidents offer a retry, and the delays offered (ms). */
export interface RemediationOffer {
  retryClasses: readonly string[];
  retryIn: readonly number[];
}

export type PageHandler = (c: Context<HttpEnv>, deps: PageDeps) => Promise<Response>;
