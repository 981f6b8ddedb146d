// A multi-node site whose nodes' appenders point at different places (one Steward per node): a run's datagram
// goes to the targets of the node that ran it, set in the site fixture, at start or through the control API; a
// node without its own targets uses the site-wide ones. Real dgram sockets receive the datagrams.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { simCommand } from "../../../src/sim/cli";
import { DEFAULT_SITE_YAML, startSimulator } from "../../../src/sim";
import { waitFor } from "../../helpers/wait-for";
import { sharedCertDir, startTestSim, udpReceiver, type TestSim, type UdpReceiver } from "./helpers";

// Tasks of the default site (config/sim-site.yaml) on each of its three nodes.
const T = {
  central: "7552d9fc-d1bb-4975-9a38-18357de531ea", // Reload Sales dashboard, node Central (sense1.corp.example)
  reload01: "3c9e2b71-8d4a-4f60-b2d1-7e5a9c0f1b23", // Nightly, node Reload01 (sense2.corp.example)
  reload02: "2e4f6a8c-0b1d-4e3f-a5b7-c9d1e3f5a7b9", // HR headcount, node Reload02 (SENSE3)
};

let t: TestSim;
let site: UdpReceiver;
const rx: Record<"central" | "reload01" | "reload02", UdpReceiver> = {} as never;
beforeAll(async () => {
  site = await udpReceiver();
  rx.central = await udpReceiver();
  rx.reload01 = await udpReceiver();
  rx.reload02 = await udpReceiver();
  t = await startTestSim({
    settings: {
      udp: {
        targets: [{ host: "127.0.0.1", port: site.port }],
        // By name, by host name: both name a node; the view keys them by the node's name.
        nodeTargets: { central: [{ host: "127.0.0.1", port: rx.central.port }], "sense2.corp.example": [{ host: "127.0.0.1", port: rx.reload01.port }] },
      },
    },
  });
});
afterAll(async () => {
  await t.stop();
  for (const r of [site, rx.central, rx.reload01, rx.reload02]) await r.close();
});

const clearAll = () => [site, rx.central, rx.reload01, rx.reload02].forEach((r) => r.clear());
const text = (r: UdpReceiver) => r.messages.map((m) => m.toString("utf8"));

async function run(taskId: string, body: Record<string, unknown> = {}): Promise<string> {
  const r = await t.control.send("POST", `/tasks/${taskId}/run`, { outcome: "fail", ...body });
  expect(r.status).toBe(201);
  await waitFor(() => !t.sim.tasks.isRunning(taskId), { timeoutMs: 5_000, intervalMs: 10, what: `task ${taskId} finished` });
  return r.json().executionId;
}

/** Waits for the failure datagram (a run's last) of `exec` on `r`. */
const failedOn = (r: UdpReceiver, exec: string): Promise<string> =>
  waitFor(() => text(r).find((m) => m.startsWith("/scheduler-task-failed/") && m.includes(`;${exec};`)), { what: `the datagram of ${exec}` });

