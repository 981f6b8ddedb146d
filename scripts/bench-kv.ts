// Bench section: costs that grow with the data, in-process on the SQLite store (the same code the binary runs):
// a KV set that adds a key to a namespace of 1k, 10k and 100k keys, and a KV set on a store whose audit log is
// past its cap (every set writes an audit row, so retention runs while the sets do): the CPU time of one set (sets
// awaited one after another, audit rows written; the notes give the wall time and a fresh store). Then the latency
// of sets from 50 callers at once (p99, p99.9) and the event loop's stalls meanwhile.
// `bun scripts/bench-kv.ts` prints the rows.
import { auditMigrations, createAuditLog, DEFAULT_AUDIT_RETENTION } from "../src/platform/audit/audit-log";
import { KvSchema } from "../src/keep/kv/config";
import { systemClock } from "../src/platform/core/clock";
import { createSilentLogger } from "../src/platform/core/logger";
import { createMetricsRegistry } from "../src/platform/core/metrics";
import { createKvStore, kvMigrations, type KvStore } from "../src/keep/kv";
import { openStore, type Store } from "../src/platform/store/database";
import { createTempDir } from "../test/helpers/temp-dir";
import type { Figure } from "./bench-report";

export const NAMESPACE_SIZES = [1_000, 10_000, 100_000];
/** New keys timed per namespace size, after WARMUP untimed ones. */
const NEW_KEYS = 1_000;
const WARMUP = 200;
/** Sets timed on the store past the audit cap: enough for several retention runs (one per 1% of the cap). */
const AUDIT_SETS = 10_000;

export interface KvBenchRaw {
  /** A set adding a key, by the namespace's size before. */
  newKey: Record<number, PerCall>;
  /** A set overwriting a key with a fresh audit log and with one past its cap. */
  auditFresh: PerCall;
  auditPastCap: PerCall;
  auditRowsAfter: number;
  concurrent: ConcurrentSets;
}

/** Latency of KV sets from many callers at once, and how long the event loop went without a turn meanwhile. */
export interface ConcurrentSets {
  callers: number;
  seconds: number;
  sets: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  /** Gaps of more than 5 ms between 1 ms timer ticks: their number, their wall time, and this process's CPU in them. */
  stalls: { count: number; wallMs: number; cpuMs: number };
}

const CONCURRENT_CALLERS = 50;
const CONCURRENT_MS = 4_000;
const STALL_MS = 5;

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? 0;

/**
 * 50 callers each setting one of 500 existing keys as soon as its last set answered, for 4 s: the REST KV-set
 * load without HTTP. A stall whose wall time is far above the process's CPU in it is time the process did not run
 * (the machine's other work), not time Steward spent.
 */
