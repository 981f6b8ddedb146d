// Heap cells a GET /v4/butlerping makes in-process, by type, for Steward's Hono app (the benches' config: loopback,
// no API keys) and for a bare Hono app with the floor's one route (issue 89). JSC's per-type counts include the cells
// allocated since the last collection, so their growth over `--requests` pings without a collection between is what
// each ping allocated; what the JIT keeps off the heap (objects that never escape) is not counted, as it costs nothing.
//   bun scripts/bench-ping-cells.ts [--requests 10000] [--warmup 200000]
import { heapStats } from "bun:jsc";
import { Hono } from "hono";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createApp } from "../src/app";
import { parseConfigText } from "../src/composition/config";
import { createSilentLogger } from "../src/platform/core/logger";
import type { HttpEnv } from "../src/platform/http/types";

function cellsPerPing(fetch: (req: Request) => Response | Promise<Response>, warmup: number, n: number): Map<string, number> {
  const req = new Request("http://127.0.0.1:8080/v4/butlerping", { headers: { host: "127.0.0.1:8080", "user-agent": "wrk" } });
  const call = () => {
    const res = fetch(req);
    if (!(res instanceof Response) || res.status !== 200) throw new Error("the ping was not answered 200 synchronously");
  };
  for (let i = 0; i < warmup; i++) call();
  Bun.gc(true);
  const before = heapStats().objectTypeCounts as Record<string, number>;
  for (let i = 0; i < n; i++) call();
  const after = heapStats().objectTypeCounts as Record<string, number>;
  return new Map(Object.keys(after).map((k) => [k, ((after[k] ?? 0) - (before[k] ?? 0)) / n]));
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { requests: { type: "string" }, warmup: { type: "string" } } });
  const n = Number(values.requests ?? 10_000);
  const warmup = Number(values.warmup ?? 200_000);
  const dir = mkdtempSync(join(tmpdir(), "bench-cells-"));
  const yaml = `dataDir: ${dir}\nhttp: { host: 127.0.0.1, port: 0 }\nudp: { host: 127.0.0.1, port: 0 }\n`;
  const app = createApp(parseConfigText(yaml, "bench.yaml", dir), { log: createSilentLogger() });
  const hono = app.http!.hono;
  // As the loopback listener hands a read over (server.ts: LoopbackRead): bindings of its own for each request, with
  // the request itself on them (the pre-handler takes it from there). The bindings are one object a ping, as the
  // listener's are.
  const env = (req: Request) => ({ loopbackListener: true, remoteAddress: "127.0.0.1", request: req }) as HttpEnv["Bindings"];
  const bare = new Hono();
  bare.get("/v4/butlerping", (c) => c.json({ response: "Butler reporting for duty", butlerVersion: "16.0.4" }));
  const floor = cellsPerPing((req) => bare.fetch(req), warmup, n);
  const steward = cellsPerPing((req) => hono.fetch(req, env(req)), warmup, n);
  const types = [...new Set([...floor.keys(), ...steward.keys()])].filter((k) => (steward.get(k) ?? 0) >= 0.05 || (floor.get(k) ?? 0) >= 0.05);
  console.log("cells a ping   bare Hono   Steward");
  for (const k of types.sort((a, b) => (steward.get(b) ?? 0) - (steward.get(a) ?? 0)))
    console.log(`${k.padEnd(22)} ${(floor.get(k) ?? 0).toFixed(2).padStart(9)} ${(steward.get(k) ?? 0).toFixed(2).padStart(9)}`);
  rmSync(dir, { recursive: true, force: true });
}

if (import.meta.main) await main();
