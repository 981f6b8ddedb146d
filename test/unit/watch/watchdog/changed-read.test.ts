// The read of changed execution results in one look (fetchChanged, fetchLookRead) against a fake QRS that counts by
// span: a usual look reads everything after its cursor in one call, also what changed after the look began; a backlog
// is narrowed by counts to at most the limit, never to less than a second past the cursor, and says where the next
// look goes on; a quiet site's look soon after a complete one is one call however far back its cursor is.
import { expect, test } from "bun:test";
import type { QrsClient } from "../../../../src/platform/qlik/qrs-client";
import { fetchChanged, fetchLookRead, unreadSpanMs } from "../../../../src/watch/watchdog/observations";

const T0 = Date.parse("2026-11-23T00:00:00Z");
const MIN = 60_000;

/** A QRS whose results changed once a minute from T0 (modifiedDate = createdDate), read by the filter's span. */
function fakeQrs(changes: number[]) {
  const calls: Array<{ path: string; filter: string }> = [];
  const span = (filter: string) => {
    const gt = /modifiedDate gt '([^']+)'/.exec(filter)?.[1];
    const le = /modifiedDate le '([^']+)'/.exec(filter)?.[1];
    return changes.filter((ms) => ms > Date.parse(gt!) && (le === undefined || ms <= Date.parse(le)));
  };
  const qrs = {
    getJson: async (path: string, _schema: unknown, query?: Record<string, string | undefined>) => {
      calls.push({ path, filter: query?.filter ?? "" });
      const rows = span(query?.filter ?? "");
      return path.endsWith("/count") ? { value: rows.length } : rows.map((ms) => ({ modifiedDate: new Date(ms).toISOString() }));
    },
  } as unknown as QrsClient;
  return { qrs, calls };
}

const minutes = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + (i + 1) * MIN);

test("a usual look: one read, no count, no upper bound (a run that ended after the look began is in it)", async () => {
  const { qrs, calls } = fakeQrs(minutes(T0, 3));
  const read = await fetchChanged(qrs, T0, T0 + 2 * MIN, 500);
  expect(calls.map((c) => c.path)).toEqual(["executionresult/full"]);
  expect(read.rows).toHaveLength(3); // the third changed after nowMs
  expect(read).toMatchObject({ complete: true, untilMs: T0 + 2 * MIN });
});

test("a backlog: counts narrow the span to at most the limit; the read ends there and the next look goes on from it", async () => {
  const { qrs, calls } = fakeQrs(minutes(T0, 600)); // ten hours, one result a minute
  const read = await fetchChanged(qrs, T0, T0 + 600 * MIN, 100);
  expect(read.complete).toBe(false);
  expect(read.rows.length).toBeLessThanOrEqual(100);
  expect(read.rows.length).toBeGreaterThan(40);
  expect(read.untilMs).toBeLessThan(T0 + 600 * MIN);
  expect(calls.filter((c) => c.path === "executionresult/count").length).toBeLessThanOrEqual(8);
  expect(calls.at(-1)!.filter).toContain(`modifiedDate le '${new Date(read.untilMs).toISOString()}'`);
  // Carried on, span after span, every result is read once and the looks end.
  const seen = new Set(read.rows.map((r) => (r as { modifiedDate: string }).modifiedDate));
  let cursor = read.untilMs;
  for (let look = 0; look < 20 && cursor < T0 + 600 * MIN; look++) {
    const next = await fetchChanged(qrs, cursor, T0 + 600 * MIN, 100);
    expect(next.rows.length).toBeLessThanOrEqual(100);
    for (const r of next.rows) seen.add((r as { modifiedDate: string }).modifiedDate);
    cursor = next.untilMs;
  }
  expect(seen.size).toBe(600);
});

test("more than the limit within the shortest span: it is read anyway, so a look always moves on", async () => {
  const burst = Array.from({ length: 300 }, () => T0 + 500);
  const { qrs } = fakeQrs([...burst, ...minutes(T0, 60)]);
  const read = await fetchChanged(qrs, T0, T0 + 60 * MIN, 100, T0 + 1_000);
  expect(read.untilMs).toBe(T0 + 1_000);
  expect(read.rows).toHaveLength(300);
  expect(read.complete).toBe(false);
});

test("a quiet site's look minutes after a complete one: one read, however far back the cursor is; the same rows as counted", async () => {
  // One change an hour ago, nothing since: the cursor stays there, and the last look read everything five minutes ago.
  const changes = [T0 + MIN];
  const now = T0 + 61 * MIN;
  const quiet = fakeQrs(changes);
  const read = await fetchLookRead(quiet.qrs, T0, now, 100, T0 + 1_000, now - 5 * MIN);
  expect(quiet.calls.map((c) => c.path)).toEqual(["executionresult/full"]);
  // Without the last look (a start), or with it longer ago than a usual look's span: counted first, as before.
  const fresh = fakeQrs(changes);
  const counted = await fetchLookRead(fresh.qrs, T0, now, 100, T0 + 1_000);
  expect(fresh.calls.map((c) => c.path)).toEqual(["executionresult/full", "executionresult/count", "executionresult/full"]);
  expect(read.read.rows).toEqual(counted.read.rows);
  expect(read.read).toMatchObject({ complete: true, untilMs: now });
  const old = fakeQrs(changes);
  await fetchLookRead(old.qrs, T0, now, 100, T0 + 1_000, now - 20 * MIN);
  expect(old.calls.map((c) => c.path)).toContain("executionresult/count");
});

test("the span no read has covered: from the last complete read when it is after the cursor and not in the future", () => {
  expect(unreadSpanMs(T0, T0 + 60 * MIN, T0 + 55 * MIN)).toBe(5 * MIN);
  expect(unreadSpanMs(T0, T0 + 60 * MIN)).toBe(60 * MIN);
  expect(unreadSpanMs(T0, T0 + 60 * MIN, T0 - MIN)).toBe(60 * MIN);
  expect(unreadSpanMs(T0, T0 + 60 * MIN, T0 + 61 * MIN)).toBe(60 * MIN);
});
