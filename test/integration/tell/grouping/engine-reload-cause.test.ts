// One page per cause for reloads outside the Scheduler, on the simulator and a stepped clock: a hub user's failed reload
// on a node whose cause is open (its Qlik Engine service stopped) is a symptom of that cause, listed and not sent, and
// ends with it (the recovered page comes when the service is back, not held for it); the same failure on a node whose
// services are up is its own page.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { ParentView } from "../../../../src/tell/grouping";
import { syntheticServiceEvent } from "../../../../src/tell/notify/samples";
import { closeAll, type TestApp } from "../../../helpers/app";
import { reloadAsUser } from "../../../helpers/engine-user";
import { sendDatagramsTo, type SteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import type { HttpReceiver, SmtpReceiver } from "../notify/receivers";
import { startGroupingScenario } from "./stepped-grouping";

const START = Date.parse("2026-03-10T08:00:00Z");
const APP = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11";
const SITE = `
site: { name: Engine reload cause, buildVersion: 34.12.3 }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
  - { name: Reload01, hostName: reload01.test.example }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
  - { userDirectory: CORP, userId: bob, name: Bob Analyst }
streams: [{ name: Ops }]
apps:
  - { id: ${APP}, name: Ops board, owner: CORP\\bob, stream: Ops, reload: { outcome: fail, error: "Cannot open file", durationMs: 10000 } }
`;

const dir = createTempDir("steward-engine-cause-");
let s: SteppedSite | undefined;
let t: TestApp | undefined;
let rx: HttpReceiver;
let smtp: SmtpReceiver;

beforeAll(async () => {
  ({ s, t, rx, smtp } = await startGroupingScenario(dir.path, START, SITE, ["service.stopped", "service.started", "app.reload_failed"]));
  s.sim.settings.udp.engine = true;
  sendDatagramsTo(s, { host: "127.0.0.1", port: t.app.intake.udp!.address()!.port }, () => t!.app.intake.counters.received.get());
}, 60_000);

afterAll(async () => {
  await closeAll(t, s?.sim, dir);
  await rx?.stop();
  await smtp?.stop();
});

const hooks = () => rx.requests.filter((r) => r.path === "/hook").map((r) => r.headers.get("x-steward-event"));
const engine = (state: "stopped" | "started") =>
  syntheticServiceEvent({ state, host: "reload01.test.example", service: "QlikSenseEngineService", nowMs: s!.clock.now() });
async function failOn(node: string): Promise<void> {
  const done = reloadAsUser(s!.sim, s!.clock, { user: "CORP\\bob", appId: APP, viaProxy: true, node });
  await s!.clock.runUntil(s!.clock.now() + 60_000, { stallMs: 10_000 });
  expect(await done).toBe(false);
}

test("a failed hub reload on a node whose cause is open is that cause's symptom, over when the node is back", async () => {
  await t!.app.bus.emit("service.stopped", engine("stopped"));
  await s!.clock.runUntil(s!.clock.now() + 30_000);
  expect(hooks()).toEqual(["service.stopped"]);
  await failOn("Reload01");
  expect(hooks()).toEqual(["service.stopped"]);
  const open = (await (await t!.request("/v4/causes?status=open")).json()) as { causes: ParentView[] };
  expect(open.causes.map((c) => [c.title, c.affected.apps])).toEqual([["Qlik services down on reload01", ["Ops board"]]]);
  await t!.app.bus.emit("service.started", engine("started"));
  await s!.clock.runUntil(s!.clock.now() + 30_000);
  expect(hooks()).toEqual(["service.stopped", "service.started"]);
  expect(((await (await t!.request("/v4/causes?status=open")).json()) as { causes: ParentView[] }).causes).toEqual([]);
}, 60_000);

test("the same failure with the node up is its own page", async () => {
  await failOn("Reload01");
  expect(hooks()).toEqual(["service.stopped", "service.started", "app.reload_failed"]);
}, 60_000);
