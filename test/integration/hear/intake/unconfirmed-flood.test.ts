// Issue 86: a flood spoofing a node's address while QRS answers slower than the lookup timeout. Each forged run names
// another task id, so the per-task budget never bites, and before the per-source bound 60 forged failures an hour
// were paged, one each. Now the address gets intake.confirm.unconfirmedBudget.perSource (3) pages one by one and then
// ONE page for the rest; another node's failure in the same window is paged on its own; a real run of the flooded
// node that was held is announced once, from QRS, when QRS answers again.
import { afterEach, expect, test } from "bun:test";
import { forgedFailureDatagram } from "../../../../scripts/forged-datagrams";
import { sniffSchedulerOutcome } from "../../../../src/hear/intake/datagram-parser";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { type HttpReceiver, startHttpReceiver } from "../../tell/notify/receivers";
import { IDS, startHarness, type Harness } from "./harness";

let h: Harness | undefined;
let rx: HttpReceiver | undefined;
let dir: TempDir | undefined;
afterEach(async () => {
  await h?.close();
  await rx?.stop();
  dir?.remove();
  h = rx = dir = undefined;
});

/** The flooded node's address (the simulator's Scheduler sends from it), and another node's. */
const NODE = { address: "127.0.0.1", port: 40_000 };
const OTHER_NODE = { address: "::1", port: 40_001 };

test("100 forged failures from one address while QRS is slow page 3 times and once more as one; another node's failure pages on its own", {
  timeout: 180_000,
}, async () => {
  dir = createTempDir("unconfirmed-flood-");
  rx = startHttpReceiver(200);
  h = await startHarness({
    dir: dir.path,
    intake: { concurrency: 16, enrichment: { lookupTimeoutMs: 300 }, reconcile: { intervalSeconds: 3600, settleSeconds: 0 } },
    extraYaml: `
channels:
  hook: { type: webhook, url: "${rx.url}/hook" }
routes:
  - { name: failures, on: [task.failed], to: [hook] }
notify:
  outbox: { initialBackoff: 50ms, maxBackoff: 200ms }
`,
  });
  await h.startPassEnded();
  const { intake } = h.t.app;
  // QRS answers task reads slower than the lookup timeout: no run can be confirmed.
  const slow = h.sim.faults.add({ target: "qrs", pathContains: "task", delayMs: 3_000 }, Date.now());
  for (let i = 0; i < 100; i++) intake.handleDatagram(forgedFailureDatagram(i, 86, 600), NODE);
  const counted = (action: string) => intake.counters.unconfirmed.get({ qrs: "unavailable", action });
  await waitFor(() => counted("emitted") + counted("over_budget") >= 100 || undefined, { timeoutMs: 120_000, what: "the 100 forged runs judged" });

  // The other node's real failure, in the same window: QRS cannot confirm it either, and it is paged on its own.
  h.sim.settings.udp.targets = [];
  const real = h.run(IDS.reload, "fail");
  const datagram = await waitFor(() => h!.sim.udp.recent().find((d) => d.text.includes(real) && sniffSchedulerOutcome(Buffer.from(d.text)) === "failed"), {
    what: "the real failure's datagram",
  });
  intake.handleDatagram(Buffer.from(datagram.text), OTHER_NODE);
  const realEvent = await h.eventFor(real, 30_000);
  expect(realEvent).toMatchObject({ kind: "task.failed", unconfirmed: { qrs: "unavailable" } });
  expect(realEvent.unconfirmed!.reason).not.toContain("task runs from");

  // A real run of the flooded node, its datagram among the flood's: held with them, not paged.
  const held = await h.runWhenIdle(IDS.reload, "fail");
  const heldDatagram = await waitFor(() => h!.sim.udp.recent().find((d) => d.text.includes(held) && sniffSchedulerOutcome(Buffer.from(d.text)) === "failed"), {
    what: "the flooded node's own failure datagram",
  });
  intake.handleDatagram(Buffer.from(heldDatagram.text), NODE);
  await waitFor(() => counted("emitted") + counted("over_budget") >= 102 || undefined, { timeoutMs: 30_000, what: "the held run judged" });

  // Deliveries: 3 forged failures one by one, one summary naming the address, the other node's failure.
  const hooks = () => rx!.requests.filter((r) => r.path === "/hook");
  await waitFor(() => hooks().length >= 5 || undefined, { timeoutMs: 30_000, what: "five deliveries" });
  await Bun.sleep(1_000);
  expect(hooks()).toHaveLength(5);
  const summaries = hooks().filter((r) => r.body.includes("task runs from 127.0.0.1 that QRS could not confirm"));
  expect(summaries).toHaveLength(1);
  // The forged task names are shown as unverified text; the page's task name (its headline) names the flood.
  expect(summaries[0]!.body).toContain("(unverified)");
  expect(JSON.parse(summaries[0]!.body)).toMatchObject({
    taskName: expect.stringMatching(/^4 failed task runs from 127\.0\.0\.1 that QRS could not confirm$/),
  });
  expect(hooks().filter((r) => r.body.includes(real))).toHaveLength(1);
  expect(counted("over_budget")).toBeGreaterThanOrEqual(97);
  expect(h.events.filter((e) => e.executionId === held)).toHaveLength(0);

  // QRS answers again: reconciliation reads the held run from QRS and announces it, once.
  h.sim.faults.remove(slow.id);
  await intake.reconciler!.runOnce();
  const confirmed = await h.eventFor(held, 30_000);
  expect(confirmed).toMatchObject({ kind: "task.failed", source: "reconcile" });
  expect(confirmed.unconfirmed).toBeUndefined();
  await waitFor(() => hooks().some((r) => r.body.includes(held)) || undefined, { timeoutMs: 30_000, what: "the held run delivered" });
  await intake.reconciler!.runOnce();
  await Bun.sleep(500);
  expect(h.events.filter((e) => e.executionId === held)).toHaveLength(1);
  expect(hooks().filter((r) => r.body.includes(held))).toHaveLength(1);
});
