// unconfirmed-flood.test.ts across two Stewards on one PostgreSQL: the spoofer floods both (each has its own UDP port,
// and a datagram reaches only the Steward it was sent to). The page budget of an address is spent in the shared store,
// one for the site: before, each Steward spent its own in memory and the site got perSource single pages per Steward
// (6 of 7 deliveries here). The summary page is claimed there too, so the site gets ONE summary, whose cause either
// Steward resolves once the address is quiet for the window: PagerDuty gets one resolve.
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { forgedFailureDatagram } from "../../../../scripts/forged-datagrams";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { startPostgres, type PostgresService } from "../../../helpers/services";
import { offsetClock, systemClock } from "../../../../src/platform/core/clock";
import { type PagerDutyEvent, startPagerDutyReceiver } from "../../../helpers/pagerduty-receiver";
import type { OnCallReceiver } from "../../../helpers/on-call-receiver";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { type HttpReceiver, startHttpReceiver } from "../../tell/notify/receivers";
import { intakeYaml, startHarness, type Harness } from "./harness";

let pg: PostgresService;
let h: Harness | undefined;
let other: TestApp | undefined;
let rx: HttpReceiver | undefined;
let pd: OnCallReceiver<PagerDutyEvent> | undefined;
const dirs: TempDir[] = [];
beforeAll(async () => {
  pg = await startPostgres();
});
afterEach(async () => {
  await other?.close();
  await h?.close();
  await rx?.stop();
  await pd?.stop();
  for (const d of dirs.splice(0)) d.remove();
  h = other = rx = pd = undefined;
});
afterAll(async () => {
  await pg?.stop();
});

const NODE = { address: "127.0.0.1", port: 40_000 };
const ROUTING_KEY = "R0123456789abcdef0123456789abcde";
const INTAKE = { concurrency: 16, enrichment: { lookupTimeoutMs: 300 }, reconcile: { intervalSeconds: 3600, settleSeconds: 0 } };

test("a flood that reaches two Stewards of one PostgreSQL is 3 single pages and one summary for the site, resolved once", { timeout: 180_000 }, async () => {
  const url = await pg.createDatabase("unconfirmed_flood");
  rx = startHttpReceiver(200);
  pd = startPagerDutyReceiver();
  // Both Stewards' time can be moved ahead together (the simulator keeps real time).
  let ahead = 0;
  const clock = offsetClock(systemClock, () => ahead);
  const yaml = (name: string) => `
store:
  postgres: { url: ${url}, instanceName: ${name}, leaseTtlMs: 3000, heartbeatIntervalMs: 300 }
channels:
  hook: { type: webhook, url: "${rx!.url}/hook" }
  pd: { type: pagerduty, routingKey: "${ROUTING_KEY}", url: "${pd!.url}/v2/enqueue" }
routes:
  - { name: failures, on: [task.failed, task.recovered], to: [hook, pd] }
notify:
  outbox: { initialBackoff: 50ms, maxBackoff: 200ms }
`;
  const a = createTempDir("unconfirmed-flood-pg-a-");
  const b = createTempDir("unconfirmed-flood-pg-b-");
  dirs.push(a, b);
  h = await startHarness({ dir: a.path, intake: INTAKE, extraYaml: yaml("node-a"), clock });
  await h.startPassEnded();
  other = createTestApp(intakeYaml(h.sim, INTAKE, yaml("node-b")), { dir: b.path, clock });
  await other.app.start();
  const slow = h.sim.faults.add({ target: "qrs", pathContains: "task", delayMs: 3_000 }, Date.now());
  const stewards = [h.t.app.intake, other.app.intake];
  // The same forged runs to both Stewards, taking turns, as a spoofer aiming at every Steward's port would send them.
  for (let i = 0; i < 100; i++) stewards[i % 2]!.handleDatagram(forgedFailureDatagram(i, 87, 600), NODE);
  const judged = () =>
    stewards.reduce(
      (n, s) =>
        n + s.counters.unconfirmed.get({ qrs: "unavailable", action: "emitted" }) + s.counters.unconfirmed.get({ qrs: "unavailable", action: "over_budget" }),
      0,
    );
  await waitFor(() => judged() >= 100 || undefined, { timeoutMs: 120_000, what: "the 100 forged runs judged by the two Stewards" });

  const hooks = () => rx!.requests.filter((r) => r.path === "/hook");
  const summaries = () => hooks().filter((r) => r.body.includes("task runs from 127.0.0.1 that QRS could not confirm"));
  await waitFor(() => (hooks().length >= 4 && summaries().length >= 1) || undefined, { timeoutMs: 30_000, what: "four deliveries" });
  await Bun.sleep(1_000);
  // Three one by one for the site (not three per Steward), and one summary.
  expect(summaries()).toHaveLength(1);
  expect(hooks()).toHaveLength(4);
  const triggers = pd.accepted.filter((r) => r.body.event_action === "trigger");
  expect(triggers).toHaveLength(4);
  const key = triggers.find((r) => r.body.event_action === "trigger" && r.body.payload.summary.includes("unconfirmed failed task runs from 127.0.0.1"))?.body
    .dedup_key;
  expect(key).toMatch(/^steward-cause-\d+$/);

  // Quiet for the window: both Stewards look, one resolves the summary's cause, PagerDuty is told once.
  ahead = 11 * 60_000;
  const ended = (await h.t.app.incidents!.unconfirmedFloods!.sweep()) + (await other.app.incidents!.unconfirmedFloods!.sweep());
  expect(ended).toBe(1);
  const resolves = () => pd!.accepted.filter((r) => r.body.event_action === "resolve" && r.body.dedup_key === key);
  await waitFor(() => resolves().length >= 1 || undefined, { timeoutMs: 30_000, what: "the summary's resolve on PagerDuty" });
  await Bun.sleep(1_500);
  expect(resolves()).toHaveLength(1);
  expect(pd.alerts.filter((x) => x.key === key)).toEqual([expect.objectContaining({ status: "resolved" })]);

  // QRS answers again: it has none of the forged tasks. Both Stewards check the three single pages at once; each
  // page is ended by one of them, so PagerDuty gets one resolve per forged run's own alert (unconfirmed-pages.ts;
  // issue 103: steward-unconfirmed-<execution id>, never the task's).
  h.sim.faults.remove(slow.id);
  const singles = triggers.map((r) => r.body.dedup_key!).filter((k) => k.startsWith("steward-unconfirmed-"));
  expect(singles).toHaveLength(3);
  const [byA, byB] = await Promise.all([h.t.app.intake.unconfirmedPages!.sweep(), other.app.intake.unconfirmedPages!.sweep()]);
  expect(byA + byB).toBe(3);
  const ends = (k: string) => pd!.accepted.filter((r) => r.body.event_action === "resolve" && r.body.dedup_key === k);
  await waitFor(() => singles.every((k) => ends(k).length >= 1) || undefined, { timeoutMs: 30_000, what: "each single page resolved on PagerDuty" });
  await Bun.sleep(1_500);
  for (const k of singles) expect(ends(k)).toHaveLength(1);
  expect(pd.alerts.filter((x) => x.status !== "resolved")).toEqual([]);
  expect(pd.rejected).toEqual([]);
});
