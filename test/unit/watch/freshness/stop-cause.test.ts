// The cause that stops a promised chain (issue 76): which tasks the grouping is asked about (where the chain stopped,
// else the path to the app when it runs past the deadline, never for a chain on time), once per judgement, and how the
// deadline's reason names it, open and ended. The lookup itself runs against the real cause tables in
// test/integration/tell/grouping/task-holder.test.ts; here it is the function the composition root hands in.
import { expect, test } from "bun:test";
import { breachCertain } from "../../../../src/watch/freshness/at-risk";
import type { ChainEta } from "../../../../src/watch/freshness/chain-eta";
import { causeForUsers, createStopCauses, type TaskHolderAnswer } from "../../../../src/watch/freshness/stop-cause";

const at = (s: string) => Date.parse(s);
const NOW = at("2026-11-19T04:40:00Z");
const DEADLINE = at("2026-11-19T06:00:00Z");
const finding = { app: { appId: "sales" }, cycleStartMs: at("2026-11-18T06:00:00Z"), deadlineMs: DEADLINE };
const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
const node = (closedAt: number | null): TaskHolderAnswer => ({
  id: 3,
  causeKey: "node:reload01",
  title: "Qlik services down on reload01",
  openedAt: at("2026-11-19T04:20:30Z"),
  closedAt,
  taskId: "transform",
});
const stopped: ChainEta = {
  via: [],
  viaIds: [],
  problems: [{ task: "Transform orders", taskId: "Transform", state: "stopped", atMs: at("2026-11-19T04:30:00Z"), after: "Extract orders" }],
};

test("a stopped chain: the grouping is asked once about the task where it stopped, and the reason names the open cause", async () => {
  const asked: Array<[readonly string[], number]> = [];
  const stops = createStopCauses(
    () => stopped,
    async (ids, since) => (asked.push([ids, since]), node(null)),
    hhmm,
    NOW,
  );
  expect(stops.etaOf(finding)?.cause).toBeUndefined();
  expect(await stops.resolve()).toBe(true);
  expect(await stops.resolve()).toBe(false);
  expect(asked).toEqual([[["transform"], finding.cycleStartMs]]);
  const eta = stops.etaOf(finding)!;
  expect(eta.cause).toMatchObject({ id: 3, kind: "node", task: "Transform orders", text: "cause #3 (Qlik services down on reload01, since 04:20)" });
  const input = { deadlineMs: DEADLINE, upstream: [] };
  expect(breachCertain(input, eta, NOW)).toBe(
    'cause #3 (Qlik services down on reload01, since 04:20) holds "Transform orders" in its chain: the deadline cannot be met until that cause is fixed and "Transform orders" runs again',
  );
  // Without a cause found, the reason is the chain's own.
  expect(breachCertain(input, stopped, NOW)).toContain('"Transform orders" in its chain did not start when "Extract orders" ended');
  expect(causeForUsers(eta.cause!)).toBe(
    "a Qlik server its loads run on is down (a known outage, #3, that the administrators are on): a load it depends on has to run again",
  );
  // A failed load that is its own cause: the users' words for a failure say it (projection.ts), no outage number.
  expect(causeForUsers({ ...eta.cause!, kind: "upstream" })).toBeUndefined();
});

test("an ended cause: what it stopped, and that the task has to run again", async () => {
  const stops = createStopCauses(
    () => stopped,
    async () => node(at("2026-11-19T05:10:30Z")),
    hhmm,
    NOW,
  );
  stops.etaOf(finding);
  await stops.resolve();
  const eta = stops.etaOf(finding)!;
  expect(breachCertain({ deadlineMs: DEADLINE, upstream: [] }, eta, NOW)).toBe(
    'cause #3 (Qlik services down on reload01, 04:20 to 05:10) stopped "Transform orders" in its chain: the deadline cannot be met until "Transform orders" runs again',
  );
});

test("a chain past its deadline asks about its path, head first; a chain on time asks nothing", async () => {
  const late: ChainEta = {
    expectedMs: at("2026-11-20T05:10:00Z"),
    via: ["Extract orders", "Transform orders"],
    viaIds: ["Extract", "Transform"],
    problems: [],
  };
  const asked: string[][] = [];
  const lateStops = createStopCauses(
    () => late,
    async (ids) => (asked.push([...ids]), { ...node(null), taskId: "extract" }),
    hhmm,
    NOW,
  );
  lateStops.etaOf(finding);
  await lateStops.resolve();
  expect(asked).toEqual([["extract", "transform"]]);
  expect(breachCertain({ deadlineMs: DEADLINE, upstream: [] }, lateStops.etaOf(finding), NOW)).toBe(
    'its chain runs late: cause #3 (Qlik services down on reload01, since 04:20) holds "Extract orders" in its chain: the deadline cannot be met until that cause is fixed and "Extract orders" runs again',
  );
  const onTime = createStopCauses(
    () => ({ ...late, expectedMs: at("2026-11-19T05:10:00Z") }),
    async () => (asked.push(["?"]), node(null)),
    hhmm,
    NOW,
  );
  onTime.etaOf(finding);
  expect(await onTime.resolve()).toBe(false);
  expect(asked).toHaveLength(1);
});
