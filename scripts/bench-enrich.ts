// Bench rows: the full intake path with QRS enrichment against the simulator — task events per second from
// datagram to bus (task, execution result, app, owner and script log looked up in the simulator's QRS over
// client-certificate TLS), beside the simulator's own ceiling: the same QRS requests replayed straight at it,
// converted to events per second with the number of requests one event takes. The datagrams are real: the
// simulator runs its tasks first and the bench captures what its Scheduler appender sends.
import { createSocket } from "node:dgram";
import { Agent, request as httpsRequest } from "node:https";
import { join } from "node:path";
import { startSimulator, type Simulator } from "../src/sim";
import { freeUdpPort } from "./bench-proc";
import type { Figure } from "./bench-report";
import { startSteward } from "./bench-targets";
import { readIntakeCounters } from "./bench-udp-overload";

export interface EnrichSectionOptions {
  stewardBin: string;
  workDir: string;
  log: (line: string) => void;
  /** Failed runs to replay (default 400). */
  runs?: number;
}

const CAPTURE_TIMEOUT_MS = 60_000;
const REPLAY_TIMEOUT_MS = 60_000;
/** Concurrent requests when measuring the simulator's ceiling (well above Steward's enrichment concurrency). */
const CEILING_CONCURRENCY = 16;
const CEILING_MS = 4_000;

/** Runs the site's tasks (failing, 1 ms long) until `count` failure datagrams were captured. */
async function captureFailures(sim: Simulator, capture: { datagrams: Buffer[] }, count: number): Promise<void> {
  const taskIds = sim.site.tasks.map((t) => t.id);
  const deadline = performance.now() + CAPTURE_TIMEOUT_MS;
  while (capture.datagrams.length < count) {
    if (performance.now() > deadline)
      throw new Error(`the simulator produced ${capture.datagrams.length} failure datagrams in ${CAPTURE_TIMEOUT_MS / 1000} s, wanted ${count}`);
    for (const id of taskIds) sim.tasks.start(id, { outcome: "fail", durationMs: 1 });
    await Bun.sleep(20);
  }
  capture.datagrams.length = count;
}

/** GETs the logged QRS requests in a loop at `concurrency` for `ms`; returns requests per second. */
async function qrsCeiling(sim: Simulator, paths: Array<{ path: string; headers: Record<string, string> }>, concurrency: number, ms: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency, ca: sim.certs.ca, cert: sim.certs.clientCert, key: sim.certs.clientKey });
  let done = 0;
  let next = 0;
  const stopAt = performance.now() + ms;
  const one = (p: { path: string; headers: Record<string, string> }) =>
    new Promise<void>((resolve, reject) => {
      const req = httpsRequest(
        { host: "127.0.0.1", port: sim.ports.qrs, path: p.path, method: "GET", headers: p.headers, agent, servername: "localhost" },
        (res) => {
          res.resume();
          res.on("end", () => resolve());
        },
      );
      req.on("error", reject);
      req.end();
    });
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < stopAt) {
        await one(paths[next++ % paths.length]!);
        done++;
      }
    }),
  );
  agent.destroy();
  return done / ((performance.now() - t0) / 1000);
}

