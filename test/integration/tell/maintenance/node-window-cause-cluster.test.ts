// Issue 106/101 with one Steward per node on one PostgreSQL store: alpha runs the watchdog (it raises reload01's missed
// starts), beta hears reload01 (its Scheduler's stop, its datagrams). Both hold the cause inside reload01's window, both
// show it held, and at the window's end, both sweeping, the cause pages once per channel; its recovery follows once.
// The simulator and both Stewards on one stepped clock.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { ParentView } from "../../../../src/tell/grouping";
import { syntheticServiceEvent } from "../../../../src/tell/notify/samples";
import type { TestApp } from "../../../helpers/app";
import { type PostgresService, startPostgres } from "../../../helpers/services";
import { simControl } from "../../../helpers/sim-control";
import { startSteppedMember } from "../../../helpers/stepped-cluster-member";
import { type SteppedSite, sendDatagramsTo, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { qlikYaml } from "../../start/scheduler/sim-setup";
import { MIN, NODE_OUTAGE_KINDS, START } from "../grouping/two-node-site";
import { type HttpReceiver, type SmtpReceiver, startHttpReceiver, startSmtpReceiver } from "../notify/receivers";
import { at, site, WINDOWS } from "./window-cause-site";

const dir = createTempDir("steward-window-cause-cluster-");
let pg: PostgresService;
let s: SteppedSite;
let rx: HttpReceiver;
let smtp: SmtpReceiver;
const stewards = {} as Record<"alpha" | "beta", TestApp>;
const hook = () => rx.requests.filter((r) => r.path === "/hook").map((r) => JSON.parse(r.body) as { kind: string; cause?: { id: number; status: string } });
const scheduler = (state: "stopped" | "started") =>
  stewards.beta.app.bus.emit(
    `service.${state}`,
    syntheticServiceEvent({ state, host: "reload01.test.example", service: "QlikSenseSchedulerService", nowMs: s.clock.now() }),
  );

const whileHeld: Record<"alpha" | "beta", ParentView[]> = { alpha: [], beta: [] };
let pagesWhileHeld = -1;
let pagesAtEnd: ReturnType<typeof hook> = [];
let mailsAtEnd = -1;

beforeAll(async () => {
  pg = await startPostgres();
  const url = await pg.createDatabase("node_window_cause_cluster");
  rx = startHttpReceiver();
  smtp = await startSmtpReceiver();
  s = await startSteppedSite(dir.path, START, site());
  const yaml = `${qlikYaml(s.sim)}watchdog:
  interval: 5m
grouping: { nodeDown: { unreachable: { enabled: false } } }
channels:
  hook: { type: webhook, url: "${rx.url}/hook" }
  mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [ops@corp.example] }
routes:
  - { on: [${NODE_OUTAGE_KINDS.join(", ")}], to: [hook, mail] }
${WINDOWS}`;
  // alpha starts first and takes every duty, the watchdog's among them; beta hears the node.
  for (const name of ["alpha", "beta"] as const) stewards[name] = await startSteppedMember(s.clock, url, name, dir.path, { yaml });
  const beta = stewards.beta.app;
  sendDatagramsTo(s, { host: "127.0.0.1", port: beta.intake.udp!.address()!.port }, () => beta.intake.counters.received.get());
  await s.clock.runUntil(START + 60 * MIN);
  await simControl(s.sim, "POST", "/nodes/Reload01/down");
  await scheduler("stopped");
  await s.clock.runUntil(START + 85 * MIN);
  for (const name of ["alpha", "beta"] as const)
    whileHeld[name] = ((await (await stewards[name].request("/v4/causes?status=open")).json()) as { causes: ParentView[] }).causes;
  pagesWhileHeld = hook().length + smtp.mails.length;
  // 01:30 the window ends with reload01 still down; it is back at 01:40.
  await s.clock.runUntil(START + 95 * MIN);
  pagesAtEnd = hook();
  mailsAtEnd = smtp.mails.length;
  await simControl(s.sim, "POST", "/nodes/Reload01/up");
  await scheduler("started");
  await s.clock.runUntil(START + 130 * MIN);
}, 300_000);

afterAll(async () => {
  for (const t of Object.values(stewards)) await t.close().catch(() => {});
  await s?.sim.stop();
  await rx?.stop();
  await smtp?.stop();
  await pg?.stop();
  dir.remove();
});

test("the watchdog runs on alpha; reload01 is heard on beta", () => {
  expect((["alpha", "beta"] as const).filter((n) => stewards[n].app.cluster.holds("watchdog"))).toEqual(["alpha"]);
  expect(stewards.alpha.app.intake.counters.received.get()).toBe(0);
});

test("inside the window: one cause, held on both Stewards, nobody paged", () => {
  expect(pagesWhileHeld).toBe(0);
  for (const name of ["alpha", "beta"] as const) {
    expect(whileHeld[name].map((c) => [c.title, c.stillFailing])).toEqual([["Qlik services down on reload01", 9]]);
    expect(whileHeld[name][0]!.heldBy).toEqual({ window: "reload01-patches", scope: "nodes reload01", until: at(90) });
  }
});

test("at the window's end the cause pages once per channel, both Stewards sweeping; its recovery follows once", async () => {
  // The page that went is one the window held, sent at its end.
  const { deliveries } = (await (await stewards.beta.request("/v4/deliveries?channel=hook")).json()) as {
    deliveries: Array<{ status: string; reason: string | null }>;
  };
  expect(deliveries.filter((d) => d.reason?.startsWith("held by maintenance window reload01-patches; sent at its end")).map((d) => d.status)).toEqual([
    "delivered",
  ]);
  expect(pagesAtEnd.map((p) => p.cause?.status)).toEqual(["open"]);
  expect(mailsAtEnd).toBe(1);
  expect(hook().map((p) => p.cause?.status)).toEqual(["open", "closed"]);
  expect(smtp.mails).toHaveLength(2);
});