async function measureConcurrentSets(): Promise<ConcurrentSets> {
  const t = open();
  try {
    for (let i = 0; i < 500; i++) await t.kv.set("load", `k${i}`, "value");
    await t.audit.flush();
    const latencies: number[] = [];
    const stalls = { count: 0, wallMs: 0, cpuMs: 0 };
    let lastTick = performance.now();
    let lastCpu = process.cpuUsage();
    const ticker = setInterval(() => {
      const now = performance.now();
      const cpu = process.cpuUsage();
      if (now - lastTick > STALL_MS) {
        stalls.count++;
        stalls.wallMs += now - lastTick;
        stalls.cpuMs += (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000;
      }
      lastTick = now;
      lastCpu = cpu;
    }, 1);
    const end = performance.now() + CONCURRENT_MS;
    await Promise.all(
      Array.from({ length: CONCURRENT_CALLERS }, async (_, caller) => {
        for (let i = caller; performance.now() < end; i += CONCURRENT_CALLERS) {
          const t0 = performance.now();
          await t.kv.set("load", `k${(i * 7) % 500}`, `value ${i}`);
          latencies.push(performance.now() - t0);
        }
      }),
    );
    clearInterval(ticker);
    await t.audit.flush();
    latencies.sort((a, b) => a - b);
    return {
      callers: CONCURRENT_CALLERS,
      seconds: CONCURRENT_MS / 1000,
      sets: latencies.length,
      p50Ms: quantile(latencies, 0.5),
      p99Ms: quantile(latencies, 0.99),
      p999Ms: quantile(latencies, 0.999),
      maxMs: latencies[latencies.length - 1] ?? 0,
      stalls,
    };
  } finally {
    t.remove();
  }
}

function open(): { store: Store; kv: KvStore; audit: ReturnType<typeof createAuditLog>; remove(): void } {
  const dir = createTempDir("steward-bench-kv-");
  const store = openStore(dir.path, [kvMigrations, auditMigrations]);
  const audit = createAuditLog(store.sql, systemClock);
  const kv = createKvStore(KvSchema.parse({ maxKeysPerNamespace: 1_000_000, maxTotalBytes: 1024 ** 3 }), {
    db: store.sql,
    clock: systemClock,
    log: createSilentLogger(),
    audit,
    metrics: createMetricsRegistry(),
  });
  return {
    store,
    kv,
    audit,
    remove: () => {
      store.close();
      dir.remove();
    },
  };
}

/** Writes `n` keys of namespace `ns` straight into the tables (as sets would leave them), in one transaction. */
function fillNamespace(store: Store, ns: string, n: number): void {
  const now = Date.now();
  store.transaction(() => {
    store.db.prepare("INSERT INTO kv_namespaces (namespace, created_at) VALUES (?, ?)").run(ns, now);
    const put = store.db.prepare("INSERT INTO kv_entries (namespace, key, value, ttl_ms, updated_at) VALUES (?, ?, ?, 0, ?)");
    for (let i = 0; i < n; i++) put.run(ns, `seed-${i}`, '"value"', now);
    store.db.exec(
      "UPDATE kv_usage SET bytes = (SELECT COALESCE(SUM(LENGTH(CAST(namespace AS BLOB)) + LENGTH(CAST(key AS BLOB)) + LENGTH(CAST(value AS BLOB))), 0) FROM kv_entries) WHERE name = 'total'",
    );
  });
  store.db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

/** Writes `n` audit rows straight into the log, oldest first, all within its age limit. */
function fillAudit(store: Store, n: number): void {
  const at = new Date().toISOString();
  store.transaction(() => {
    const put = store.db.prepare(
      "INSERT INTO audit (at, actor_kind, actor_name, action, target, result, details) VALUES (?, 'apiKey', 'etl', 'kv.set', ?, 'ok', ?)",
    );
    for (let i = 0; i < n; i++) put.run(at, `ns/k${i}`, '{"ttl":0,"bytes":5}');
  });
  // The fill's pages go to the database file now, not in a checkpoint during the timed sets.
  store.db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

/** Wall and CPU time (user + system of this process) per call, calls awaited one after another. */
interface PerCall {
  wallUs: number;
  cpuUs: number;
}

async function perCall(count: number, fn: (i: number) => Promise<unknown>, after: () => Promise<void>): Promise<PerCall> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < count; i++) await fn(i);
  await after();
  const cpu = process.cpuUsage(cpu0);
  return { wallUs: ((performance.now() - t0) * 1000) / count, cpuUs: (cpu.user + cpu.system) / count };
}

const show = (p: PerCall) => `${p.cpuUs.toFixed(0)} µs CPU (${p.wallUs.toFixed(0)} µs wall)`;

export async function measureKv(log: (line: string) => void): Promise<KvBenchRaw> {
  const newKey: Record<number, PerCall> = {};
  for (const size of NAMESPACE_SIZES) {
    const t = open();
    try {
      fillNamespace(t.store, "big", size);
      for (let i = 0; i < WARMUP; i++) await t.kv.set("big", `warm-${i}`, "value");
      await t.audit.flush();
      newKey[size] = await perCall(
        NEW_KEYS,
        (i) => t.kv.set("big", `new-${i}`, "value"),
        () => t.audit.flush(),
      );
      log(`KV set of a new key in a namespace of ${size} keys: ${show(newKey[size]!)}`);
    } finally {
      t.remove();
    }
  }

  const overwrite = async (pastCap: boolean): Promise<{ us: PerCall; rows: number }> => {
    const t = open();
    try {
      if (pastCap) fillAudit(t.store, DEFAULT_AUDIT_RETENTION.maxEntries + 1);
      for (let i = 0; i < WARMUP; i++) await t.kv.set("ns", `k${i % 100}`, "value");
      await t.audit.flush();
      const us = await perCall(
        AUDIT_SETS,
        (i) => t.kv.set("ns", `k${i % 100}`, "value"),
        () => t.audit.flush(),
      );
      const rows = Number((t.store.db.prepare("SELECT COUNT(*) AS n FROM audit").get() as { n: number }).n);
      return { us, rows };
    } finally {
      t.remove();
    }
  };
  const fresh = await overwrite(false);
  const past = await overwrite(true);
  log(`KV set (overwrite) with an empty audit log: ${show(fresh.us)}; past its cap: ${show(past.us)} (${past.rows} rows after)`);
  const concurrent = await measureConcurrentSets();
  log(
    `KV sets from ${concurrent.callers} callers: ${concurrent.sets} in ${concurrent.seconds} s, p50 ${concurrent.p50Ms.toFixed(2)} ms, p99 ${concurrent.p99Ms.toFixed(2)} ms, ` +
      `p99.9 ${concurrent.p999Ms.toFixed(2)} ms, max ${concurrent.maxMs.toFixed(1)} ms; ${concurrent.stalls.count} event-loop stalls over ${STALL_MS} ms ` +
      `(${concurrent.stalls.wallMs.toFixed(0)} ms wall, ${concurrent.stalls.cpuMs.toFixed(0)} ms of this process's CPU)`,
  );
  return { newKey, auditFresh: fresh.us, auditPastCap: past.us, auditRowsAfter: past.rows, concurrent };
}

export async function runKvSection(log: (line: string) => void): Promise<{ figures: Figure[]; raw: KvBenchRaw }> {
  const raw = await measureKv(log);
  const cap = DEFAULT_AUDIT_RETENTION.maxEntries;
  const figures: Figure[] = NAMESPACE_SIZES.map((size) => ({
    metric: `KV set of a new key into a namespace of ${size.toLocaleString("en-US")} keys`,
    unit: "µs",
    steward: raw.newKey[size]?.cpuUs,
    note: `CPU per set, in-process on the SQLite store, ${NEW_KEYS.toLocaleString("en-US")} new keys one after another (audit rows written); wall ${raw.newKey[size]?.wallUs.toFixed(0)} µs per set`,
  }));
  figures.push({
    metric: `KV set on a store past the audit log's cap (${cap.toLocaleString("en-US")} entries)`,
    unit: "µs",
    steward: raw.auditPastCap.cpuUs,
    note: `CPU per set, in-process on the SQLite store, ${AUDIT_SETS.toLocaleString("en-US")} overwrites one after another, each with its audit row, retention running as they go (${raw.auditRowsAfter.toLocaleString("en-US")} entries after; wall ${raw.auditPastCap.wallUs.toFixed(0)} µs per set); with an empty audit log ${show(raw.auditFresh)}`,
  });
  const c = raw.concurrent;
  const loadNote =
    `in-process on the SQLite store, ${c.callers} callers each setting one of 500 keys as soon as the last set answered, ${c.seconds} s ` +
    `(${Math.round(c.sets / c.seconds).toLocaleString("en-US")} sets/s, p50 ${c.p50Ms.toFixed(2)} ms, max ${c.maxMs.toFixed(1)} ms); event loop stalled over ${STALL_MS} ms ` +
    `${c.stalls.count} times for ${c.stalls.wallMs.toFixed(0)} ms, using ${c.stalls.cpuMs.toFixed(0)} ms of Steward's CPU (the rest: the process was not running)`;
  figures.push(
    { metric: `KV set, ${c.callers} callers in-process: p99 latency`, unit: "ms", steward: c.p99Ms, note: loadNote },
    { metric: `KV set, ${c.callers} callers in-process: p99.9 latency`, unit: "ms", steward: c.p999Ms },
  );
  return { figures, raw };
}

if (import.meta.main) {
  const { figures } = await runKvSection((line) => console.log(`[bench] ${line}`));
  for (const f of figures) console.log(`${f.steward?.toFixed(f.unit === "ms" ? 2 : 0).padStart(8)} ${f.unit}  ${f.metric}`);
}
