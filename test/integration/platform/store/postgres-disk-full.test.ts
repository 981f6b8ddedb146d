// A full disk under the shared PostgreSQL store (issue 75, D1), made for real: the private server's whole folder lives
// on a 64 MiB tmpfs (its initdb data takes about 40), and a file fills what is left, so the server's writes fail with
// SQLSTATE 53100 (disk_full). While it lasts a KV write is answered 503 (not applied), /ready's shared-store entry says
// the store cannot be written, and the log says it a line a minute, not a line a write; once the file is gone the next
// write commits, /ready is ok again, and what was acknowledged before is still there. A second Steward on the same
// PostgreSQL says the same once its own writes are refused. Needs root and a working
// `mount -t tmpfs` (the test machine has both); elsewhere the test is skipped, saying why.
import { afterAll, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, closeSync, mkdirSync, openSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import pino from "pino";
import { offsetClock, systemClock } from "../../../../src/platform/core/clock";
import { WRITABLE_AGAIN_AFTER_MS } from "../../../../src/platform/store/write-health";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { startPostgres, type PostgresService } from "../../../helpers/services";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { wallLimit } from "../../../helpers/time-limit";

const dir = createTempDir("steward-pg-full-");
const mnt = join(dir.path, "mnt");
mkdirSync(mnt);
// The server runs as nobody when the tests run as root: it must get through the temp folder to its own.
chmodSync(dir.path, 0o755);

/** Mounts the small file system, or says why it cannot. */
function mountSmallDisk(): string | undefined {
  if (process.platform !== "linux") return "not Linux";
  if (process.getuid?.() !== 0) return "not root (mount -t tmpfs needs it)";
  const r = spawnSync("mount", ["-t", "tmpfs", "-o", "size=64m,mode=1777", "tmpfs", mnt], { encoding: "utf8" });
  return r.status === 0 ? undefined : `mount -t tmpfs failed: ${(r.stderr || r.error?.message || "").trim()}`;
}
const cannot = mountSmallDisk();
if (cannot) console.warn(`postgres-disk-full.test.ts skipped: ${cannot}`);

const filler = join(mnt, "filler");
let pg: PostgresService | undefined;
let t: TestApp | undefined;
/** A second Steward on the same PostgreSQL. */
let other: TestApp | undefined;
/**
 * Both Stewards' clock: the wall's, moved on by the time the store waits after the last refused write before it
 * counts the disk as taking writes again (WRITABLE_AGAIN_AFTER_MS), instead of the test waiting it out.
 */
let skippedMs = 0;
const clock = offsetClock(systemClock, () => skippedMs);
const lines: Array<{ level: number; msg: string; module?: string; failedWrites?: number }> = [];
const log = pino({ level: "info" }, new Writable({ write: (c, _e, cb) => (lines.push(JSON.parse(String(c))), cb()) }));

afterAll(async () => {
  rmSync(filler, { force: true });
  await t?.close();
  await other?.close();
  // stop() ends the server by its PID and removes its folder; then nothing holds the file system.
  await pg?.stop();
  if (!cannot) spawnSync("umount", [mnt]);
  dir.remove();
}, wallLimit(60_000));

/** Fills the file system, a MiB at a time until it refuses more. */
function fill(): void {
  const fd = openSync(filler, "w");
  const chunk = Buffer.alloc(1024 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as { code?: string }).code !== "ENOSPC") throw err;
  } finally {
    closeSync(fd);
  }
}

const json = { "content-type": "application/json" };
const set = (key: string, value: string, on = t!) => on.request("/v4/keyvalues/disk", { method: "POST", headers: json, body: JSON.stringify({ key, value }) });
const get = async (key: string, on = t!) => ((await (await on.request(`/v4/keyvalues/disk?key=${key}`)).json()) as { value?: string }).value;
const sharedStore = async (on: TestApp) => ((await (await on.request("/ready")).json()) as Ready).components["shared-store"]!;
/** Incompressible: PostgreSQL must find new pages for it. */
const big = () => randomBytes(60_000).toString("base64");
type Ready = { components: Record<string, { ok: boolean; detail: string }> };

