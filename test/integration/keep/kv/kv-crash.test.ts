// Group-committed key-value writes under SIGKILL: Steward is killed while a burst of sets from many connections
// is in flight; after a restart every set that was answered 201 is there with its request's audit row (an answer
// comes after the commit that holds both), and no set is there without its row.
import { afterAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { STORE_FILE } from "../../../../src/platform/store/database";
import { startProcess, type RunningProcess } from "../../../helpers/child-process";
import { freeTcpPorts } from "../../../helpers/free-port";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitForHttp } from "../../../helpers/wait-for";

const REPO = join(import.meta.dir, "../../../..");
const running: RunningProcess[] = [];
const dir = createTempDir("steward-kv-crash-");

afterAll(async () => {
  for (const p of running) await p.stop("SIGKILL", 1000);
  dir.remove();
});

function startSteward(config: string): RunningProcess {
  const p = startProcess(process.execPath, ["src/main.ts", "run", "--config", config, "--log-format", "json"], { cwd: REPO });
  running.push(p);
  return p;
}

test("SIGKILL during a burst of KV sets: every acknowledged set survives the restart, each key with its audit row", { timeout: 90_000 }, async () => {
  const [httpPort] = await freeTcpPorts(1);
  const base = `http://127.0.0.1:${httpPort}`;
  const config = join(dir.path, "steward.yaml");
  writeFileSync(config, `dataDir: ./data\nlogging: { level: warn }\nhttp: { host: 127.0.0.1, port: ${httpPort} }\nudp: { enabled: false }\n`);
  const first = startSteward(config);
  await waitForHttp(`${base}/health`, { timeoutMs: 30_000 });

  // 20 connections each set keys back to back; the process is killed while they are at it.
  const acknowledged: string[] = [];
  let killed = false;
  const worker = async (w: number) => {
    for (let i = 0; !killed && i < 5_000; i++) {
      const key = `w${w}-${i}`;
      try {
        const res = await fetch(`${base}/v4/keyvalues/crash`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ key, value: `v-${key}` }),
        });
        if (res.status === 201) acknowledged.push(key);
        await res.arrayBuffer();
      } catch {
        return; // the connection died with the process
      }
    }
  };
  const workers = Array.from({ length: 20 }, (_, w) => worker(w));
  while (acknowledged.length < 300) await Bun.sleep(5);
  process.kill(first.pid, "SIGKILL");
  killed = true;
  await first.exited;
  await Promise.all(workers);

  const second = startSteward(config);
  await waitForHttp(`${base}/health`, { timeoutMs: 30_000 });
  const res = await fetch(`${base}/v4/keylist/crash`);
  const stored = new Set(((await res.json()) as { keys: Array<{ key: string }> }).keys.map((k) => k.key));
  const missing = acknowledged.filter((k) => !stored.has(k));
  expect({ acknowledged: acknowledged.length >= 300, missing }).toEqual({ acknowledged: true, missing: [] });
  await second.stop("SIGTERM", 10_000);

  const db = new DatabaseSync(join(dir.path, "data", STORE_FILE), { readOnly: true });
  try {
    const rows = db.prepare("SELECT details FROM audit WHERE action = 'api.write' AND result = 'ok'").all() as Array<{ details: string }>;
    const audited = new Set(rows.map((r) => String((JSON.parse(r.details) as { object?: unknown }).object)));
    expect({
      acknowledgedWithoutRow: acknowledged.filter((k) => !audited.has(`crash/${k}`)),
      storedWithoutRow: [...stored].filter((k) => !audited.has(`crash/${k}`)),
    }).toEqual({ acknowledgedWithoutRow: [], storedWithoutRow: [] });
  } finally {
    db.close();
  }
});
