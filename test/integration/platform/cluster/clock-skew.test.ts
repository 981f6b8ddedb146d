// Two Stewards on one PostgreSQL, one of them on a machine whose clock runs 30 s ahead (Debian's faketime). The
// skewed one measures its offset to the database at every heartbeat and shows it in /metrics and /ready. Past
// store.postgres.maxClockOffsetMs it takes no site-wide duty, even when the other Steward dies; within the bound
// it takes them, and what it writes to the shared store carries the database's time, not its own.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startProcess, type RunningProcess } from "../../../helpers/child-process";
import { requireTool } from "../../../helpers/executables";
import { freeTcpPort, freeUdpPort } from "../../../helpers/free-port";
import { startPostgres, type PostgresService } from "../../../helpers/services";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor, waitForHttp } from "../../../helpers/wait-for";

const REPO = join(import.meta.dir, "../../../..");
const dir = createTempDir("steward-clock-skew-");
const LEASE_MS = 2_000;
const SKEW_S = 30;

let pg: PostgresService;
let url: string;
const running: RunningProcess[] = [];

beforeAll(async () => {
  pg = await startPostgres();
  url = await pg.createDatabase("clock_skew");
});

afterAll(async () => {
  for (const p of running) await p.stop("SIGKILL", 1_000);
  await pg?.stop();
  dir.remove();
});

interface Steward {
  base: string;
  proc: RunningProcess;
}

async function steward(name: string, o: { skewSeconds?: number; maxClockOffsetMs?: number } = {}): Promise<Steward> {
  const [httpPort, udpPort] = [await freeTcpPort(), await freeUdpPort()];
  const folder = join(dir.path, `${name}-${httpPort}`);
  mkdirSync(folder, { recursive: true });
  const config = join(folder, "steward.yaml");
  const bound = o.maxClockOffsetMs ? `, maxClockOffsetMs: ${o.maxClockOffsetMs}` : "";
  writeFileSync(
    config,
    `dataDir: ./data
http: { host: 127.0.0.1, port: ${httpPort} }
udp: { host: 127.0.0.1, port: ${udpPort} }
store:
  postgres: { url: ${JSON.stringify(url)}, instanceName: ${name}, leaseTtlMs: ${LEASE_MS}, heartbeatIntervalMs: 300, connectTimeoutMs: 2000${bound} }
`,
  );
  const argv = [process.execPath, "src/main.ts", "run", "--config", config, "--log-format", "json"];
  const proc = o.skewSeconds
    ? startProcess(requireTool("faketime"), ["-f", `+${o.skewSeconds}s`, ...argv], { cwd: REPO })
    : startProcess(argv[0]!, argv.slice(1), { cwd: REPO });
  running.push(proc);
  const base = `http://127.0.0.1:${httpPort}`;
  await waitForHttp(`${base}/health`, { timeoutMs: 30_000 });
  return { base, proc };
}

async function metric(s: Steward, name: string): Promise<number[]> {
  const text = await (await fetch(`${s.base}/metrics`)).text();
  return text
    .split("\n")
    .filter((l) => l.startsWith(`${name}{`))
    .map((l) => Number(l.slice(l.lastIndexOf(" ") + 1)));
}

const dutiesHeld = async (s: Steward) => (await metric(s, "steward_cluster_duty_held")).reduce((a, b) => a + b, 0);

test("a Steward 30 s ahead of the database: its offset is shown, and past the bound it takes no duty even alone", { timeout: 90_000 }, async () => {
  const a = await steward("node-a");
  const b = await steward("node-b", { skewSeconds: SKEW_S });
  // The offset is the database's clock minus this machine's: about -30 s on the skewed one, about 0 on the other.
  await waitFor(async () => Math.abs(((await metric(b, "steward_cluster_clock_offset_seconds"))[0] ?? 0) + SKEW_S) < 2 || undefined, {
    what: "node-b's measured offset",
  });
  expect(Math.abs((await metric(a, "steward_cluster_clock_offset_seconds"))[0]!)).toBeLessThan(2);
  const ready = (await (await fetch(`${b.base}/ready`)).json()) as { components: Record<string, { ok: boolean; detail?: string }> };
  expect(ready.components["cluster-clock"]?.ok).toBe(false);
  expect(ready.components["cluster-clock"]?.detail).toContain("ahead of the database's");
  expect(b.proc.output()).toContain("takes no site-wide duty");

  // The healthy one dies: the skewed one still takes nothing (it would fire schedules 30 s early).
  await a.proc.stop("SIGKILL", 1_000);
  await Bun.sleep(LEASE_MS * 2);
  expect(await dutiesHeld(b)).toBe(0);
  await b.proc.stop("SIGTERM", 5_000);
});

test("within the bound the skewed Steward leads, and what it writes carries the database's time", { timeout: 90_000 }, async () => {
  const b = await steward("node-b", { skewSeconds: SKEW_S, maxClockOffsetMs: 60_000 });
  await waitFor(async () => (await dutiesHeld(b)) > 0 || undefined, { what: "node-b to take the duties", timeoutMs: LEASE_MS * 5 });
  await waitFor(async () => Math.abs(((await metric(b, "steward_cluster_clock_offset_seconds"))[0] ?? 0) + SKEW_S) < 2 || undefined, {
    what: "node-b's measured offset",
  });
  const before = Date.now();
  const res = await fetch(`${b.base}/v4/keyvalues/clock`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ key: "k", value: "v" }),
  });
  expect(res.status).toBe(201);
  const after = Date.now();
  const { entries } = (await (await fetch(`${b.base}/v4/audit?action=api.write&limit=5`)).json()) as { entries: Array<{ at: string; target: string }> };
  const entry = entries.find((e) => e.target.includes("/v4/keyvalues/clock"));
  expect(entry).toBeDefined();
  const at = Date.parse(entry!.at);
  // Not 30 s in the future: corrected to the shared clock (within the measurement's round trip).
  expect(at).toBeGreaterThan(before - 2_000);
  expect(at).toBeLessThan(after + 2_000);
});
