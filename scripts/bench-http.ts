// Bench section: cold start to /ready, idle RSS and RSS under load, and REST throughput/latency at 50
// keep-alive connections for GET /v4/butlerping, KV set and KV get, each beside a bare Bun.serve "hello".
import { join } from "node:path";
import { runHttpLoad, type HttpRequestSpec, type LoadResult } from "./bench-http-load";
import { cpuMs, median, privateRssBytes, rssBytes } from "./bench-proc";
import { MiB, type BenchResults, type Figure } from "./bench-report";
import { startBaseline, startSteward, type StewardTarget } from "./bench-targets";

export interface HttpSectionOptions {
  stewardBin: string;
  baselineBin: string;
  workDir: string;
  connections: number;
  durationMs: number;
  warmupMs: number;
  coldStarts: number;
  /** Seconds of mixed REST load before "RSS after sustained load" is read (the issue asks for 3 minutes). */
  soakSeconds: number;
  /** Run the three REST loads (their rows and the peak RSS under load); false: cold starts and idle memory only. */
  rest?: boolean;
  /** Run the sustained mixed load and read the RSS after it. */
  soak?: boolean;
  log: (line: string) => void;
}

const KV_KEYS = 500;
const KV_VALUE = JSON.stringify("x".repeat(64));

export interface HttpSectionResult {
  figures: Figure[];
  raw: Pick<BenchResults["raw"], "coldStartMs" | "http">;
}

/** Runs a load while sampling the target's RSS; returns the result and the peak RSS seen. */
async function loadWithRss(pid: number, url: string, o: HttpSectionOptions, request: (i: number) => HttpRequestSpec) {
  const { hostname, port } = new URL(url);
  let peak = rssBytes(pid);
  const cpuBefore = cpuMs(pid);
  const result = await runHttpLoad({
    host: hostname,
    port: Number(port),
    connections: o.connections,
    durationMs: o.durationMs,
    warmupMs: o.warmupMs,
    request,
    onTick: () => (peak = Math.max(peak, rssBytes(pid))),
  });
  peak = Math.max(peak, rssBytes(pid));
  // CPU time per request (warm-up included in both counts): steadier than req/s when other jobs share the cores.
  const total = result.requests + Math.round((result.rps * o.warmupMs) / 1000);
  const cpuUsPerRequest = total > 0 ? Math.round(((cpuMs(pid) - cpuBefore) * 1000) / total) : Number.NaN;
  return { result, peak, cpuUsPerRequest };
}

const describeErrors = (r: LoadResult) =>
  r.errors === 0
    ? "0 errors"
    : `${r.errors} errors (${
        Object.entries(r.statuses)
          .map(([s, n]) => `${n}× ${s}`)
          .join(", ") || "connection"
      })`;

