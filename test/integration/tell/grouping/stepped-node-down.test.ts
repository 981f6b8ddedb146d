// Done-when of issue 47, on the simulator and a stepped clock shared with Steward: the Scheduler of node Reload01 is
// down for 20 minutes (01:00–01:20), so the 01:05 runs of its eight hourly tasks never start, while the central
// node's four tasks run as usual. The service monitor's service.stopped is emitted as it would report it (no Windows
// service to probe here). One page, naming the node and the eight tasks it would have run; the watchdog's missed
// starts (which it cannot place on a node) are symptoms of it; the recovered page comes once, when the Scheduler is
// back at 01:20, naming what did not run (issue 64). Nothing is paged for the central node.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { ParentView } from "../../../../src/tell/grouping";
import { syntheticServiceEvent } from "../../../../src/tell/notify/samples";
import { closeAll, type TestApp } from "../../../helpers/app";
import { simControl } from "../../../helpers/sim-control";
import type { SteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import type { HttpReceiver, SmtpReceiver } from "../notify/receivers";
import { startGroupingScenario } from "./stepped-grouping";
import { CENTRAL, MIN, NIGHT, NODE_OUTAGE_KINDS, START, twoNodeSite } from "./two-node-site";

const dir = createTempDir("steward-stepped-node-");
let s: SteppedSite | undefined;
let t: TestApp | undefined;
let rx: HttpReceiver;
let smtp: SmtpReceiver;
let whileDown: ParentView[] = [];
/** GET /v4/incidents/by-cause while the node was down (one incident per cause, issue 74). */
let groupsWhileDown: Array<{
  cause: { id: number; title: string } | null;
  incidents: Array<{ title: string; lastKind: string; cause: { id: number } | null }>;
}> = [];

afterAll(async () => {
  await closeAll(t, s?.sim, dir);
  await rx?.stop();
  await smtp?.stop();
});

beforeAll(async () => {
  ({ s, t, rx, smtp } = await startGroupingScenario(
    dir.path,
    START,
    twoNodeSite(),
    NODE_OUTAGE_KINDS,
    // The service monitor's report alone: QRS's service states (read by default) would open the same cause.
    "grouping: { nodeDown: { unreachable: { enabled: false } } }\n",
  ));
  const { sim, clock } = s;
  const scheduler = (state: "stopped" | "started") =>
    t!.app.bus.emit(
      `service.${state}`,
      syntheticServiceEvent({ state, host: "reload01.test.example", service: "QlikSenseSchedulerService", nowMs: clock.now() }),
    );
  await clock.runUntil(START + 60 * MIN);
  await simControl(sim, "POST", "/nodes/Reload01/down");
  await scheduler("stopped");
  await clock.runUntil(START + 80 * MIN);
  whileDown = ((await (await t.request("/v4/causes?status=open")).json()) as { causes: ParentView[] }).causes;
  groupsWhileDown = ((await (await t.request("/v4/incidents/by-cause")).json()) as { causes: typeof groupsWhileDown }).causes;
  await simControl(sim, "POST", "/nodes/Reload01/up");
  await scheduler("started");
  await clock.runUntil(START + 150 * MIN);
}, 300_000);

const pages = () =>
  rx.requests
    .filter((r) => r.path === "/hook")
    .map((r) => JSON.parse(r.body) as { kind: string; cause?: { tasks: string[]; title: string; status?: string; didNotRun?: string[] } });

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
  expect(first!.cause!.title).toBe("Qlik services down on reload01");
  // The service is the node's, never listed as a task.
  expect(first!.cause!.tasks).toEqual(NIGHT);
  const mail = smtp.mails[0]!.mail;
  expect(mail.subject).toStartWith("[Qlik Sense] [Open: cause #1, Qlik services down on reload01]");
  expect(mail.text).toContain(`Tasks: ${NIGHT.join(", ")}`);
  // Then only the recovery, when the Scheduler is back (issue 64), naming the eight that did not run: no missed start,
  // nothing for the central node, no follow-up when they run again.
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

test("one incident per cause: the node down is one entry of what needs someone now, its missed starts in it, none apart", () => {
  const node = whileDown.find((c) => c.title.includes("reload01"))!;
  // The stopped service and the eight missed starts are each an incident, all under the node's cause (issue 84): as
  // many as the cause counts still failing, none apart.
  expect(groupsWhileDown.map((g) => [g.cause?.id ?? null, g.incidents.length])).toEqual([[node.id, node.stillFailing]]);
  expect(node.stillFailing).toBe(9);
  expect(node.affected.tasks.length).toBeGreaterThan(0);
});
