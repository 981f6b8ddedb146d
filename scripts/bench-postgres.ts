// Bench section: Steward on the cluster store (store.postgres) — KV set and KV get with the same load generator
// as the SQLite rows, and the UDP zero-loss rate (each run is claimed in PostgreSQL before it is handled), each
// beside the bare runtime. PostgreSQL is a private server the bench starts from the machine's own programs
// (src/show/demo/private-postgres.ts, like the demo and the tests); without them the rows say why they are empty.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { findPostgresPrograms, startPrivatePostgres, type PrivatePostgres } from "../src/show/demo/private-postgres";
import { runHttpLoad, type HttpRequestSpec, type LoadResult } from "./bench-http-load";
import { cpuMs, freePort } from "./bench-proc";
import type { Figure } from "./bench-report";
import { startBaseline, startSteward, type StewardTarget } from "./bench-targets";
import { createUdpSender } from "./bench-udp-load";
import { ladder, stewardUdpCounts, sumMetric, UDP_LADDER, zeroLossBound, type UdpLadder } from "./bench-udp";

export interface PostgresSectionOptions {
  stewardBin: string;
  baselineBin: string;
  workDir: string;
  connections: number;
  durationMs: number;
  warmupMs: number;
  log: (line: string) => void;
  /** The bare server's "hello" load from the HTTP section; measured here when absent (BENCH_ONLY). */
  baselineHello?: LoadResult;
  /** The bare receiver's UDP ladder from the UDP section; measured here when absent. */
  bareUdp?: UdpLadder;
}

const KV_KEYS = 500;
/** Fits Steward's default intake queue (1,000), so the burst measures the work, not the queue's refusals. */
const DRAIN_BURST = 800;
const KV_VALUE = JSON.stringify("x".repeat(64));
const KV_SET = "KV set on PostgreSQL (POST /v4/keyvalues/{ns})";
const KV_GET = "KV get on PostgreSQL (GET /v4/keyvalues/{ns}?key=)";
const UDP_ROW = "UDP intake on PostgreSQL: sustained rate with zero loss";

const describeErrors = (r: LoadResult) =>
  r.errors === 0
    ? "0 errors"
    : `${r.errors} errors (${
        Object.entries(r.statuses)
          .map(([s, n]) => `${n}× ${s}`)
          .join(", ") || "connection"
      })`;

function skipped(reason: string): Figure[] {
  const note = `not measured: ${reason}`;
  return [
    { metric: `${KV_SET}: throughput`, unit: "req/s", note },
    { metric: `${KV_GET}: throughput`, unit: "req/s", note },
    { metric: UDP_ROW, unit: "datagrams/s", note },
  ];
}

/**
 * CPU time (ms) the PostgreSQL server has used so far: the postmaster, its live backends, and the children that
 * already exited (cutime/cstime). With Steward's own, it says what a request costs whatever else the cores do.
 */
export function postgresCpuMs(postmaster: number): number {
  const stat = (pid: number) => readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  const own = stat(postmaster);
  let ms = (Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14])) * 10;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const f = stat(Number(entry));
      if (Number(f[1]) === postmaster) ms += (Number(f[11]) + Number(f[12])) * 10;
    } catch {
      // the process ended meanwhile
    }
  }
  return ms;
}

interface CpuSplit {
  stewardUs: number;
  postgresUs: number;
}

/** CPU per operation of Steward and of PostgreSQL while `work` runs; `ops` says how many operations it did. */
async function cpuPer<T>(
  stewardPid: number,
  postgresPid: number,
  work: () => Promise<T>,
  ops: (r: T) => Promise<number> | number,
): Promise<{ result: T; cpu: CpuSplit }> {
  const [s0, p0] = [cpuMs(stewardPid), postgresCpuMs(postgresPid)];
  const result = await work();
  const n = Math.max(1, await ops(result));
  const [s1, p1] = [cpuMs(stewardPid), postgresCpuMs(postgresPid)];
  return { result, cpu: { stewardUs: Math.round(((s1 - s0) * 1000) / n), postgresUs: Math.round(((p1 - p0) * 1000) / n) } };
}

