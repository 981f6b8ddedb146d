// What holds a KV set's tail (issue 69), measured inside one process so that other processes on the machine distort it
// little: the REST path (POST /v4/keyvalues/ns1 through every check, the audit row in the set's commit) without sockets,
// 50 callers each posting again as soon as it is answered, on a store whose audit log is at its cap (200,000 rows)
// so retention runs while the sets do. What blocks the event loop, and for how long, each as a distribution of
// durations measured with performance.now() around the synchronous work itself (CPU-bound, so a busy machine moves
// it less than it moves end-to-end latency):
//   - a commit batch (BEGIN IMMEDIATE … COMMIT of the store's group commit: every set of one turn of the event loop),
//   - each retention statement (the audit log's COUNT and DELETEs),
//   - the event loop's turns (the gaps between ticks of a 1 ms timer; a gap is the longest the loop did not turn),
//   - garbage collections (JavaScriptCore's own log, when run with BUN_JSC_logGC=1: `--gc` does that),
// and the sets' latency. `bun scripts/bench-kv-tail.ts [--seconds 8] [--gc] [--audit-rows 200000]`
import { DatabaseSync, StatementSync } from "node:sqlite";
import { parseArgs } from "node:util";
import { createApp } from "../src/app";
import { parseConfigText } from "../src/composition/config";
import { createSilentLogger } from "../src/platform/core/logger";
import { createTempDir } from "../test/helpers/temp-dir";

const CALLERS = 50;
const KEYS = 500;

/** Durations (ms) of one kind of stall. */
class Durations {
  readonly values: number[] = [];
  add(ms: number): void {
    this.values.push(ms);
  }
  summary(): string {
    const v = [...this.values].sort((a, b) => a - b);
    if (v.length === 0) return "none";
    const q = (p: number) => v[Math.min(v.length - 1, Math.floor(v.length * p))]!.toFixed(2);
    const over = (ms: number) => v.filter((x) => x > ms).length;
    const total = v.reduce((a, b) => a + b, 0);
    return `${v.length} (total ${total.toFixed(0)} ms): p50 ${q(0.5)}, p90 ${q(0.9)}, p99 ${q(0.99)}, max ${v[v.length - 1]!.toFixed(2)} ms; over 2 ms ${over(2)}, over 4 ms ${over(4)}, over 8 ms ${over(8)}`;
  }
}

const stats = {
  batch: new Durations(),
  retention: new Durations(),
  loopGap: new Durations(),
  gc: new Durations(),
  gcLongest: new Durations(),
  set: new Durations(),
};

/** Times the statements that mark a commit batch and the audit log's retention (patched on the class: every statement of the store). */
function instrumentStatements(): void {
  let batchStart: number | undefined;
  const proto = StatementSync.prototype as unknown as Record<string, (...a: unknown[]) => unknown> & { sourceSQL: string };
  for (const method of ["run", "get", "all"] as const) {
    const original = proto[method]!;
    proto[method] = function (this: StatementSync & { sourceSQL: string }, ...args: unknown[]) {
      const sql = this.sourceSQL;
      if (sql === "BEGIN IMMEDIATE") batchStart = performance.now();
      const retention = sql.includes("FROM audit") && (sql.startsWith("DELETE") || sql.includes("COUNT("));
      const t0 = retention ? performance.now() : 0;
      const result = original.apply(this, args);
      if (retention) stats.retention.add(performance.now() - t0);
      if (sql === "COMMIT" && batchStart !== undefined) {
        stats.batch.add(performance.now() - batchStart);
        batchStart = undefined;
      }
      return result;
    };
  }
}

/** Rows straight into the audit log, within its age limit (as a site's load leaves it at its cap). */
function fillAudit(file: string, rows: number): void {
  const db = new DatabaseSync(file);
  const at = new Date().toISOString();
  db.exec("BEGIN");
  const put = db.prepare(
    "INSERT INTO audit (at, actor_kind, actor_name, actor_ip, action, target, result, details) VALUES (?, 'anonymous', 'anonymous', '127.0.0.1', 'api.write', ?, 'ok', ?)",
  );
  for (let i = 0; i < rows; i++) put.run(at, `/v4/keyvalues/ns1`, '{"route":"POST /v4/keyvalues/:namespace","scope":"write","status":201}');
  db.exec("COMMIT");
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
}

