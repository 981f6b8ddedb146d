// A full disk under the SQLite store (issue 75, D1), made with SQLite's own limit: the running store's connection is
// held at its current size (PRAGMA max_page_count), so every write that needs a new page fails with SQLITE_FULL, the
// error a full disk gives, without touching the machine's file systems. While it lasts a KV write is answered 503
// (not applied), /ready says the store cannot be written, and the log says it a line a minute, not a line a write;
// once space returns the next write commits, /ready is ok again, and nothing acknowledged is lost across a restart.
import { afterAll, expect, test } from "bun:test";
import { createSocket } from "node:dgram";
import { Writable } from "node:stream";
import pino from "pino";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { freeUdpPort } from "../../../helpers/free-port";
import { createTempDir } from "../../../helpers/temp-dir";

const dir = createTempDir("steward-disk-full-");
const clock = createManualClock(Date.parse("2026-11-26T09:00:00Z"));
const lines: Array<{ level: number; msg: string; module?: string; failedWrites?: number }> = [];
const log = pino({ level: "info" }, new Writable({ write: (c, _e, cb) => (lines.push(JSON.parse(String(c))), cb()) }));
let t: TestApp | undefined;
const udp = createSocket("udp4");

afterAll(async () => {
  udp.close();
  // After a failed assertion the disk may still be "full": give the space back and move the clock while the app
  // stops (its audit waits for its next try on the clock).
  if (t?.app.store.db.isOpen) t.app.store.db.exec("PRAGMA max_page_count = 1073741823");
  if (t) await answered(t.close());
  dir.remove();
});

const json = { "content-type": "application/json" };
const set = (key: string, value: string) => t!.request("/v4/keyvalues/disk", { method: "POST", headers: json, body: JSON.stringify({ key, value }) });
const get = async (key: string) => ((await (await t!.request(`/v4/keyvalues/disk?key=${key}`)).json()) as { value?: string }).value;

/** A failed reload reported by the Scheduler (from loopback, which a site without qlik: admits). */
function failedRun(port: number): void {
  const id = () => crypto.randomUUID();
  const line = `/scheduler-task-failed//;SENSE1;Reload Sales;Sales;INTERNAL\\sa_scheduler;${id()};${id()};2026-11-26 09:00:00,000;ERROR;${id()};Task finished with state FinishedFail. Max retries reached.`;
  udp.send(line, port, "127.0.0.1");
}

/** Waits for the answers while the clock moves a second at a time (a write refused for a full disk waits for the audit's next try). */
async function answered<T>(work: Promise<T>): Promise<T> {
  let done = false;
  void work.finally(() => (done = true)).catch(() => {});
  while (!done) {
    await clock.advance(1_000);
    await Bun.sleep(2);
  }
  return work;
}

test("a full disk: writes refused with 503, /ready says so, a log line a minute; space returns: writes and /ready again, nothing acknowledged lost", async () => {
  const udpPort = await freeUdpPort();
  const yaml = `udp: { host: 127.0.0.1, port: ${udpPort} }\n`;
  t = createTestApp(yaml, { clock, log, dir: dir.path });
  await t.app.start();
  expect((await set("before", "kept")).status).toBe(201);

  const db = t.app.store.db;
  const pages = (db.prepare("PRAGMA page_count").get() as { page_count: number }).page_count;
  db.exec(`PRAGMA max_page_count = ${pages}`);
  const startedAt = clock.now();
  const linesBefore = lines.length;
  const statuses = new Map<number, number>();
  let last: Response | undefined;
  // Three minutes of the clock: each second five KV writes (each needing new pages) and ten failed runs from the
  // Scheduler, whose claims, marks and histories the store refuses.
  for (let second = 0; second < 180; second++) {
    for (let i = 0; i < 10; i++) failedRun(udpPort);
    const answers = await answered(Promise.all(Array.from({ length: 5 }, (_, i) => set(`k${second}-${i}`, "v".repeat(20_000)))));
    for (const a of answers) statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
    last = answers[0];
  }
  expect([...statuses]).toEqual([[503, 900]]);
  expect(last!.headers.get("retry-after")).toBe("30");
  expect(await last!.json()).toMatchObject({ code: "STORE_UNAVAILABLE", details: { store: "sqlite", reason: "diskFull", outcome: "notApplied" } });

  const ready = await t.request("/ready");
  expect(ready.status).toBe(503);
  const store = ((await ready.json()) as { components: { store: { ok: boolean; detail: string } } }).components.store;
  expect(store.ok).toBe(false);
  expect(store.detail).toMatch(
    /^the disk holding .*steward\.db is full \(SQLITE_FULL \/ ENOSPC\): \d+ writes failed in the last minute; free space and Steward resumes by itself$/,
  );
  // The last minute's failures only (its KV writes, audit rows, claims and marks of runs), not all since the start.
  const lastMinute = Number(/: (\d+) writes failed/.exec(store.detail)![1]);
  expect(lastMinute).toBeGreaterThan(50);
  expect(lastMinute).toBeLessThan(t.app.store.writeHealth.diskFullWrites / 2);

  // What the log got while the disk was full: warnings and errors, a line or two of each kind a minute whatever the
  // load (work that runs on a timer and fails says so at its pace, at most twice a minute).
  const minutes = Math.ceil((clock.now() - startedAt) / 60_000);
  const said = lines.slice(linesBefore).filter((l) => l.level >= 40);
  const kinds = new Map<string, number>();
  for (const l of said) kinds.set(l.msg.replace(/\d+/g, "N"), (kinds.get(l.msg.replace(/\d+/g, "N")) ?? 0) + 1);
  for (const [kind, n] of kinds) expect({ kind, n: Math.min(n, 2 * minutes + 2) }).toEqual({ kind, n });
  expect(said.length).toBeLessThanOrEqual(8 * (minutes + 2));
  expect(said[0]!.msg).toMatch(/^the disk holding .*steward\.db is full: \d+ writes? failed; free space and Steward resumes by itself/);
  expect(said.filter((l) => l.module === "store").length).toBeGreaterThanOrEqual(3);
  // The failed runs were still announced (without their history), not lost with the store's writes.
  expect(lines.some((l) => l.msg === "task event")).toBe(true);

  // Space returns: the next write commits, and /ready is ok again once writes have gone on without a failure a while.
  db.exec("PRAGMA max_page_count = 1073741823");
  expect((await answered(set("after", "v".repeat(20_000)))).status).toBe(201);
  await clock.advance(10_000);
  const readyAgain = await t.request("/ready");
  expect(readyAgain.status).toBe(200);
  expect(((await readyAgain.json()) as { components: { store: { ok: boolean } } }).components.store.ok).toBe(true);
  expect(lines.some((l) => l.level === 30 && /^the store takes writes again; \d+ writes failed while the disk was full$/.test(l.msg))).toBe(true);
  expect(await t.app.metrics.render()).toMatch(/^steward_store_disk_full_writes_total [1-9]\d*$/m);

  // Acknowledged before and after: both there after a restart; nothing refused was written.
  await t.close();
  t = createTestApp(yaml, { clock, log, dir: dir.path });
  await t.app.start();
  expect(await get("before")).toBe("kept");
  expect(await get("after")).toBe("v".repeat(20_000));
  expect((await t.request("/v4/keyvalues/disk?key=k0-0")).status).toBe(404);
}, 120_000);
