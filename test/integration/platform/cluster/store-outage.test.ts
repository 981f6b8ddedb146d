// Two Steward processes on one PostgreSQL, under a steady load of KV writes through both, while PostgreSQL is
// stopped and started again six times: fast shutdown, immediate shutdown, and killed with its backends. No Steward
// may exit; while the store is down a REST write is answered 503 with a JSON body naming the store and a
// Retry-After header (never a 500), and once it is back every Steward serves again without a restart. Every write
// acknowledged with 201 is in the store at the end. Beside the writes, deleters run KV deletes (a transaction each on
// PostgreSQL, the path whose lost connections used to throw inside the client): the last-resort guard of every
// Steward catches nothing.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { HaltMode } from "../../../../src/show/demo/private-postgres";
import { startProcess, type RunningProcess } from "../../../helpers/child-process";
import { freeTcpPort, freeUdpPort } from "../../../helpers/free-port";
import { startPostgres, type PostgresService } from "../../../helpers/services";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor, waitForHttp } from "../../../helpers/wait-for";
import { wallLimit } from "../../../helpers/time-limit";

const REPO = join(import.meta.dir, "../../../..");
const dir = createTempDir("steward-outage-");
const json = { "content-type": "application/json" };

let pg: PostgresService;
const stewards: Array<{ name: string; base: string; proc: RunningProcess }> = [];

beforeAll(async () => {
  // Commits acknowledged only once written: a killed server must keep every write a Steward acknowledged.
  pg = await startPostgres({ durableCommits: true });
  const url = await pg.createDatabase("store_outage");
  // Both Stewards start at once: each waits on its own start, not on the other's.
  const started = ["node-a", "node-b"].map(async (name) => {
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
  postgres: { url: ${JSON.stringify(url)}, instanceName: ${name}, leaseTtlMs: 2000, heartbeatIntervalMs: 300, connectTimeoutMs: 1000 }
`,
    );
    const proc = startProcess(process.execPath, ["src/main.ts", "run", "--config", config, "--log-format", "json"], { cwd: REPO });
    const base = `http://127.0.0.1:${httpPort}`;
    // Listed before it answers, so that afterAll stops it even if the other one fails to start.
    stewards.push({ name, base, proc });
    await waitForHttp(`${base}/health`, { timeoutMs: 30_000 });
  });
  await Promise.all(started);
  // In the order named, whichever started first.
  stewards.sort((x, y) => x.name.localeCompare(y.name));
});

afterAll(async () => {
  for (const s of stewards) await s.proc.stop("SIGTERM", 5_000);
  await pg?.stop();
  dir.remove();
});

test("PostgreSQL stopped and started six times under load: no Steward exits, REST answers 503 meanwhile, no acknowledged write is lost", {
  timeout: wallLimit(120_000),
}, async () => {
  const acknowledged: string[] = [];
  const statuses = new Map<number, number>();
  const refusals: Array<{ status: number; retryAfter: string | null; body: unknown }> = [];
  let writing = true;
  let n = 0;
  const writer = (async () => {
    while (writing) {
      const s = stewards[n % stewards.length]!;
      const key = `k${n++}`;
      try {
        const res = await fetch(`${s.base}/v4/keyvalues/outage`, {
          method: "POST",
          headers: json,
          body: JSON.stringify({ key, value: key }),
          signal: AbortSignal.timeout(5_000),
        });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status === 201) acknowledged.push(key);
        else refusals.push({ status: res.status, retryAfter: res.headers.get("retry-after"), body: await res.json().catch(() => undefined) });
      } catch {
        // a request the outage timed out: neither acknowledged nor refused
      }
      await Bun.sleep(10);
    }
  })();
  // Each deleter sets a key and deletes it again, over and over: transactions in flight when PostgreSQL stops.
  let deletes = 0;
  const deleteStatuses = new Set<number>();
  const deleters = stewards.flatMap((s) =>
    [0, 1, 2].map(async (d) => {
      for (let i = 0; writing; i++) {
        const key = `${s.name}-d${d}-${i % 5}`;
        try {
          const set = await fetch(`${s.base}/v4/keyvalues/outage-del`, {
            method: "POST",
            headers: json,
            body: JSON.stringify({ key, value: "x" }),
            signal: AbortSignal.timeout(5_000),
          });
          if (set.status !== 201) {
            await Bun.sleep(20);
            continue;
          }
          const del = await fetch(`${s.base}/v4/keyvalues/outage-del/${key}`, { method: "DELETE", signal: AbortSignal.timeout(5_000) });
          deleteStatuses.add(del.status);
          if (del.status === 204) deletes++;
        } catch {
          // timed out during the outage
        }
      }
    }),
  );

  const modes: HaltMode[] = ["fast", "immediate", "kill", "fast", "immediate", "kill"];
  try {
    for (const mode of modes) {
      const before = acknowledged.length;
      await waitFor(() => acknowledged.length >= before + 5 || undefined, { what: `writes to succeed before the ${mode} stop`, timeoutMs: wallLimit(30_000) });
      await pg.halt(mode);
      const refusedBefore = refusals.length;
      await waitFor(() => refusals.length >= refusedBefore + 3 || undefined, {
        what: `writes to be refused while PostgreSQL is down (${mode})`,
        timeoutMs: wallLimit(20_000),
      });
      await pg.resume();
    }
    const last = acknowledged.length;
    await waitFor(() => acknowledged.length >= last + 10 || undefined, { what: "both Stewards to write again", timeoutMs: wallLimit(30_000) });
  } finally {
    writing = false;
    await Promise.all([writer, ...deleters]);
  }
  expect(deletes).toBeGreaterThan(0);
  expect([...deleteStatuses].filter((code) => code !== 204 && code !== 503)).toEqual([]);

  for (const s of stewards) {
    if (s.proc.hasExited()) console.error(`${s.name} exited:\n${s.proc.output().slice(-4000)}`);
    expect({ name: s.name, exited: s.proc.hasExited() }).toEqual({ name: s.name, exited: false });
  }
  // Refused, never failed: 503 with the store named and a Retry-After.
  expect([...statuses.keys()].filter((code) => code !== 201 && code !== 503)).toEqual([]);
  for (const r of refusals) {
    expect(r.status).toBe(503);
    expect(Number(r.retryAfter)).toBeGreaterThan(0);
    expect(JSON.stringify(r.body)).toContain("store");
  }
  // Every acknowledged write is stored.
  const res = await fetch(`${stewards[0]!.base}/v4/keyvalues/outage/keyexists?key=${acknowledged[0]}`);
  expect(res.status).toBe(200);
  const { keys } = (await (await fetch(`${stewards[1]!.base}/v4/keylist/outage`)).json()) as { keys: Array<{ key: string }> };
  const stored = new Set(keys.map((k) => k.key));
  expect(stored.size).toBeGreaterThanOrEqual(acknowledged.length);
  expect(acknowledged.filter((k) => !stored.has(k))).toEqual([]);
  // Every error of the outage was handled where it arose: nothing reached the last-resort guard.
  for (const s of stewards) {
    const metrics = await (await fetch(`${s.base}/metrics`)).text();
    const caught = metrics.split("\n").filter((line) => line.startsWith("steward_uncaught_errors_total{"));
    expect(caught.length).toBe(2);
    expect({ name: s.name, caught: caught.filter((line) => !line.endsWith(" 0")) }).toEqual({ name: s.name, caught: [] });
  }
});