export async function runHttpSection(o: HttpSectionOptions): Promise<HttpSectionResult> {
  const figures: Figure[] = [];
  const [withRest, withSoak] = [o.rest ?? true, o.soak ?? true];

  // Bare runtime: cold starts, then idle RSS and the "hello" load on the last instance.
  const baselineStarts: number[] = [];
  const baselineCpu: number[] = [];
  let baseline = await startBaseline(o.baselineBin, "http", join(o.workDir, "baseline-http.log"));
  baselineStarts.push(baseline.startMs);
  baselineCpu.push(cpuMs(baseline.proc.pid));
  for (let i = 1; i < o.coldStarts; i++) {
    await baseline.proc.stop();
    baseline = await startBaseline(o.baselineBin, "http", join(o.workDir, "baseline-http.log"));
    baselineStarts.push(baseline.startMs);
    baselineCpu.push(cpuMs(baseline.proc.pid));
  }
  await Bun.sleep(2_000);
  const baselineIdle = rssBytes(baseline.proc.pid);
  const baselinePrivate = privateRssBytes(baseline.proc.pid);
  o.log(`baseline: start ${median(baselineStarts).toFixed(1)} ms, idle RSS ${MiB(baselineIdle).toFixed(1)} MiB; hello load…`);
  const hello = await loadWithRss(baseline.proc.pid, baseline.url, o, () => ({ method: "GET", path: "/" }));
  await baseline.proc.stop();
  o.log(
    `baseline hello: ${hello.result.rps} req/s, p50 ${hello.result.p50Ms} ms, p99 ${hello.result.p99Ms} ms, ${describeErrors(hello.result)}, ~${hello.cpuUsPerRequest} µs CPU per request`,
  );

  // Steward: the first start creates the store; the timed starts reuse it, like a service restart.
  const dir = join(o.workDir, "steward-http");
  let steward: StewardTarget = await startSteward(o.stewardBin, dir);
  const firstRun = steward.startMs;
  const stewardStarts: number[] = [];
  const stewardCpu: number[] = [];
  for (let i = 0; i < o.coldStarts; i++) {
    await steward.proc.stop();
    steward = await startSteward(o.stewardBin, dir);
    stewardStarts.push(steward.startMs);
    stewardCpu.push(cpuMs(steward.proc.pid));
  }
  await Bun.sleep(2_000);
  const stewardIdle = rssBytes(steward.proc.pid);
  const stewardPrivate = privateRssBytes(steward.proc.pid);
  o.log(`steward: first start ${firstRun.toFixed(0)} ms, start ${median(stewardStarts).toFixed(1)} ms, idle RSS ${MiB(stewardIdle).toFixed(1)} MiB`);

  const http: Record<string, LoadResult> = { baselineHello: hello.result };
  let peak = stewardIdle;
  let soak: { rss: number; privateRss: number; result: LoadResult } | undefined;
  try {
    const scenarios: Array<[string, string, (i: number) => HttpRequestSpec]> = [
      ["ping", "GET /v4/butlerping", () => ({ method: "GET", path: "/v4/butlerping" })],
      [
        "kvSet",
        "KV set (POST /v4/keyvalues/{ns})",
        (i) => ({ method: "POST", path: "/v4/keyvalues/bench", body: `{"key":"k${i % KV_KEYS}","value":${KV_VALUE}}` }),
      ],
      ["kvGet", "KV get (GET /v4/keyvalues/{ns}?key=)", (i) => ({ method: "GET", path: `/v4/keyvalues/bench?key=k${i % KV_KEYS}` })],
    ];
    for (const [name, label, request] of withRest ? scenarios : []) {
      const run = await loadWithRss(steward.proc.pid, steward.url, o, request);
      peak = Math.max(peak, run.peak);
      http[name] = run.result;
      const r = run.result;
      o.log(`steward ${label}: ${r.rps} req/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, ${describeErrors(r)}, ~${run.cpuUsPerRequest} µs CPU per request`);
      const note = `${o.connections} connections, ${o.durationMs / 1000} s, ${describeErrors(r)}; CPU per request ~${run.cpuUsPerRequest} µs (bare ~${hello.cpuUsPerRequest} µs)`;
      figures.push({ metric: `${label}: throughput`, unit: "req/s", steward: r.rps, baseline: hello.result.rps, note });
      figures.push({ metric: `${label}: p50 latency`, unit: "ms", steward: r.p50Ms, baseline: hello.result.p50Ms });
      figures.push({ metric: `${label}: p99 latency`, unit: "ms", steward: r.p99Ms, baseline: hello.result.p99Ms });
    }
    // BENCH_SOAK_SECONDS=0 skips the sustained load (comparing the throughput rows while developing).
    if (withSoak && o.soakSeconds > 0) {
      // Without the REST rows before it, the keys the soak reads do not exist yet: set them first (a get of a
      // missing key is a 404, counted as an error).
      if (!withRest)
        for (let i = 0; i < KV_KEYS; i++)
          await (
            await fetch(`${steward.url}/v4/keyvalues/bench`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: `{"key":"k${i}","value":${KV_VALUE}}`,
            })
          ).arrayBuffer();
      soak = await soakLoad(
        steward,
        o,
        scenarios.map(([, , request]) => request),
      );
      o.log(
        `steward after ${o.soakSeconds} s of mixed REST load: RSS ${MiB(soak.rss).toFixed(1)} MiB (private ${MiB(soak.privateRss).toFixed(1)} MiB), ${soak.result.rps} req/s, ${describeErrors(soak.result)}`,
      );
    }
  } finally {
    await steward.proc.stop();
  }

  figures.unshift(
    {
      metric: "Cold start to /ready (median)",
      unit: "ms",
      steward: median(stewardStarts),
      baseline: median(baselineStarts),
      note: `${o.coldStarts} starts on an existing store; first start (creates the store) ${Math.round(firstRun)} ms`,
    },
    {
      metric: "Cold start: CPU time used until /ready (median)",
      unit: "ms",
      steward: median(stewardCpu),
      baseline: median(baselineCpu),
      note: "user + system time of the process (10 ms resolution); unlike wall time it does not grow when other work takes the cores",
    },
    { metric: "Idle RSS", unit: "MiB", steward: MiB(stewardIdle), baseline: MiB(baselineIdle), note: "2 s after ready" },
    {
      metric: "Idle private memory (anonymous)",
      unit: "MiB",
      steward: MiB(stewardPrivate),
      baseline: MiB(baselinePrivate),
      note: "RSS without the executable's file pages (shared, clean, reclaimable by the OS)",
    },
  );
  if (withRest)
    figures.splice(4, 0, {
      metric: "RSS under load (peak)",
      unit: "MiB",
      steward: MiB(peak),
      baseline: MiB(hello.peak),
      note: "sampled every 200 ms during the REST loads",
    });
  if (soak) {
    figures.splice(withRest ? 5 : 4, 0, {
      metric: `RSS after ${o.soakSeconds} s of mixed REST load`,
      unit: "MiB",
      steward: MiB(soak.rss),
      baseline: MiB(hello.peak),
      note: `ping, KV set and KV get in turn at ${o.connections} connections (${soak.result.rps.toLocaleString("en-US")} req/s, ${describeErrors(soak.result)}); private memory ${MiB(soak.privateRss).toFixed(1)} MiB; baseline: the bare server's peak under its load`,
    });
  }
  return { figures, raw: { coldStartMs: { steward: stewardStarts, stewardFirstRun: firstRun, baseline: baselineStarts }, http } };
}

/** Mixed REST load (each connection's requests cycle through the scenarios) for soakSeconds; then the RSS. */
async function soakLoad(steward: StewardTarget, o: HttpSectionOptions, requests: Array<(i: number) => HttpRequestSpec>) {
  const { hostname, port } = new URL(steward.url);
  const result = await runHttpLoad({
    host: hostname,
    port: Number(port),
    connections: o.connections,
    durationMs: o.soakSeconds * 1000,
    warmupMs: 0,
    request: (i) => requests[i % requests.length]!(Math.floor(i / requests.length)),
  });
  return { rss: rssBytes(steward.proc.pid), privateRss: privateRssBytes(steward.proc.pid), result };
}
