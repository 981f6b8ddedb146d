// Demos started at the same moment (a newcomer's second terminal, the test suite's parallel files): each finds the
// preferred ports free, makes its simulator's certificates, then listens, and the first to listen takes them. Before,
// the others ended with "QRS: cannot listen on port 7442 … Is port 7442 in use?"; now each starts again on ports
// picked afresh, says so, and runs.
import { afterAll, expect, test } from "bun:test";
import { resolve } from "node:path";
import { startProcess, type RunningProcess } from "../../../helpers/child-process";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { portTaken } from "../../../../src/show/demo/run-demo";
import { DEMO_CLUSTER_PORTS, DEMO_PORTS, pickDemoPorts } from "../../../../src/show/demo/ports";

const MAIN = resolve(import.meta.dir, "../../../../src/main.ts");
const DEMOS = 3;
const dirs = Array.from({ length: DEMOS }, () => createTempDir("steward-demo-ports-"));
const procs: RunningProcess[] = [];

afterAll(async () => {
  for (const p of procs) await p.stop("SIGKILL", 1_000);
  for (const d of dirs) d.remove();
});

test("three demos started together each run, on ports of their own", async () => {
  for (const d of dirs) procs.push(startProcess(process.execPath, [MAIN, "demo"], { cwd: d.path, env: { ...process.env, NO_COLOR: "1" } }));
  const urls = await Promise.all(
    procs.map((p, i) =>
      waitFor(
        () =>
          /Dashboard\s+(http:\/\/127\.0\.0\.1:\d+\/ui)\b/.exec(p.stdout())?.[1] ??
          (p.hasExited() ? Promise.reject(new Error(`demo ${i + 1} exited:\n${p.output()}`)) : undefined),
        { what: `demo ${i + 1}'s dashboard URL`, timeoutMs: 90_000, intervalMs: 100 },
      ),
    ),
  );
  expect(new Set(urls).size).toBe(DEMOS);
  for (const url of urls) expect((await fetch(url.replace(/\/ui$/, "/health"))).status).toBe(200);
  for (const p of procs) expect(await p.stop("SIGINT", 15_000)).toBe(0);
}, 180_000);

test("a port taken between the demo's look and its listen is recognised in each listener's words", () => {
  // Bun.serve (the simulator's QRS, Steward's HTTP), wrapped with the listener's name as the simulator does.
  const bun = new Error("Failed to start server. Is port 7442 in use?");
  expect(portTaken(new Error("QRS: cannot listen on port 7442: Failed to start server. Is port 7442 in use?", { cause: bun }))).toBe("7442");
  // node:net and node:dgram (the capture inbox's SMTP server, Steward's UDP listener).
  const net = Object.assign(new Error("listen EADDRINUSE: address already in use 127.0.0.1:7425"), { code: "EADDRINUSE", port: 7425 });
  expect(portTaken(net)).toBe("7425");
  expect(portTaken(new Error("steward: udp listener failed", { cause: Object.assign(new Error("bind EADDRINUSE 127.0.0.1"), { code: "EADDRINUSE" }) }))).toBe(
    "(unknown)",
  );
  // Anything else is not retried.
  expect(portTaken(new Error("the demo's data folder exists and was not created by the demo"))).toBeUndefined();
});

// Under load the winner takes its ports one by one: a start again on the preferred ports lost the next one (7425, then
// 7442, then UDP 7498 in three attempts), so a start again takes none of them.
test("a start again after a lost port takes free ports the system picks, none of the preferred", async () => {
  const preferred = new Set<number>([...Object.values(DEMO_PORTS), ...Object.values(DEMO_CLUSTER_PORTS)]);
  const ports = await pickDemoPorts("127.0.0.1", true, true);
  const tcp = Object.entries(ports)
    .filter(([k]) => k !== "udp" && k !== "udpB")
    .map(([, v]) => v);
  expect(Object.values(ports).filter((p) => preferred.has(p))).toEqual([]);
  expect(new Set(tcp).size).toBe(tcp.length);
  expect(ports.udpB).not.toBe(ports.udp);
});
