// Two Stewards on one PostgreSQL; the leader's wall clock is stepped 30 s forward (libfaketime reading its offset
// from a file, the monotonic clock left alone, as an NTP step or a resumed VM would do) and the leader dies before
// a heartbeat can measure the new offset. Meanwhile it fired an every-second schedule by its own clock, planning
// the next fire 30 s ahead. The next leader must not wait for that: it plans the schedule again from the
// database's time, reports the occurrences nobody fired since the far plan was written, and fires again at once.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import postgres from "postgres";
import { startProcess, type RunningProcess } from "../../../helpers/child-process";
import { freeTcpPort, freeUdpPort } from "../../../helpers/free-port";
import { startPostgres, type PostgresService } from "../../../helpers/services";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor, waitForHttp } from "../../../helpers/wait-for";

const REPO = join(import.meta.dir, "../../../..");
const dir = createTempDir("steward-schedule-ahead-");
const LEASE_MS = 10_000;
const json = { "content-type": "application/json" };

/** Debian's libfaketime (package faketime); the CLI cannot take its offset from a file, the library can. */
function libfaketime(): string {
  const candidates = [`/usr/lib/${process.arch === "arm64" ? "aarch64" : "x86_64"}-linux-gnu/faketime/libfaketime.so.1`, "/usr/lib/faketime/libfaketime.so.1"];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`libfaketime is not installed (looked in ${candidates.join(", ")}): run sudo bash scripts/install-test-deps.sh`);
  return found;
}

let pg: PostgresService;
let url: string;
const running: RunningProcess[] = [];

beforeAll(async () => {
  pg = await startPostgres();
  url = await pg.createDatabase("schedule_ahead");
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

async function steward(name: string, heartbeatMs: number, offsetFile?: string): Promise<Steward> {
  const [httpPort, udpPort] = [await freeTcpPort(), await freeUdpPort()];
  const folder = join(dir.path, name);
  mkdirSync(folder, { recursive: true });
  const config = join(folder, "steward.yaml");
  writeFileSync(
    config,
    `dataDir: ./data
http: { host: 127.0.0.1, port: ${httpPort} }
udp: { host: 127.0.0.1, port: ${udpPort} }
store:
  postgres: { url: ${JSON.stringify(url)}, instanceName: ${name}, leaseTtlMs: ${LEASE_MS}, heartbeatIntervalMs: ${heartbeatMs}, connectTimeoutMs: 2000 }
`,
  );
  const env = offsetFile
    ? {
        ...process.env,
        LD_PRELOAD: libfaketime(),
        FAKETIME_TIMESTAMP_FILE: offsetFile,
        FAKETIME_CACHE_DURATION: "1",
        FAKETIME_DONT_FAKE_MONOTONIC: "1",
      }
    : process.env;
  const proc = startProcess(process.execPath, ["src/main.ts", "run", "--config", config, "--log-format", "json"], { cwd: REPO, env });
  running.push(proc);
  const base = `http://127.0.0.1:${httpPort}`;
  await waitForHttp(`${base}/health`, { timeoutMs: 30_000 });
  return { base, proc };
}

const leadsScheduler = async (s: Steward) =>
  /^steward_cluster_duty_held\{duty="scheduler",[^}]*\} 1$/m.test(await (await fetch(`${s.base}/metrics`)).text()) || undefined;

interface ScheduleView {
  nextRun: string | null;
  lastRun?: { at: string };
  missed?: { count: number; first: string; last: string; detectedAt: string; caughtUp: boolean };
}

test("a next fire planned 30 s ahead by a leader whose clock stepped forward is planned again by the next leader, and the missed occurrences are reported", {
  timeout: 90_000,
}, async () => {
  const offsetFile = join(dir.path, "faketime-offset");
  writeFileSync(offsetFile, "+0\n");
  // The skewed one heartbeats slowly, so it fires by its stepped clock before any heartbeat measures the step.
  const a = await steward("node-a", 4_000, offsetFile);
  await waitFor(() => leadsScheduler(a), { what: "node-a to lead the scheduler", timeoutMs: 20_000 });
  // node-b starts while node-a's schedule is made and first fired: it is needed from the step on.
  const startingB = steward("node-b", 300);
  startingB.catch(() => {});
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const created = await fetch(`${a.base}/v4/schedules`, {
      method: "POST",
      headers: json,
      body: JSON.stringify({
        name: "every second",
        cronSchedule: "* * * * * *",
        timezone: "UTC",
        qlikSenseTaskId: "11111111-2222-3333-4444-555555555555",
        startupState: "started",
      }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const view = async (s: Steward) => ((await (await fetch(`${s.base}/v4/schedules?id=${id}`)).json()) as ScheduleView[])[0]!;
    await waitFor(async () => (await view(a)).lastRun, { what: "a first fire" });

    // How far ahead of the database's clock the stored next fire lies, in seconds.
    const lead = async () => {
      const [row] = await sql`SELECT next_run_at - CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT) AS ahead FROM schedules WHERE id = ${id}`;
      return Number(row?.ahead) / 1000;
    };
    // Stepped right after a heartbeat of node-a: the next one is 4 s away, the step is seen within 1 s (the
    // library's cache) and the schedule fires a second later.
    const b = await startingB;
    const beat = async () => Number((await sql`SELECT heartbeat_at FROM cluster_members WHERE name = 'node-a'`)[0]?.heartbeat_at);
    const last = await beat();
    await waitFor(async () => (await beat()) !== last || undefined, { what: "a heartbeat of node-a", timeoutMs: 10_000, intervalMs: 20 });
    writeFileSync(offsetFile, "+30s\n");
    await waitFor(async () => (await lead()) > 20 || undefined, { what: "node-a to plan the next fire by its stepped clock", timeoutMs: 10_000 });
    await a.proc.stop("SIGKILL", 1_000);
    const killedAt = Date.now();
    expect(await lead()).toBeGreaterThan(20);

    await waitFor(() => leadsScheduler(b), { what: "node-b to take the scheduler over", timeoutMs: LEASE_MS * 3 });
    // Planned again from the database's time: the next fire is a second away, not 30.
    await waitFor(async () => (await lead()) <= 1.5 || undefined, { what: "node-b to plan the schedule again", timeoutMs: 5_000 });
    const s = await view(b);
    expect(s.missed).toBeDefined();
    expect(s.missed!.count).toBeGreaterThanOrEqual(1);
    expect(Date.parse(s.missed!.detectedAt)).toBeGreaterThanOrEqual(killedAt - 1_000);
    // Fires again at once, long before the far plan fell due.
    await waitFor(async () => Date.parse((await view(b)).lastRun?.at ?? "") > killedAt || undefined, { what: "node-b to fire", timeoutMs: 5_000 });
    expect(Date.now() - killedAt).toBeLessThan(20_000);
    const audit = (await (await fetch(`${b.base}/v4/audit?action=schedule.*&target=${id}&limit=200`)).json()) as {
      entries: Array<{ action: string; details?: Record<string, unknown> }>;
    };
    const actions = new Set(audit.entries.map((e) => e.action));
    expect(actions.has("schedule.replanned")).toBe(true);
    expect(actions.has("schedule.missed")).toBe(true);
    expect(b.proc.output()).toContain("planned further ahead than its cron allows");
  } finally {
    await sql.end({ timeout: 1 });
  }
});
