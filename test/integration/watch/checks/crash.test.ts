// A killed Steward loses no data check: Steward runs as a child process, the Engine holds the answer to its
// EvaluateEx, Steward is SIGKILLed while it waits; after a restart on the same data directory the run is
// evaluated again, its values are stored and its alert is delivered once.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startSimulator, type Simulator } from "../../../../src/sim";
import { startProcess, type RunningProcess } from "../../../helpers/child-process";
import { freeTcpPort, freeUdpPort } from "../../../helpers/free-port";
import { simControl } from "../../../helpers/sim-control";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor, waitForHttp } from "../../../helpers/wait-for";
import { startHttpReceiver, type HttpReceiver } from "../../tell/notify/receivers";
import { CHECKS_YAML, ID, SITE, stewardYaml } from "./harness";
import { simCertDir } from "../../../helpers/sim-certs";

const REPO = join(import.meta.dir, "../../../..");
let dir: TempDir;
let sim: Simulator;
let hook: HttpReceiver;
let proc: RunningProcess | undefined;

beforeAll(async () => {
  dir = createTempDir("steward-checks-crash-");
  sim = await startSimulator({
    site: SITE,
    certDir: simCertDir(join(dir.path, "certs")),
    qrsPort: 0,
    enginePort: 0,
    controlPort: 0,
    schedules: false,
    settings: { timing: { durationOverrideMs: 60 } },
  });
  hook = startHttpReceiver();
}, 30_000);
afterAll(async () => {
  await proc?.stop("SIGKILL", 1000);
  await sim?.stop();
  await hook?.stop();
  dir?.remove();
});

test("SIGKILL while the Engine evaluates: after the restart the run is evaluated again and alerted once", { timeout: 90_000 }, async () => {
  const [httpPort, udpPort] = [await freeTcpPort(), await freeUdpPort()];
  const folder = join(dir.path, "steward");
  mkdirSync(folder, { recursive: true });
  const config = join(folder, "steward.yaml");
  const yaml = stewardYaml(sim, hook.url, CHECKS_YAML.replace("timeout: 2s", "timeout: 60s"));
  writeFileSync(
    config,
    `dataDir: ./data\nlogging: { level: info }\nhttp: { host: 127.0.0.1, port: ${httpPort} }\nudp: { host: 127.0.0.1, port: ${udpPort} }\n${yaml}`,
  );
  const base = `http://127.0.0.1:${httpPort}`;
  const start = async () => {
    proc = startProcess(process.execPath, ["src/main.ts", "run", "--config", config, "--log-format", "json"], { cwd: REPO });
    await waitForHttp(`${base}/health`, { timeoutMs: 30_000 });
  };
  await simControl(sim, "PUT", "/udp/targets", [`127.0.0.1:${udpPort}`]);
  await simControl(sim, "PUT", `/apps/${ID.orders}/expressions`, { "NoOfRows('Orders')": 0, "Max(OrderDate)": 46348, "Today()": 46348 });
  // The first EvaluateEx is answered only after a minute: Steward is killed while it waits.
  await simControl(sim, "POST", "/faults", { target: "engine", rpcMethod: "EvaluateEx", delayMs: 60_000, count: 1 });
  await start();

  const seq = sim.requests.list().at(-1)?.seq ?? 0;
  const r = sim.tasks.start(ID.reloadOrders, { outcome: "succeed", durationMs: 60 });
  if (!r.started) throw new Error(r.reason);
  const runId = `task:${r.executionId.toLowerCase()}`;
  await waitFor(() => sim.requests.list({ source: "engine", sinceSeq: seq }).some((x) => x.rpc?.method === "EvaluateEx"), {
    what: "Steward waiting on EvaluateEx",
    timeoutMs: 20_000,
  });
  process.kill(proc!.pid, "SIGKILL");
  await proc!.exited;
  expect(hook.requests).toHaveLength(0);

  await start();
  const run = await waitFor(
    async () => {
      const res = await fetch(`${base}/v4/data-checks/runs/${runId}`);
      const body = (await res.json()) as { status?: string; verdict?: string; values?: Array<{ check: string; status: string }> };
      return body.status === "done" ? body : undefined;
    },
    { what: "the resumed run", timeoutMs: 30_000 },
  ).catch((err) => {
    console.error(proc?.output().slice(-4000));
    throw err;
  });
  expect(run.verdict).toBe("blocked");
  expect(run.values?.find((v) => v.check === "orders-not-empty")?.status).toBe("failed");
  await waitFor(() => hook.requests.length >= 1, { what: "the alert" });
  await Bun.sleep(1_000); // a second delivery would come now
  const kinds = hook.requests.map((x) => (JSON.parse(x.body) as { stewardEvent: { kind: string; runId: string } }).stewardEvent);
  expect(kinds).toEqual([expect.objectContaining({ kind: "data.check_failed", runId })]);
});
