// A run waiting for an engine is waiting, not a stopped chain (issue 102), on the simulator and a stepped clock shared
// with Steward. Reload01 runs one reload at a time on Tuesday night: Long (40 min) takes the engine at 01:55, Head (the
// chain's head, 02:00) waits for it until 02:35, then Sales (10 min) follows; Sales is promised fresh by 04:00 (warn
// 03:30) and is fresh at about 02:50. Before, the look past Head's start grace projected Sales from the next day's run
// and warned "At risk" at 02:05, ten minutes before the queue watch paged the backlog (backlogAfter 15 min): a
// page of its own, and a "late" mail to the business for a promise kept by an hour. Now the waiting run keeps the
// chain going: no freshness alert at all, one page (the queue's cause) that names the promise, and its recovery.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { DomainEvent } from "../../../../src/platform/events/types";
import { closeAll, type TestApp } from "../../../helpers/app";
import { after, daily, reloadQueueSiteYaml, reloadTask, type SiteSteward, startStewardOnSite } from "../../../helpers/reload-queue-site";
import { simControl } from "../../../helpers/sim-control";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { type SmtpReceiver, startSmtpReceiver } from "../../tell/notify/receivers";
import { wallLimit } from "../../../helpers/time-limit";

const tuesday = (hhmm: string) => Date.parse(`2026-03-03T${hhmm}:00Z`);
const SITE = reloadQueueSiteYaml({
  name: "Queue wait",
  engines: 10,
  engineTimeout: 60,
  apps: ["Long", "Head", "Sales"],
  tasks: [reloadTask("Long", 40, [daily("01:55")]), reloadTask("Head", 5, [daily("02:00")]), reloadTask("Sales", 10, [after("Head")])],
});

const dir = createTempDir("steward-freshness-queue-");
let s: SteppedSite | undefined;
let t: TestApp | undefined;
let smtp: SmtpReceiver;
let events: SiteSteward["events"] = [];
/** /v4/freshness at 02:12: Head has waited 12 minutes, the queue watch has not paged yet. */
let waitingView: { rows: Array<{ expected: { at: string | null; willMiss: string | null } | null }> } | undefined;
afterAll(async () => {
  await closeAll(t, s?.sim, dir);
  await smtp?.stop();
});

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  // The simulator alone from the Monday before: a week of nights for the watchdog to learn the durations from.
  s = await startSteppedSite(dir.path, Date.parse("2026-02-23T00:00:00Z"), SITE);
  ({ t, events } = await startStewardOnSite(
    s,
    dir.path,
    `watchdog: {}
channels:
  mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [ops@corp.example] }
routes:
  - name: on-call
    on: [scheduler.queue_backlog, task.missed, task.chain_broken, task.running_long, app.stale, task.on_track, app.freshness_warning, app.freshness_breached, app.freshness_recovered]
    to: [mail]
freshness:
  promises:
    sales-night: { appNames: [Sales app], freshBy: "04:00", warnAt: "03:30", timeZone: UTC }
`,
    Date.parse("2026-03-02T01:00:00Z"),
  ));
  // Tuesday: one engine on Reload01.
  await s.clock.runUntil(tuesday("01:00"));
  await simControl(s.sim, "PATCH", "/nodes/Reload01/scheduler", { maxConcurrentEngines: 1 });
  await s.clock.runUntil(tuesday("02:12"));
  waitingView = (await (await t.request("/v4/freshness")).json()) as typeof waitingView;
  await s.clock.runUntil(tuesday("04:10"));
}, wallLimit(300_000));

const kinds = (from: number) => events.filter((x) => x.at >= from).map((x) => x.e as DomainEvent);

test("the simulator's night: Head waited for the engine until Long ended, then the chain ran; Sales fresh before 04:00", () => {
  const ran = s!.finished.filter((r) => r.stopMs >= tuesday("01:00")).map((r) => `${r.task}:${r.status}`);
  expect(ran).toEqual(["Long:7", "Head:7", "Sales:7"]);
  const sales = s!.finished.find((r) => r.task === "Sales" && r.stopMs >= tuesday("01:00"))!;
  expect(sales.stopMs).toBeLessThan(tuesday("03:00"));
  expect(s!.finished.find((r) => r.task === "Head" && r.stopMs >= tuesday("01:00"))!.startMs).toBeGreaterThanOrEqual(tuesday("02:35"));
});

test("at 02:12, Head waiting for 12 minutes: not stopped, nothing to miss, and no time stated that nobody knows", () => {
  expect(waitingView!.rows[0]!.expected).toMatchObject({ at: null, overdue: false, willMiss: null, cause: null });
});

test("no freshness alert while Head waits; one page, the queue's cause, naming the promise, and its recovery", () => {
  const freshness = kinds(tuesday("01:00")).filter((e) => e.kind.startsWith("app.freshness_"));
  expect(freshness.map((e) => `${e.kind}@${"receivedAt" in e ? e.receivedAt : ""}`)).toEqual([]);
  const ops = smtp.mails.map((m) => m.mail.subject ?? "");
  expect(ops).toEqual([
    expect.stringMatching(/^\[Qlik Sense\] \[Open: cause #\d+, reload queue backed up on reload01\] Reload queue backed up on reload01/),
    expect.stringMatching(/^\[Qlik Sense\] \[Recovered: cause #\d+, reload queue backed up on reload01\] Back on track/),
  ]);
  expect(smtp.mails[0]!.mail.text).toContain("Promises at risk: sales-night (fresh by 04:00");
});