export async function runEnrichSection(o: EnrichSectionOptions): Promise<{ figures: Figure[]; raw: unknown }> {
  const runs = o.runs ?? 400;
  const capture = { datagrams: [] as Buffer[] };
  const sink = createSocket("udp4");
  sink.on("message", (d) => {
    if (d.subarray(0, 32).toString("latin1").toLowerCase().includes("failed")) capture.datagrams.push(Buffer.from(d));
  });
  const sinkPort = await freeUdpPort();
  await new Promise<void>((r) => sink.bind(sinkPort, "127.0.0.1", () => r()));
  const sim = await startSimulator({
    certDir: join(o.workDir, "sim-certs-enrich"),
    qrsPort: 0,
    enginePort: 0,
    controlPort: 0,
    schedules: false,
    settings: { udp: { targets: [{ host: "127.0.0.1", port: sinkPort }] } },
  });
  try {
    await captureFailures(sim, capture, runs);
    // Let the last runs reach their final state in QRS before Steward asks for them.
    await Bun.sleep(500);
    o.log(`enrichment: captured ${capture.datagrams.length} failure datagrams of real runs from the simulator`);

    const yaml = `qlik: { host: 127.0.0.1, qrsPort: ${sim.ports.qrs}, enginePort: ${sim.ports.engine}, certDir: ${JSON.stringify(sim.certDir)} }\nintake: { queueSize: ${runs * 2}, reconcile: { enabled: false } }`;
    const steward = await startSteward(o.stewardBin, join(o.workDir, "steward-enrich"), yaml);
    let seconds = Number.NaN;
    let emitted = 0;
    let qrsCalls = 0;
    let loggedPaths: Array<{ path: string; headers: Record<string, string> }> = [];
    try {
      const metrics = `${steward.url}/metrics`;
      const before = await readIntakeCounters(metrics);
      const seqBefore = sim.requests.list({ source: "qrs" }).at(-1)?.seq ?? 0;
      const sender = createSocket("udp4");
      const t0 = performance.now();
      for (const d of capture.datagrams) sender.send(d, steward.udpPort, "127.0.0.1");
      const deadline = t0 + REPLAY_TIMEOUT_MS;
      for (;;) {
        const now = await readIntakeCounters(metrics);
        emitted = now.emitted - before.emitted;
        if (emitted + (now.dropped - before.dropped) >= runs || performance.now() > deadline) break;
        await Bun.sleep(20);
      }
      seconds = (performance.now() - t0) / 1000;
      sender.close();
      const logged = sim.requests.list({ source: "qrs", sinceSeq: seqBefore });
      qrsCalls = logged.length;
      loggedPaths = logged
        .filter((r) => r.method === "GET")
        .map((r) => ({
          path: `${r.path}?${new URLSearchParams(r.query).toString()}`,
          headers: { "x-qlik-xrfkey": r.headers.xrfkey ?? "", "x-qlik-user": r.headers.user ?? "" },
        }));
    } finally {
      await steward.proc.stop();
    }
    const perEvent = qrsCalls / Math.max(1, emitted);
    const stewardRate = emitted / seconds;
    o.log(`enrichment: ${emitted} of ${runs} events in ${seconds.toFixed(2)} s (${Math.round(stewardRate)}/s), ${perEvent.toFixed(1)} QRS requests per event`);
    const ceilingRps = loggedPaths.length ? await qrsCeiling(sim, loggedPaths, CEILING_CONCURRENCY, CEILING_MS) : Number.NaN;
    const ceilingEvents = ceilingRps / perEvent;
    o.log(`simulator ceiling: ${Math.round(ceilingRps)} QRS requests/s at ${CEILING_CONCURRENCY} connections = ${Math.round(ceilingEvents)} events/s`);
    return {
      figures: [
        {
          metric: "Full path with QRS enrichment (simulator): task events per second",
          unit: "datagrams/s",
          steward: Math.round(stewardRate),
          note:
            `${emitted} of ${runs} failed runs replayed as a burst, each enriched with ${perEvent.toFixed(1)} QRS requests (task, execution, app, owner, script log) over client-certificate TLS; ` +
            `the simulator's own ceiling for those requests is ${Math.round(ceilingRps).toLocaleString("en-US")} requests/s = ${Math.round(ceilingEvents).toLocaleString("en-US")} events/s ` +
            `(${CEILING_CONCURRENCY} connections, same machine), so Steward reaches ${(stewardRate / ceilingEvents).toFixed(2)}× of what this QRS can serve ` +
            `with intake.concurrency 4 (the default: four events enriched at a time, the lookups of one event in sequence)`,
        },
      ],
      raw: { runs, emitted, seconds, qrsCalls, perEvent, ceilingRps, ceilingEvents },
    };
  } finally {
    await sim.stop();
    sink.close();
  }
}