describe("sim UDP: per-node appender targets", () => {
  test("each run's datagrams go to its node's own targets only; a node without its own uses the site-wide ones", async () => {
    clearAll();
    const e1 = await run(T.central);
    const e2 = await run(T.reload01);
    const e3 = await run(T.reload02);
    expect(await failedOn(rx.central, e1)).toContain(";sense1.corp.example;");
    expect(await failedOn(rx.reload01, e2)).toContain(";sense2.corp.example;");
    expect(await failedOn(site, e3)).toContain(";SENSE3;");
    // Nothing of a run reached another node's Steward: all datagrams of e1 on central's, and so on.
    expect(text(rx.central).every((m) => m.includes(`;${e1};`))).toBe(true);
    expect(text(rx.reload01).every((m) => m.includes(`;${e2};`))).toBe(true);
    expect(text(site).every((m) => m.includes(`;${e3};`))).toBe(true);
    expect(rx.reload02.messages).toHaveLength(0);
    const sent = t.sim.udp.recent().filter((d) => d.text.includes(`;${e2};`));
    expect(sent.every((d) => d.node === "Reload01" && d.targets.join() === `127.0.0.1:${rx.reload01.port}`)).toBe(true);
  });

  test("the control API shows, sets and removes a node's targets; a run can be placed on another node", async () => {
    const view = (await t.control.send("GET", "/udp")).json().settings;
    expect(view.nodeTargets).toEqual({ Central: [{ host: "127.0.0.1", port: rx.central.port }], Reload01: [{ host: "127.0.0.1", port: rx.reload01.port }] });
    // engineSends: whether the node's Engine appender sends (udp.engine, less the nodes switched off).
    expect(view.nodes).toEqual([
      { node: "Central", hostName: "sense1.corp.example", own: true, targets: [`127.0.0.1:${rx.central.port}`], engineSends: false },
      { node: "Reload01", hostName: "sense2.corp.example", own: true, targets: [`127.0.0.1:${rx.reload01.port}`], engineSends: false },
      { node: "Reload02", hostName: "SENSE3", own: false, targets: [`127.0.0.1:${site.port}`], engineSends: false },
    ]);

    const put = await t.control.send("PUT", "/udp/nodes/SENSE3/targets", [`127.0.0.1:${rx.reload02.port}`]);
    expect(put.status).toBe(200);
    expect(put.json().nodeTargets.Reload02).toEqual([{ host: "127.0.0.1", port: rx.reload02.port }]);
    clearAll();
    // Load balancing put this run of Central's task on Reload02: that node logs it, so its appender sends it.
    const moved = await run(T.central, { node: "Reload02" });
    expect(await failedOn(rx.reload02, moved)).toContain(";SENSE3;");
    expect(rx.central.messages).toHaveLength(0);
    const execs = (await t.control.send("GET", `/executions?taskId=${T.central}&limit=1`)).json();
    expect(execs[0].node).toBe("SENSE3");

    // Removed: Reload02 is back on the site-wide target.
    expect((await t.control.send("DELETE", "/udp/nodes/Reload02/targets")).status).toBe(200);
    clearAll();
    const back = await run(T.reload02);
    expect(await failedOn(site, back)).toContain(";SENSE3;");
    expect(rx.reload02.messages).toHaveLength(0);
  });

  test("bad requests: an unknown node, a bad target, node targets through PATCH", async () => {
    const unknown = await t.control.send("PUT", "/udp/nodes/Reload09/targets", ["127.0.0.1:9"]);
    expect(unknown.status).toBe(404);
    expect(unknown.json().error).toContain("no node Reload09 (the site's nodes: Central, Reload01, Reload02)");
    const bad = await t.control.send("PUT", "/udp/nodes/Central/targets", ["nohost"]);
    expect(bad.status).toBe(400);
    expect(bad.json().error).toContain("invalid UDP target 'nohost'");
    const patch = await t.control.send("PATCH", "/udp", { nodeTargets: { Central: [] } });
    expect(patch.status).toBe(400);
    const runElsewhere = await t.control.send("POST", `/tasks/${T.central}/run`, { node: "Reload09" });
    expect(runElsewhere.status).toBe(400);
    expect(runElsewhere.json().error).toContain("node: no node 'Reload09'");
    // A node's Engine lines on or off: the node is checked, the body too, and the list only through this route.
    expect((await t.control.send("PUT", "/udp/nodes/Reload09/engine", { sends: false })).status).toBe(404);
    expect((await t.control.send("PUT", "/udp/nodes/Central/engine", { sends: "no" })).status).toBe(400);
    expect((await t.control.send("PATCH", "/udp", { engineSilentNodes: ["Central"] })).status).toBe(400);
    // Nothing changed.
    expect((await t.control.send("GET", "/udp")).json().settings.nodeTargets.Central).toEqual([{ host: "127.0.0.1", port: rx.central.port }]);
    expect((await t.control.send("GET", "/udp")).json().settings.engineSilentNodes).toEqual([]);
    const off = await t.control.send("PUT", "/udp/nodes/sense2.corp.example/engine", { sends: false });
    expect(off.json().engineSilentNodes).toEqual(["Reload01"]);
    expect((await t.control.send("PUT", "/udp/nodes/Reload01/engine", { sends: true })).json().engineSilentNodes).toEqual([]);
  });
});

