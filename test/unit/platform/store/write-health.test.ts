// What the store says about a full disk, on a manual clock: /ready's count covers the last minute only; the log
// gets the first failure and then a line a minute; a read-only commit, or one right after a failure, does not end it
// (small writes can fit while large ones fail, and /ready should not flap); a write committed 10 s after the last
// failure does. Other errors are not counted.
import { expect, test } from "bun:test";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createWriteHealth, WRITABLE_AGAIN_AFTER_MS } from "../../../../src/platform/store/write-health";

const full = Object.assign(new Error("database or disk is full"), { code: "ERR_SQLITE_ERROR", errcode: 13 });

test("a minute's count on /ready, a line a minute in the log, writable again only after a quiet while with a write", async () => {
  const clock = createManualClock(Date.parse("2026-11-26T09:00:00Z"));
  const said: string[] = [];
  let changes = 100;
  const health = createWriteHealth({
    file: "/data/steward.db",
    clock,
    log: { error: (_f, msg) => void said.push(msg), info: (_f, msg) => void said.push(msg) },
    changes: () => changes,
  });
  expect(health.status()).toEqual({ ok: true, detail: "/data/steward.db" });
  expect(health.failed(Object.assign(new Error("UNIQUE constraint failed"), { errcode: 19 }))).toBe(false);
  expect(health.full).toBe(false);

  for (let s = 0; s < 90; s++) {
    expect(health.failed(full, 2)).toBe(true);
    await clock.advance(1_000);
  }
  // 90 seconds of failures, the clock a second past the last: the 59 seconds of them within the last minute on
  // /ready, 180 in all on /metrics; in the log the first failure and a line a minute later.
  expect(health.status()).toEqual({
    ok: false,
    detail: "the disk holding /data/steward.db is full (SQLITE_FULL / ENOSPC): 118 writes failed in the last minute; free space and Steward resumes by itself",
  });
  expect(health.diskFullWrites).toBe(180);
  expect(said).toEqual([
    "the disk holding /data/steward.db is full: 2 writes failed; free space and Steward resumes by itself (next line in a minute if it goes on)",
    "the disk holding /data/steward.db is full: 120 writes failed since the last line; free space and Steward resumes by itself (next line in a minute if it goes on)",
  ]);

  // A commit that wrote nothing, then one that wrote right after a failure: still full.
  health.committed();
  changes++;
  health.committed();
  expect(health.status().ok).toBe(false);
  // Ten seconds without a failure, and a write: writable again, said once.
  await clock.advance(WRITABLE_AGAIN_AFTER_MS);
  expect(health.status().ok).toBe(true);
  expect(said.at(-1)).toBe("the store takes writes again; 180 writes failed while the disk was full");

  // A new episode is said at once again.
  health.failed(full);
  expect(health.status().ok).toBe(false);
  expect(said.at(-1)).toMatch(/^the disk holding \/data\/steward\.db is full: 1 write failed;/);
});
