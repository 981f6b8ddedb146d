// A promise's warning joins the cause that later explains it (issue 102), on the simulator and a stepped clock shared
// with Steward. Reload01 runs one reload at a time on Tuesday night: Long (40 min) takes the engine at 01:55, Head (the
// chain's head, 02:00) waits for it until 02:35, then Sales (10 min) follows. Sales is promised fresh by 03:00 with a
// warning at 02:06: the warning pages at 02:06, and the queue watch pages the backlog nine minutes later (backlogAfter
// 15 min). Before, the warning stayed a page thread of its own beside the queue's cause: its recovery paged alone, and
// the cause ended as the queue emptied at 02:35, twenty minutes before Sales was fresh. Now the cause takes the warning
// in as it opens: the cause lists it, its recovery is the cause's, and the cause's one recovered page comes once Sales
// is fresh again.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { closeAll, type TestApp } from "../../../helpers/app";
import { after, daily, reloadQueueSiteYaml, reloadTask, type SiteSteward, startStewardOnSite } from "../../../helpers/reload-queue-site";
import { simControl } from "../../../helpers/sim-control";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { type SmtpReceiver, startSmtpReceiver } from "../../tell/notify/receivers";
import { wallLimit } from "../../../helpers/time-limit";

const tuesday = (hhmm: string) => Date.parse(`2026-03-03T${hhmm}:00Z`);
const SITE = reloadQueueSiteYaml({
  name: "Warning before the queue",
  engines: 10,
  engineTimeout: 60,
  apps: ["Long", "Head", "Sales"],
  tasks: [reloadTask("Long", 40, [daily("01:55")]), reloadTask("Head", 5, [daily("02:00")]), reloadTask("Sales", 10, [after("Head")])],
});

const dir = createTempDir("steward-freshness-before-queue-");
let s: SteppedSite | undefined;
let t: TestApp | undefined;
let smtp: SmtpReceiver;
let events: SiteSteward["events"] = [];
/** The mails before Tuesday night (Sales is usually fresh at 02:15, after the warning time: a warning and its end). */
let before = 0;
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
    sales-night: { appNames: [Sales app], freshBy: "03:00", warnAt: "02:06", timeZone: UTC }
`,
    Date.parse("2026-03-02T01:00:00Z"),
  ));
  // Tuesday: one engine on Reload01.
  await s.clock.runUntil(tuesday("01:00"));
  await simControl(s.sim, "PATCH", "/nodes/Reload01/scheduler", { maxConcurrentEngines: 1 });
  before = smtp.mails.length;
  await s.clock.runUntil(tuesday("03:30"));
}, wallLimit(300_000));

test("the warning at 02:06, the queue's cause nine minutes later takes it in; one recovered page once Sales is fresh", async () => {
  const sales = s!.finished.find((r) => r.task === "Sales" && r.stopMs >= tuesday("01:00"))!;
  expect(sales.stopMs).toBeLessThan(tuesday("03:00"));
  const at = (kind: string) => events.find((x) => x.at >= tuesday("01:00") && x.e.kind === kind)?.at;
  const warned = at("app.freshness_warning")!;
  const backlog = at("scheduler.queue_backlog")!;
  expect(backlog - warned).toBeGreaterThanOrEqual(5 * 60_000);
  expect(new Date(warned).toISOString()).toBe("2026-03-03T02:06:00.000Z");
  expect(backlog - warned).toBe(9 * 60_000);
  // Three pages: the warning, the cause (which names the promise), and the cause's recovered page once Sales is fresh;
  // between them the queue's end, told to the cause's receivers while the cause waits for Sales (issue 101).
  const ops = smtp.mails.slice(before).map((m) => m.mail.subject ?? "");
  expect(ops).toEqual([
    "[Qlik Sense] At risk: Sales app is not fresh yet (due 2026-03-03 03:00 UTC)",
    expect.stringMatching(/^\[Qlik Sense\] \[Open: cause #\d+, reload queue backed up on reload01\] Reload queue backed up on reload01/),
    expect.stringMatching(/^\[Qlik Sense\] \[Open: cause #\d+, reload queue backed up on reload01\] Back on track: The reload queue on reload01/),
    expect.stringMatching(/^\[Qlik Sense\] \[Recovered: cause #\d+, reload queue backed up on reload01\] Fresh again: Sales app$/),
  ]);
  expect(smtp.mails[before + 1]!.mail.text).toContain("Promises at risk: sales-night (fresh by 03:00)");
  // The cause holds the warning: it lists the promise and ends with Sales fresh, not with the queue emptying at 02:35.
  const { causes } = (await (await t!.request("/v4/causes?limit=5")).json()) as {
    causes: Array<{ title: string; status: string; closedAt: string | null; promises: Array<{ promise: string; app: string }> }>;
  };
  expect(causes).toHaveLength(1);
  expect(causes[0]).toMatchObject({ title: "reload queue backed up on reload01", status: "closed", promises: [{ promise: "sales-night", app: "Sales app" }] });
  expect(Date.parse(causes[0]!.closedAt!)).toBeGreaterThanOrEqual(sales.stopMs);
});
