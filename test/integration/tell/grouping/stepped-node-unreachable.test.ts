// A node's cause opened by what QRS reports, not by a Windows service probe, with every default of
// grouping.nodeDown.unreachable: Steward reads each node's service states (servicestatus/full) every simulated minute
// while all are running, every 30 s while one is seen unreachable. The Scheduler of node Reload01 cannot be reached
// for 60 seconds at 00:30 (a blip: nothing opens, nothing is paged), then for 20 minutes from 01:00, so the 01:05
// runs of its eight hourly tasks never start while the central node's four run. One page, the service.stopped of the
// Scheduler (state UNREACHABLE) two minutes after the first read that saw it, naming the node and the eight tasks; the missed
// starts are its symptoms; the recovered page comes once, when the Scheduler is back at 01:20, naming what did not run;
// the apps it left stale until the tasks ran again at 02:05 are listed in the ended cause, not paged (issue 64).
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { ParentView } from "../../../../src/tell/grouping";
import { closeAll, type TestApp } from "../../../helpers/app";
import { simControl } from "../../../helpers/sim-control";
import type { SteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import type { HttpReceiver, SmtpReceiver } from "../notify/receivers";
import { startGroupingScenario } from "./stepped-grouping";
import { CENTRAL, MIN, NIGHT, NODE_OUTAGE_KINDS, START, twoNodeSite } from "./two-node-site";

const dir = createTempDir("steward-stepped-unreachable-");
let s: SteppedSite | undefined;
let t: TestApp | undefined;
let rx: HttpReceiver;
let smtp: SmtpReceiver;
let whileDown: ParentView[] = [];
let afterBlip: ParentView[] = [];
let pagesAfterBlip = -1;

afterAll(async () => {
  await closeAll(t, s?.sim, dir);
  await rx?.stop();
  await smtp?.stop();
});

beforeAll(async () => {
  ({ s, t, rx, smtp } = await startGroupingScenario(dir.path, START, twoNodeSite(), NODE_OUTAGE_KINDS));
  const { sim, clock } = s;
  await clock.runUntil(START + 30 * MIN);
  await simControl(sim, "POST", "/nodes/Reload01/services/scheduler/down");
  await clock.runUntil(START + 31 * MIN);
  await simControl(sim, "POST", "/nodes/Reload01/services/scheduler/up");
  await clock.runUntil(START + 60 * MIN);
  afterBlip = ((await (await t.request("/v4/causes")).json()) as { causes: ParentView[] }).causes;
  pagesAfterBlip = rx.requests.length;
  await simControl(sim, "POST", "/nodes/Reload01/services/scheduler/down");
  await clock.runUntil(START + 80 * MIN);
  whileDown = ((await (await t.request("/v4/causes?status=open")).json()) as { causes: ParentView[] }).causes;
  await simControl(sim, "POST", "/nodes/Reload01/services/scheduler/up");
  await clock.runUntil(START + 150 * MIN);
}, 300_000);

/** The simulated times of Steward's service-state reads, and what the Scheduler of Reload01 was at each. */
const reads = () =>
  s!.sim.requests
    .list({ source: "qrs" })
    .filter((r) => r.path === "/qrs/servicestatus/full")
    .map((r) => Date.parse(r.time));
const downFrom = START + 60 * MIN;
const upAt = START + 80 * MIN;

const pages = () =>
  rx.requests
    .filter((r) => r.path === "/hook")
    .map(
      (r) =>
        JSON.parse(r.body) as {
          kind: string;
          currstate?: string;
          stewardEvent?: { receivedAt: string };
          cause?: { tasks: string[]; title: string; status?: string; didNotRun?: string[] };
        },
    );

test("the states are read every minute while every service runs, every 30 s while one is unreachable", () => {
  const at = reads();
  const gaps = at.slice(1).map((t, i) => [at[i]!, t - at[i]!] as const);
  // Before the outage (the blip's doubt over) and after the return: a minute apart.
  const quiet = gaps.filter(([t]) => (t >= START + 35 * MIN && t < downFrom) || t > upAt + 2 * MIN);
  expect(quiet.length).toBeGreaterThan(60);
  expect(new Set(quiet.map(([, g]) => g))).toEqual(new Set([MIN]));
  // From the first read that saw it down to the one that saw it back: 30 s apart.
  const firstDown = at.find((t) => t > downFrom)!;
  const back = at.find((t) => t > upAt)!;
  const outage = gaps.filter(([t]) => t >= firstDown && t < back);
  expect(outage).toHaveLength((back - firstDown) / (MIN / 2));
  expect(new Set(outage.map(([, g]) => g))).toEqual(new Set([MIN / 2]));
  expect(firstDown - downFrom).toBeLessThanOrEqual(MIN);
  expect(back - upAt).toBeLessThanOrEqual(MIN / 2);
});

test("a Scheduler unreachable for 60 seconds opens no cause and pages nothing", () => {
  expect(afterBlip).toEqual([]);
  expect(pagesAfterBlip).toBe(0);
});

test("the node really was down: its 01:05 runs never started, the central node's did, everything ran at 02:05", () => {
  const at = (name: string, fromMin: number, toMin: number) =>
    s!.finished.filter((r) => r.task === name && r.startMs >= START + fromMin * MIN && r.startMs < START + toMin * MIN);
  for (const n of NIGHT) expect(at(n, 61, 121)).toEqual([]);
  for (const n of CENTRAL) expect(at(n, 61, 121).map((r) => r.status)).toEqual([7]);
  for (const n of [...NIGHT, ...CENTRAL]) expect(at(n, 121, 150).map((r) => r.status)).toEqual([7]);
});

test("one page naming the node and the eight tasks it would have run; its missed starts are symptoms, not pages", () => {
  expect(whileDown).toHaveLength(1);
  expect(whileDown[0]!.title).toBe("Qlik services down on reload01");
  // The Scheduler service and the eight missed starts. Their eight apps, past their due times too, are no symptoms of
  // their own: each missed start names its app (its data is not renewed until it runs), so the apps add no count.
  expect(whileDown[0]!.stillFailing).toBe(9);
  const [first, ...rest] = pages();
  expect(first!.kind).toBe("service.stopped");
  // Seen unreachable on every read for two minutes from the first read after 01:00 that saw it.
  expect(first!.currstate).toBe("UNREACHABLE");
  const firstDown = reads().find((t) => t > downFrom)!;
  expect(Date.parse(first!.stewardEvent!.receivedAt)).toBe(firstDown + 2 * MIN);
  expect(first!.cause!.title).toBe("Qlik services down on reload01");
  // The service is the node's, never listed as a task.
  expect(first!.cause!.tasks).toEqual(NIGHT);
  const mail = smtp.mails[0]!.mail;
  expect(mail.subject).toStartWith("[Qlik Sense] [Open: cause #1, Qlik services down on reload01]");
  expect(mail.text).toContain(`Tasks: ${NIGHT.join(", ")}`);
  // Then only the recovery, when the Scheduler is back (issue 64: the cause is over then, not when the last missed task
  // runs again), naming the eight that did not run; no missed start, nothing for the central node, no stale app after.
  expect(rest.map((p) => p.kind)).toEqual(["service.started"]);
  expect(rest[0]!.cause).toMatchObject({ status: "closed", didNotRun: NIGHT });
  expect(smtp.mails).toHaveLength(2);
});

test("the recovered cause lists every symptom, each ended", async () => {
  const { causes } = (await (await t!.request("/v4/causes?status=closed")).json()) as { causes: ParentView[] };
  expect(causes).toHaveLength(1);
  const one = (await (await t!.request(`/v4/causes/${causes[0]!.id}`)).json()) as { symptoms: Array<{ task: string; kind: string; state: string }> };
  expect(
    one.symptoms
      .filter((x) => x.kind === "task.missed" && x.state === "recovered")
      .map((x) => x.task)
      .sort(),
  ).toEqual(NIGHT);
  expect(await (await t!.request("/ui/causes")).text()).toContain("Qlik services down on reload01");
});