describe("sim UDP: per-node targets from the site fixture and the CLI", () => {
  test("nodes[].udpTargets in the site fixture seed the nodes' targets; settings given at start win", async () => {
    const yaml = DEFAULT_SITE_YAML.replace(
      "hostName: sense2.corp.example }",
      `hostName: sense2.corp.example, udpTargets: ["127.0.0.1:${rx.reload01.port}"] }`,
    ).replace("hostName: SENSE3 }", `hostName: SENSE3, udpTargets: [{ host: 127.0.0.1, port: ${site.port} }] }`);
    expect(yaml).toContain(`udpTargets: ["127.0.0.1:${rx.reload01.port}"]`);
    const sim = await startSimulator({
      site: yaml,
      certDir: sharedCertDir(),
      qrsPort: 0,
      enginePort: 0,
      controlPort: 0,
      schedules: false,
      settings: { udp: { nodeTargets: { Reload02: [{ host: "127.0.0.1", port: rx.reload02.port }] } } },
    });
    try {
      expect(sim.settings.udp.nodeTargets).toEqual({
        Reload01: [{ host: "127.0.0.1", port: rx.reload01.port }],
        Reload02: [{ host: "127.0.0.1", port: rx.reload02.port }],
      });
    } finally {
      await sim.stop();
    }
  });

  test("a bad udpTargets entry names its place in the site file; an unknown node at start is refused", async () => {
    const yaml = DEFAULT_SITE_YAML.replace("hostName: SENSE3 }", `hostName: SENSE3, udpTargets: ["nohost"] }`);
    await expect(startSimulator({ site: yaml, certDir: sharedCertDir(), qrsPort: 0, enginePort: 0, controlPort: 0, schedules: false })).rejects.toThrow(
      /nodes\[2\]\.udpTargets\[0\]: invalid UDP target 'nohost'/,
    );
    await expect(
      startSimulator({
        certDir: sharedCertDir(),
        qrsPort: 0,
        enginePort: 0,
        controlPort: 0,
        schedules: false,
        settings: { udp: { nodeTargets: { Reload09: [] } } },
      }),
    ).rejects.toThrow("unknown node 'Reload09' in UDP node targets (the site's nodes: Central, Reload01, Reload02)");
  });

  test("steward sim --node-udp-target NODE=HOST:PORT prints each node's own target; a malformed one is a usage error", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const stop = new AbortController();
    const args = ["--certs", sharedCertDir(), "--qrs-port", "0", "--engine-port", "0", "--control-port", "0", "--version-port", "0", "--no-schedules"];
    const running = simCommand([...args, "--node-udp-target", "Reload01=127.0.0.1:9901", "--node-udp-target", "SENSE3=127.0.0.1:9902"], {
      out: (l) => out.push(l),
      err: (l) => err.push(l),
      signal: stop.signal,
    });
    await waitFor(() => out.some((l) => l.startsWith("Press Ctrl+C")), { what: "the simulator to start", timeoutMs: 15_000 });
    stop.abort();
    expect(await running).toBe(0);
    expect(out).toContain("  UDP       Reload01 (sense2.corp.example): 127.0.0.1:9901   (that node's own appender)");
    expect(out).toContain("  UDP       Reload02 (SENSE3): 127.0.0.1:9902   (that node's own appender)");

    const bad: string[] = [];
    expect(await simCommand(["--node-udp-target", "Reload01"], { out: () => {}, err: (l) => bad.push(l) })).toBe(2);
    expect(bad[0]).toContain("--node-udp-target must be NODE=HOST:PORT, got 'Reload01'");
  });
});
