// A node whose Scheduler stops sending task events (issue 54): on a two-node simulated site whose second node's
// appender sends nowhere, that node's runs reach Steward only through reconciliation; after two of them one
// intake.node_silent names the node and the fix, a third run raises nothing more, and the node's first datagram
// ends it with intake.node_recovered. The node that does send is never called silent. A datagram alone is anyone's
// word: one naming the silent node for a run QRS denies changes nothing, and 600 forged host names neither enter the
// node table nor stop the real nodes from being followed.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { type HttpReceiver, startHttpReceiver } from "../../tell/notify/receivers";
import { type Harness, IDS, SITE_YAML, sendDatagram, startHarness } from "./harness";

const tmp = createTempDir("steward-node-silence-");
let h: Harness;
let hook: HttpReceiver;

interface Posted {
  kind: string;
  title: string;
  summary: string;
  data: Record<string, string | number | null>;
}
const posted = (kind: string): Posted[] => hook.requests.map((r) => JSON.parse(r.body) as Posted).filter((e) => e.kind === kind);

beforeAll(async () => {
  hook = startHttpReceiver();
  const site = SITE_YAML.replace(
    "  - { name: Central, hostName: sense1.test.example, central: true }",
    "  - { name: Central, hostName: sense1.test.example, central: true }\n  - { name: Reload01, hostName: sense2.test.example }\n  - { name: Reload02, hostName: sense3.test.example }",
  );
  h = await startHarness({
    dir: tmp.path,
    site,
    // Passes every second; a run is left to its datagram for two seconds first.
    intake: { reconcile: { intervalSeconds: 1, settleSeconds: 2 }, nodeSilence: { minRuns: 2, windowMinutes: 60 } },
    extraYaml: [
      "channels:",
      `  hook: { type: webhook, url: "${hook.url}/hook" }`,
      "routes:",
      "  - { on: [intake.node_silent, intake.node_recovered], to: [hook] }",
    ].join("\n"),
  });
  // Reload01's appender file is gone: its datagrams go nowhere.
  h.sim.settings.udp.nodeTargets.Reload01 = [];
}, 60_000);

afterAll(async () => {
  await h?.close();
  await hook?.stop();
  tmp.remove();
});

/** A failure datagram as the Scheduler's appender writes it, naming `host`, for a run QRS does not have. */
const forged = (host: string, i: number, taskId: string = IDS.externalProgram) =>
  `/scheduler-task-failed/;${host};Run ERP extract;;INTERNAL\\sa_scheduler;${taskId};;2025-11-03 06:00:41,512;WARN;0badc0de-1111-4222-8333-${String(i).padStart(12, "0")};Max retries reached`;
const denied = () => h.t.app.intake.counters.unconfirmed.get({ qrs: "denied", action: "dropped" });
const nodeTable = async () =>
  await h.t.app.sharedStore.sql.all<{ node: string; silent_since: number | null }>("SELECT node, silent_since FROM intake_nodes ORDER BY node");

const nodeId = (name: string) => h.sim.repo.site.nodes.find((n) => n.name === name)!.id;
const reload01 = () => nodeId("Reload01");

test("two runs heard only from QRS make the node silent once; its first datagram ends it", async () => {
  // The central node is heard; the other's runs come only from QRS.
  const central = await h.runWhenIdle(IDS.reload, "succeed");
  expect((await h.eventFor(central)).source).toBe("udp");
  const first = await h.runWhenIdle(IDS.externalProgram, "fail", { nodeId: reload01() });
  expect((await h.eventFor(first, 20_000)).source).toBe("reconcile");
  const second = await h.runWhenIdle(IDS.externalProgram, "succeed", { nodeId: reload01() });
  expect((await h.eventFor(second, 20_000)).source).toBe("reconcile");

  const silent = await waitFor(() => posted("intake.node_silent")[0], { what: "intake.node_silent", timeoutMs: 20_000 });
  expect(silent.data.node).toBe("sense2.test.example");
  expect(silent.data.runs).toBe(2);
  expect(silent.title).toBe("Node sense2.test.example sends no task events to Steward");
  expect(silent.summary).toContain("LocalLogConfig.xml");
  expect(silent.summary).toContain("that UDP port");
  // Times in the sentence are the site's, not raw ISO.
  expect(silent.summary).not.toMatch(/\d{4}-\d{2}-\d{2}T/);

  // /ready (degraded: still 200) and the doctor name the node and the fix.
  const ready = await h.t.request("/ready");
  expect(ready.status).toBe(200);
  const parts = ((await ready.json()) as { components: Record<string, { ok: boolean; required: boolean; detail: string }> }).components;
  expect(parts["scheduler-datagrams"]).toMatchObject({ ok: false, required: false });
  expect(parts["scheduler-datagrams"]!.detail).toContain("no task events from sense2.test.example");
  const doctor = (await (await h.t.request("/v4/doctor")).json()) as { checks: Array<{ check: string; ok: boolean; detail: string; fix?: string }> };
  const line = doctor.checks.find((c) => c.check === "scheduler datagrams")!;
  expect(line).toMatchObject({ ok: false });
  expect(line.detail).toContain("sense2.test.example");
  expect(line.fix).toContain("Scheduler\\LocalLogConfig.xml");

  // A third run while silent: nothing more is said.
  const third = await h.runWhenIdle(IDS.externalProgram, "succeed", { nodeId: reload01() });
  expect((await h.eventFor(third, 20_000)).source).toBe("reconcile");
  // A forged datagram naming the silent node (a mass mention and a link for text) for a run QRS denies: nothing changes.
  const before = denied();
  await sendDatagram(forged("sense2 @channel <https://evil.example|fix>", 1), h.udpPort());
  await sendDatagram(forged("SENSE2", 2), h.udpPort());
  await waitFor(() => denied() >= before + 2, { what: "the forged runs refused by QRS" });
  await h.t.app.intake.nodeSilence!.settled();
  expect(posted("intake.node_recovered")).toEqual([]);
  expect((await nodeTable()).find((n) => n.node === "sense2")?.silent_since).not.toBeNull();
  // The appender file is back: the next run's datagram ends the silence.
  delete h.sim.settings.udp.nodeTargets.Reload01;
  const back = await h.runWhenIdle(IDS.externalProgram, "succeed", { nodeId: reload01() });
  expect((await h.eventFor(back)).source).toBe("udp");
  const recovered = await waitFor(() => posted("intake.node_recovered")[0], { what: "intake.node_recovered", timeoutMs: 10_000 });
  expect(recovered.data.node).toBe("sense2.test.example");
  expect(recovered.summary).toContain("the first since");

  expect(posted("intake.node_silent")).toHaveLength(1);
  expect(posted("intake.node_recovered")).toHaveLength(1);
  const after = ((await (await h.t.request("/ready")).json()) as { components: Record<string, { ok: boolean }> }).components;
  expect(after["scheduler-datagrams"]!.ok).toBe(true);
  expect(hook.requests.map((r) => (JSON.parse(r.body) as Posted).data.node)).not.toContain("sense1.test.example");
}, 120_000);