const describeCpu = (c: CpuSplit, what: string) => `CPU per ${what}: Steward ${c.stewardUs} µs, PostgreSQL ${c.postgresUs} µs`;

async function load(url: string, o: PostgresSectionOptions, request: (i: number) => HttpRequestSpec): Promise<LoadResult> {
  const { hostname, port } = new URL(url);
  return runHttpLoad({ host: hostname, port: Number(port), connections: o.connections, durationMs: o.durationMs, warmupMs: o.warmupMs, request });
}

export async function runPostgresSection(o: PostgresSectionOptions): Promise<{ figures: Figure[]; raw: unknown }> {
  let programs;
  try {
    programs = findPostgresPrograms();
  } catch (err) {
    const reason = (err as Error).message;
    o.log(`PostgreSQL rows skipped: ${reason}`);
    return { figures: skipped(reason), raw: { skipped: reason } };
  }

  let hello = o.baselineHello;
  if (!hello) {
    const baseline = await startBaseline(o.baselineBin, "http", join(o.workDir, "baseline-pg-http.log"));
    try {
      hello = await load(baseline.url, o, () => ({ method: "GET", path: "/" }));
    } finally {
      await baseline.proc.stop();
    }
    o.log(`baseline hello: ${hello.rps} req/s, p50 ${hello.p50Ms} ms, p99 ${hello.p99Ms} ms`);
  }
  let bare = o.bareUdp;
  if (!bare) {
    const baseline = await startBaseline(o.baselineBin, "udp", join(o.workDir, "baseline-pg-udp.log"));
    const sender = await createUdpSender(baseline.udpPort!);
    try {
      const counts = async () => ({ accepted: ((await (await fetch(`${baseline.url}/count`)).json()) as { received: number }).received, dropped: 0 });
      bare = await ladder(sender, counts, "bare UDP", o.log, true);
    } finally {
      sender.close();
      await baseline.proc.stop();
    }
  }

  const pg: PrivatePostgres = await startPrivatePostgres({ port: await freePort(), programs, prefix: "steward-bench-pg-" });
  let steward: StewardTarget | undefined;
  const figures: Figure[] = [];
  const http: Record<string, LoadResult> = {};
  const cpu: Record<string, CpuSplit> = {};
  let drain: { runs: number; perSecond: number; cpu: CpuSplit } | undefined;
  let udp: UdpLadder | undefined;
  try {
    const url = await pg.createDatabase("steward_bench");
    // The PostgreSQL server shares the two cores with Steward and the load generator, as a database on a Qlik
    // node would; it runs with fsync off (a throw-away server), so the rows measure Steward's round trips.
    const store = `store:\n  postgres: { url: ${JSON.stringify(url)}, instanceName: bench }`;
    steward = await startSteward(o.stewardBin, join(o.workDir, "steward-pg"), store);
    o.log(`steward on PostgreSQL ${pg.host}:${pg.port}: started in ${steward.startMs.toFixed(0)} ms`);
    const target = steward;
    const scenarios: Array<[string, string, (i: number) => HttpRequestSpec]> = [
      ["kvSet", KV_SET, (i) => ({ method: "POST", path: "/v4/keyvalues/bench", body: `{"key":"k${i % KV_KEYS}","value":${KV_VALUE}}` })],
      ["kvGet", KV_GET, (i) => ({ method: "GET", path: `/v4/keyvalues/bench?key=k${i % KV_KEYS}` })],
    ];
    for (const [name, label, request] of scenarios) {
      const { result: r, cpu: c } = await cpuPer(
        target.proc.pid,
        pg.pid,
        () => load(target.url, o, request),
        (res) => res.requests,
      );
      http[name] = r;
      cpu[name] = c;
      o.log(`steward ${label}: ${r.rps} req/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, ${describeErrors(r)}; ${describeCpu(c, "request")}`);
      figures.push({
        metric: `${label}: throughput`,
        unit: "req/s",
        steward: r.rps,
        baseline: hello.rps,
        note: `${o.connections} connections, ${o.durationMs / 1000} s, ${describeErrors(r)}; private PostgreSQL on the same machine; ${describeCpu(c, "request")}`,
      });
      figures.push({ metric: `${label}: p50 latency`, unit: "ms", steward: r.p50Ms, baseline: hello.p50Ms });
      figures.push({ metric: `${label}: p99 latency`, unit: "ms", steward: r.p99Ms, baseline: hello.p99Ms });
    }

    const sender = await createUdpSender(target.udpPort);
    const metric = async (names: string[]) => sumMetric(await (await fetch(`${target.url}/metrics`)).text(), names) ?? 0;
    const emitted = () => metric(["steward_intake_events_emitted_total"]);
    /** Waits (bounded) until Steward has worked off its queue: a step must not start behind the previous one's backlog. */
    const drained = async () => {
      for (let i = 0; i < 1200 && (await metric(["steward_intake_queue_depth", "steward_intake_in_flight"])) > 0; i++) await Bun.sleep(50);
    };
    try {
      udp = await ladder(
        sender,
        async () => {
          await drained();
          return stewardUdpCounts(target.url);
        },
        "steward UDP on PostgreSQL",
        o.log,
        true,
      );
      // What the intake works off per second, queue aside: a burst that fits the queue, timed until every run in it
      // was handled (claimed, emitted, marked seen), with the CPU each run cost Steward and PostgreSQL.
      await drained();
      const [e0, c0] = [await emitted(), await stewardUdpCounts(target.url)];
      const t0 = performance.now();
      const run = await cpuPer(
        target.proc.pid,
        pg.pid,
        async () => {
          await sender.burst(DRAIN_BURST);
          await Bun.sleep(100);
          const accepted = (await stewardUdpCounts(target.url)).accepted - c0.accepted;
          for (let i = 0; i < 1200 && (await emitted()) - e0 < accepted; i++) await Bun.sleep(50);
          return { runs: (await emitted()) - e0, seconds: (performance.now() - t0) / 1000 };
        },
        (r) => r.runs,
      );
      drain = { runs: run.result.runs, perSecond: Math.round(run.result.runs / run.result.seconds), cpu: run.cpu };
      o.log(`steward UDP on PostgreSQL: a burst of ${DRAIN_BURST}: ${drain.runs} runs handled at ${drain.perSecond}/s; ${describeCpu(run.cpu, "run")}`);
    } finally {
      sender.close();
    }
    figures.push({
      metric: UDP_ROW,
      unit: "datagrams/s",
      steward: udp.sustained,
      baseline: bare.sustained,
      stewardBound: zeroLossBound(udp),
      baselineBound: zeroLossBound(bare),
      note: [
        `failed-run datagrams, each claimed in PostgreSQL (one row per run) before it is handled; paced ${UDP_LADDER.stepMs / 1000} s steps up to ${UDP_LADDER.topRate.toLocaleString("en-US")}/s, then bisected`,
        drain &&
          `a burst of ${DRAIN_BURST.toLocaleString("en-US")} is worked off at ${drain.perSecond.toLocaleString("en-US")} runs/s, ${describeCpu(drain.cpu, "run")}`,
        udp.sustainedNote && `Steward: ${udp.sustainedNote}`,
        bare.sustainedNote && `bare: ${bare.sustainedNote}`,
      ]
        .filter(Boolean)
        .join("; "),
    });
  } finally {
    await steward?.proc.stop();
    await pg.stop();
  }
  return { figures, raw: { http, cpu, udp, drain, bareUdp: bare, postgres: { port: pg.port } } };
}