/** JavaScriptCore's GC log on stderr (BUN_JSC_logGC): each collection's line ending "END]" carries its pauses, "p=<total>ms (max <longest>)". */
function parseGcLog(text: string): void {
  for (const m of text.matchAll(/p=([\d.]+)ms \(max ([\d.]+)\)[^\n]*END\]/g)) {
    stats.gc.add(Number(m[1]));
    stats.gcLongest.add(Number(m[2]));
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { seconds: { type: "string" }, gc: { type: "boolean" }, "audit-rows": { type: "string" }, child: { type: "boolean" } },
  });
  if (values.gc && !values.child) {
    // Run again with the collector's log on, and read its pauses from stderr.
    const args = process.argv.slice(2).filter((a) => a !== "--gc");
    const proc = Bun.spawn([process.execPath, import.meta.path, ...args, "--child"], {
      stdout: "inherit",
      stderr: "pipe",
      env: { ...process.env, BUN_JSC_logGC: "1" },
    });
    const err = await new Response(proc.stderr).text();
    await proc.exited;
    parseGcLog(
      err
        .split("\n")
        .filter((l) => /GC/.test(l))
        .join("\n"),
    );
    console.log(`garbage collections, pause per collection: ${stats.gc.summary()}`);
    console.log(`garbage collections, longest pause of each: ${stats.gcLongest.summary()}`);
    return;
  }
  const seconds = Number(values.seconds ?? 8);
  const auditRows = Number(values["audit-rows"] ?? 200_000);
  const dir = createTempDir("steward-bench-kv-tail-");
  const yaml = `dataDir: ${JSON.stringify(dir.path)}\nlogging: { level: silent }\nhttp: { host: 127.0.0.1, port: 0 }\nudp: { host: 127.0.0.1, port: 0 }\n`;
  // The store with its tables, then the audit rows, then the app on it (retention counts the log at start).
  createApp(parseConfigText(yaml, "bench.yaml", dir.path), { log: createSilentLogger() }).store.close();
  fillAudit(`${dir.path}/steward.db`, auditRows);
  const app = createApp(parseConfigText(yaml, "bench.yaml", dir.path), { log: createSilentLogger() });
  await app.start();
  // As wrk sends it: with its Content-Length (without one the body limit reads the body as a stream).
  const post = (i: number) => {
    const body = `{"key":"k${i % KEYS}","value":"${"x".repeat(64)}"}`;
    const headers = { "content-type": "application/json", "content-length": String(body.length) };
    return app.http.hono.fetch(new Request("http://localhost/v4/keyvalues/ns1", { method: "POST", headers, body }), { remoteAddress: "127.0.0.1" });
  };
  // Warm-up (the JIT's compiles), then the measured run with every probe on.
  const warm = performance.now() + 2_000;
  await Promise.all(
    Array.from({ length: CALLERS }, async (_, c) => {
      for (let i = c; performance.now() < warm; i += CALLERS) await post(i);
    }),
  );
  instrumentStatements();
  let last = performance.now();
  const ticker = app.clock.setTimeout(function tick() {
    const now = performance.now();
    stats.loopGap.add(now - last);
    last = now;
    ticker2 = app.clock.setTimeout(tick, 1);
  }, 1);
  let ticker2 = ticker;
  const cpu0 = process.cpuUsage();
  const end = performance.now() + seconds * 1000;
  let non201 = 0;
  await Promise.all(
    Array.from({ length: CALLERS }, async (_, c) => {
      for (let i = c; performance.now() < end; i += CALLERS) {
        const t0 = performance.now();
        const res = await post(i);
        stats.set.add(performance.now() - t0);
        if (res.status !== 201) non201++;
      }
    }),
  );
  app.clock.clearTimeout(ticker2);
  const cpu = process.cpuUsage(cpu0);
  const rows = Number((app.store.db.prepare("SELECT COUNT(*) AS n FROM audit").get() as { n: number }).n);
  await app.stop();
  dir.remove();
  const sets = stats.set.values.length;
  console.log(
    `load ${require("node:fs").readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}; ${sets} sets in ${seconds} s (${Math.round(sets / seconds)}/s, ${non201} not 201), CPU ${((cpu.user + cpu.system) / sets).toFixed(0)} µs per set; audit rows after: ${rows}`,
  );
  console.log(`set latency: ${stats.set.summary()}`);
  console.log(`commit batches (BEGIN … COMMIT), wall: ${stats.batch.summary()}`);
  console.log(`retention statements, wall: ${stats.retention.summary()}`);
  console.log(`event loop turns (1 ms timer gaps): ${stats.loopGap.summary()}`);
}

await main();
process.exit(0);