test("runs that ended while Steward was stopped are found by reconciliation and make no node silent", async () => {
  const before = hook.requests.length;
  await h.t.app.stop();
  // Datagrams reach nobody now; Reload02 has never been heard at all.
  const missed: string[] = [];
  for (let i = 0; i < 3; i++) {
    missed.push(await h.runWhenIdle(IDS.externalProgram, "fail", { nodeId: nodeId("Reload02") }));
    await waitFor(() => !h.sim.tasks.isRunning(IDS.externalProgram), { what: "the run to end" });
  }
  await h.restart();
  for (const id of missed) expect((await h.eventFor(id, 20_000)).source).toBe("reconcile");
  // A few more passes (run now, not waited for on the 1 s timer): still nothing said about the node.
  const passes = await h.metric("steward_intake_reconcile_runs_total", { result: "ok" });
  while ((await h.metric("steward_intake_reconcile_runs_total", { result: "ok" })) < passes + 3) await h.t.app.intake.reconciler!.runOnce();
  // What the passes decided is in the node table (a wrong notice could still be on its way to the hook).
  await h.t.app.intake.nodeSilence!.settled();
  expect((await nodeTable()).filter((n) => n.silent_since !== null)).toEqual([]);
  expect(hook.requests.slice(before).map((r) => (JSON.parse(r.body) as Posted).kind)).toEqual([]);
}, 120_000);

test("600 forged host names do not enter the node table, and a real node's silence is still followed to its end", async () => {
  h.aim(); // the restart above gave Steward a new UDP port
  const silentBefore = posted("intake.node_silent").length;
  const recoveredBefore = posted("intake.node_recovered").length;
  const before = denied();
  // An unknown task: QRS denies each at its first lookup.
  for (let i = 0; i < 600; i++) await sendDatagram(forged(`forged-${i}.evil.example`, 1_000 + i, "0badc0de-2222-4333-8444-555566667777"), h.udpPort());
  await waitFor(() => denied() >= before + 600, { what: "600 forged runs refused by QRS", timeoutMs: 60_000 });
  await h.t.app.intake.nodeSilence!.settled();
  expect((await nodeTable()).map((n) => n.node).filter((n) => !["sense1", "sense2", "sense3"].includes(n))).toEqual([]);

  // Reload02's appender goes (it was never heard since the restart): two runs from QRS only make it silent, and its
  // next datagram ends that, however many forged names came before.
  const reload02 = nodeId("Reload02");
  h.sim.settings.udp.nodeTargets.Reload02 = [];
  for (let i = 0; i < 2; i++) {
    const run = await h.runWhenIdle(IDS.externalProgram, "succeed", { nodeId: reload02 });
    expect((await h.eventFor(run, 20_000)).source).toBe("reconcile");
  }
  const silent = await waitFor(() => posted("intake.node_silent")[silentBefore], { what: "intake.node_silent for Reload02", timeoutMs: 20_000 });
  expect(silent.data.node).toBe("sense3.test.example");
  delete h.sim.settings.udp.nodeTargets.Reload02;
  const back = await h.runWhenIdle(IDS.externalProgram, "succeed", { nodeId: reload02 });
  expect((await h.eventFor(back)).source).toBe("udp");
  const recovered = await waitFor(() => posted("intake.node_recovered")[recoveredBefore], { what: "intake.node_recovered for Reload02", timeoutMs: 10_000 });
  expect(recovered.data.node).toBe("sense3.test.example");
  expect(JSON.stringify(hook.requests.map((r) => r.body))).not.toContain("evil");
}, 180_000);
