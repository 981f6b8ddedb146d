// CPU of Steward's own request path per GET /v4/butlerping, in-process (issue 89): the Hono app of a Steward built on
// `--yaml` (default: the benches' config, the API open), handed one prepared request again and again as the loopback
// listener hands it over, beside a bare Hono app with the floor's one route handed the same. Prints the best and the
// median of `--rounds` rounds of `--requests` each, µs of process CPU per request. The difference between the two is
// what Steward adds per ping in JavaScript; the runtime's server and the kernel are outside this measurement.
//   bun scripts/bench-ping-inprocess.ts [--rounds 7] [--requests 50000] [--yaml 'http: { apiKeys: … }'] [--path /v4/butlerping]
import { Hono } from "hono";
import { parseArgs } from "node:util";
import { createApp } from "../src/app";
import { parseConfigText } from "../src/composition/config";
import { createSilentLogger } from "../src/platform/core/logger";
import type { HttpEnv } from "../src/platform/http/types";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const cpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

async function measure(fetch: (req: Request) => Response | Promise<Response>, req: Request, n: number): Promise<number> {
  const before = cpuUs();
  for (let i = 0; i < n; i++) {
    const res = fetch(req);
    const r = res instanceof Promise ? await res : res;
    if (r.status !== 200) throw new Error(`answered ${r.status}: ${await r.text()}`);
  }
  return (cpuUs() - before) / n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rounds: { type: "string" }, requests: { type: "string" }, yaml: { type: "string" }, path: { type: "string" } } });
  const rounds = Number(values.rounds ?? 7);
  const n = Number(values.requests ?? 50_000);
  const path = values.path ?? "/v4/butlerping";
  const dir = mkdtempSync(join(tmpdir(), "bench-ping-"));
  const yaml = `dataDir: ${dir}\nhttp: { host: 127.0.0.1, port: 0 }\nudp: { host: 127.0.0.1, port: 0 }\n${values.yaml ?? ""}\n`;
  const app = createApp(parseConfigText(yaml, "bench.yaml", dir), { log: createSilentLogger() });
  const hono = app.http!.hono;
  // As the loopback listener hands a read over (server.ts: LoopbackRead).
  const env = { loopbackListener: true, remoteAddress: "127.0.0.1" } as HttpEnv["Bindings"];
  const steward = (req: Request) => hono.fetch(req, env);
  const bare = new Hono();
  bare.get("/v4/butlerping", (c) => c.json({ response: "Butler reporting for duty", butlerVersion: "16.0.4" }));
  const floor = (req: Request) => bare.fetch(req);
  const req = new Request(`http://127.0.0.1:8080${path}`, { headers: { host: "127.0.0.1:8080", "user-agent": "wrk" } });
  await measure(steward, req, 5_000);
  await measure(floor, req, 5_000);
  const s: number[] = [];
  const f: number[] = [];
  for (let i = 0; i < rounds; i++) {
    s.push(await measure(steward, req, n));
    f.push(await measure(floor, req, n));
  }
  const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const fmt = (xs: number[]) => `best ${Math.min(...xs).toFixed(2)}, median ${mid(xs).toFixed(2)} µs`;
  console.log(`bare Hono ${fmt(f)}; Steward ${path} ${fmt(s)}; Steward adds ${(mid(s) - mid(f)).toFixed(2)} µs (medians)`);
  rmSync(dir, { recursive: true, force: true });
}

if (import.meta.main) await main();
