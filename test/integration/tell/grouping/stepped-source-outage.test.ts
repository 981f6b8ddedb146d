// Done-when of issue 47, on the simulator and a stepped clock shared with Steward: the data source DWH refuses
// connections for 30 minutes on a site where 25 hourly reload tasks (12 apps, 3 streams) read it and 10 more tasks
// start after them (task-event triggers). Steward learns the runs from QRS (the reconciler, as when datagrams are
// lost), classifies each failure (connection) and finds the source in its script log; the watchdog gives the chain
// graph. At most two pages per channel (opened, recovered); the parent lists every task and app affected, the ten
// that did not run included; every failure (and every app the watchdog finds stale meanwhile) is a symptom of it,
// on /v4/causes and /ui/causes.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { ParentView } from "../../../../src/tell/grouping";
import { closeAll, type TestApp } from "../../../helpers/app";
import { simControl } from "../../../helpers/sim-control";
import type { SteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import type { HttpReceiver, SmtpReceiver } from "../notify/receivers";
import { startGroupingScenario } from "./stepped-grouping";

const START = Date.parse("2026-03-10T00:00:00Z");
const MIN = 60_000;
const id = (n: number, kind: "t" | "a" | "d") => `00000000-0000-4000-8${kind === "t" ? "0" : kind === "a" ? "1" : "2"}00-${String(n).padStart(12, "0")}`;
const LOADS = Array.from({ length: 25 }, (_, i) => `Load ${i}`);
const AFTERS = Array.from({ length: 10 }, (_, i) => `After ${i}`);

function site(): string {
  const apps = Array.from({ length: 12 }, (_, i) => `  - { id: ${id(i, "a")}, name: App ${i}, owner: CORP\\anna, stream: Stream ${i % 3} }`);
  const hourly = `{ type: schema, name: Hourly, incrementOption: hourly, startDate: "2026-03-01T00:10:00.000", timeZone: UTC }`;
  const loads = LOADS.map(
    (name, i) =>
      `  - { id: ${id(i, "t")}, name: ${name}, type: reload, app: App ${i % 12}, durationMs: 20000, scriptError: "Connection refused: the DWH server did not accept the connection", triggers: [${hourly}] }`,
  );
  const afters = AFTERS.map(
    (name, i) =>
      `  - { id: ${id(i, "d")}, name: ${name}, type: reload, app: App ${i}, durationMs: 20000, triggers: [{ type: composite, name: After load ${i}, rules: [{ task: Load ${i}, state: success }] }] }`,
  );
  return `site: { name: Source outage, buildVersion: 34.12.3 }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
  - { userDirectory: CORP, userId: anna, name: Anna, email: anna@corp.example }
streams: [{ name: Stream 0 }, { name: Stream 1 }, { name: Stream 2 }]
apps:
${apps.join("\n")}
tasks:
${[...loads, ...afters].join("\n")}
`;
}

const dir = createTempDir("steward-stepped-outage-");
let s: SteppedSite | undefined;
let t: TestApp | undefined;
let rx: HttpReceiver;
let smtp: SmtpReceiver;
let whileOpen: { causes: ParentView[] } | undefined;
let uiWhileOpen = "";

afterAll(async () => {
  await closeAll(t, s?.sim, dir);
  await rx?.stop();
  await smtp?.stop();
});

beforeAll(async () => {
  ({ s, t, rx, smtp } = await startGroupingScenario(dir.path, START, site(), [
    "task.failed",
    "task.aborted",
    "task.recovered",
    "task.missed",
    "task.chain_broken",
    "app.stale",
    "task.on_track",
  ]));
  const { sim, clock } = s;
  // 00:10 every load runs well and the ten after them too; from 00:50 to 01:20 the source refuses connections, so
  // the 01:10 runs fail; at 02:10 they succeed again and the ten after them run.
  await clock.runUntil(START + 50 * MIN);
  for (let i = 0; i < 25; i++) await simControl(sim, "PATCH", `/tasks/${id(i, "t")}`, { outcome: "fail" });
  await clock.runUntil(START + 80 * MIN);
  for (let i = 0; i < 25; i++) await simControl(sim, "PATCH", `/tasks/${id(i, "t")}`, { outcome: "succeed" });
  await clock.runUntil(START + 100 * MIN);
  whileOpen = (await (await t.request("/v4/causes?status=open")).json()) as { causes: ParentView[] };
  uiWhileOpen = await (await t.request("/ui/causes")).text();
  await clock.runUntil(START + 150 * MIN);
}, 300_000);

const hookKinds = () => rx.requests.filter((r) => r.path === "/hook").map((r) => (JSON.parse(r.body) as { kind: string }).kind);

test("the site really had the outage: 25 failed runs at 01:10, the ten after them did not run then, everything ran at 02:10", () => {
  const at = (name: string, fromMin: number, toMin: number) =>
    s!.finished.filter((r) => r.task === name && r.startMs >= START + fromMin * MIN && r.startMs < START + toMin * MIN);
  for (const n of LOADS) expect(at(n, 65, 80).map((r) => r.status)).toEqual([8]);
  for (const n of AFTERS) expect(at(n, 65, 125)).toEqual([]);
  for (const n of [...LOADS, ...AFTERS]) expect(at(n, 125, 150).map((r) => r.status)).toEqual([7]);
});

test("while it lasts: one open cause on /v4/causes and /ui/causes, every failure, stale app and waiting task in it", () => {
  expect(whileOpen!.causes).toHaveLength(1);
  const c = whileOpen!.causes[0]!;
  expect(c.title).toBe("connection errors from DWH");
  // 25 failing loads and the 12 apps the watchdog found stale at 01:25 (their reloads failed): symptoms, not pages.
  expect(c.stillFailing).toBe(37);
  expect(c.affected.tasks).toEqual([...LOADS, ...AFTERS].sort());
  expect(c.affected.text).toBe("35 tasks, 12 apps, 3 streams affected");
  for (const n of [...LOADS, ...AFTERS]) expect(uiWhileOpen).toContain(n);
  expect(uiWhileOpen).toContain("37 still failing");
  for (let i = 0; i < 12; i++) expect(uiWhileOpen).toContain(`App ${i}`);
});

test("two pages per channel, opened and recovered, the recovered one listing everything", async () => {
  // The last symptom to end is a stale app fresh again (its watchdog condition closing): that is the recovered page.
  expect(hookKinds()).toEqual(["task.failed", "task.on_track"]);
  expect(smtp.mails).toHaveLength(2);
  const last = smtp.mails[1]!.mail;
  expect(last.subject).toStartWith("[Qlik Sense] [Recovered: cause #1, connection errors from DWH]");
  expect(last.text).toContain("35 tasks, 12 apps, 3 streams affected");
  for (const n of [...LOADS, ...AFTERS]) expect(last.text).toContain(n);
  const { causes } = (await (await t!.request("/v4/causes?status=closed")).json()) as { causes: ParentView[] };
  expect(causes).toHaveLength(1);
  expect(causes[0]).toMatchObject({ status: "closed", stillFailing: 0 });
  // Nothing lost: every failure is a symptom of the parent, recovered.
  const one = (await (await t!.request(`/v4/causes/${causes[0]!.id}`)).json()) as {
    symptoms: Array<{ task: string; app: string; kind: string; state: string }>;
  };
  expect(
    one.symptoms
      .filter((x) => x.kind === "task.failed" && x.state === "recovered")
      .map((x) => x.task)
      .sort(),
  ).toEqual([...LOADS].sort());
  expect(
    one.symptoms
      .filter((x) => x.state === "waiting")
      .map((x) => x.task)
      .sort(),
  ).toEqual([...AFTERS].sort());
  expect(one.symptoms.filter((x) => x.kind === "app.stale" && x.state === "recovered")).toHaveLength(12);
});
