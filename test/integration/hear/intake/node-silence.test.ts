// A node whose Scheduler stops sending task events (issue 54): on a two-node simulated site whose second node's
// appender sends nowhere, that node's runs reach Steward only through reconciliation; after two of them one
// intake.node_silent names the node and the fix, a third run raises nothing more, and the node's first datagram
// ends it with intake.node_recovered. The node that does send is never called silent.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { type HttpReceiver, startHttpReceiver } from "../../tell/notify/receivers";
import { type Harness, IDS, SITE_YAML, startHarness } from "./harness";

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

  // A third run while silent: nothing more is said.
  const third = await h.runWhenIdle(IDS.externalProgram, "succeed", { nodeId: reload01() });
  expect((await h.eventFor(third, 20_000)).source).toBe("reconcile");
  // The appender file is back: the next run's datagram ends the silence.
  delete h.sim.settings.udp.nodeTargets.Reload01;
  const back = await h.runWhenIdle(IDS.externalProgram, "succeed", { nodeId: reload01() });
  expect((await h.eventFor(back)).source).toBe("udp");
  const recovered = await waitFor(() => posted("intake.node_recovered")[0], { what: "intake.node_recovered", timeoutMs: 10_000 });
  expect(recovered.data.node).toBe("sense2.test.example");
  expect(recovered.summary).toContain("the first since");

  expect(posted("intake.node_silent")).toHaveLength(1);
  expect(posted("intake.node_recovered")).toHaveLength(1);
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
  // A few more passes: still nothing said about the node.
  const passes = await h.metric("steward_intake_reconcile_runs_total", { result: "ok" });
  await waitFor(async () => (await h.metric("steward_intake_reconcile_runs_total", { result: "ok" })) >= passes + 3, { what: "three more passes" });
  expect(hook.requests.slice(before).map((r) => (JSON.parse(r.body) as Posted).kind)).toEqual([]);
}, 120_000);