test.skipIf(cannot !== undefined)(
  "PostgreSQL's disk full: KV writes 503, /ready says so, a log line a minute; space returns: writes and /ready again, nothing acknowledged lost",
  async () => {
    pg = await startPostgres({ own: true, parentDir: mnt });
    const url = await pg.createDatabase("steward_full");
    const yaml = (name: string) => `store:\n  postgres: { url: ${JSON.stringify(url)}, instanceName: ${name}, connectTimeoutMs: 2000 }\n`;
    t = createTestApp(yaml("full"), { log, dir: dir.path, clock });
    await t.app.start();
    other = createTestApp(yaml("other"), { clock });
    await other.app.start();
    const before = big();
    expect((await set("before", before)).status).toBe(201);

    fill();
    const linesBefore = lines.length;
    const statuses = new Map<number, number>();
    const acknowledged: Array<[string, string]> = [];
    let last: Response | undefined;
    // Ten rounds of twenty large writes at once: every one needs pages the disk has no room for.
    for (let round = 0; round < 10; round++) {
      const values = Array.from({ length: 20 }, big);
      const answers = await Promise.all(values.map((v, i) => set(`k${round}-${i}`, v)));
      answers.forEach((a, i) => {
        statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
        if (a.status === 201) acknowledged.push([`k${round}-${i}`, values[i]!]);
      });
      last = answers[0];
    }
    expect([...statuses.keys()].filter((s) => s !== 503 && s !== 201)).toEqual([]);
    expect(statuses.get(503)).toBeGreaterThanOrEqual(190);
    expect(last!.status).toBe(503);
    expect(last!.headers.get("retry-after")).toBe("30");
    expect(await last!.json()).toMatchObject({ code: "STORE_UNAVAILABLE", details: { store: "postgres", reason: "diskFull", outcome: "notApplied" } });

    const ready = await t.request("/ready");
    expect(ready.status).toBe(503);
    const shared = ((await ready.json()) as Ready).components["shared-store"]!;
    expect(shared.ok).toBe(false);
    expect(shared.detail).toMatch(
      /^the disk holding PostgreSQL's data is full \(SQLSTATE 53100 disk_full\): \d+ writes failed in the last minute; free space on the database server and Steward resumes by itself$/,
    );
    expect(Number(/: (\d+) writes failed/.exec(shared.detail)![1])).toBeGreaterThanOrEqual(190);

    // Within a minute: the store's one line about it, and no line per refused write (there were 200 before).
    const said = lines.slice(linesBefore).filter((l) => l.level >= 40);
    const store = said.filter((l) => l.module === "store");
    expect(store.length).toBe(1);
    expect(store[0]!.msg).toMatch(
      /^the disk holding PostgreSQL's data is full \(SQLSTATE 53100 disk_full\): \d+ writes? failed; free space on the database server and Steward resumes by itself/,
    );
    expect(said.length).toBeLessThanOrEqual(10);

    // The other Steward on the same PostgreSQL: its writes are refused too, and its /ready says so.
    const fromOther = await Promise.all(Array.from({ length: 5 }, (_, i) => set(`o${i}`, big(), other)));
    expect(fromOther.map((a) => a.status)).toEqual([503, 503, 503, 503, 503]);
    const otherSays = (await sharedStore(other)).detail;
    expect(otherSays).toMatch(/^the disk holding PostgreSQL's data is full \(SQLSTATE 53100 disk_full\): \d+ writes failed in the last minute/);
    // Its own five, and whatever else of its own it could not write (their audit rows): not the first Steward's 200.
    expect(Number(/: (\d+) writes failed/.exec(otherSays)![1])).toBeWithin(5, 50);

    // Space returns: the next write commits, and /ready is ok again once writes have gone on without a failure a while.
    rmSync(filler);
    const after = big();
    expect((await set("after", after)).status).toBe(201);
    skippedMs += WRITABLE_AGAIN_AFTER_MS;
    await waitFor(
      async () => {
        const answers = await Promise.all([set("after", after), set("after-other", after, other)]);
        if (answers.some((a) => a.status !== 201)) throw new Error(`answered ${answers.map((a) => a.status)}`);
        return (await sharedStore(t!)).ok && (await sharedStore(other!)).ok;
      },
      { what: "/ready's shared-store ok again on both Stewards", timeoutMs: 30_000, intervalMs: 1_000 },
    );
    expect(await t.app.metrics.render()).toMatch(/^steward_shared_store_disk_full_writes_total (\d{3,})$/m);
    expect(lines.some((l) => l.level === 30 && /^the store takes writes again; \d+ writes failed while the disk was full$/.test(l.msg))).toBe(true);

    // Acknowledged before, during (if any slipped into free pages) and after: all there.
    expect(await get("before")).toBe(before);
    expect(await get("after")).toBe(after);
    expect(await get("before", other)).toBe(before);
    expect(await get("after-other", other)).toBe(after);
    expect((await other.request("/v4/keyvalues/disk?key=o0")).status).toBe(404);
    for (const [k, v] of acknowledged) expect(await get(k)).toBe(v);
  },
  120_000,
);
