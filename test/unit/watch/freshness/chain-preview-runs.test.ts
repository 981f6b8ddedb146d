// What a preview's runs do to a chain's projection (issue 105): a re-run of a chain the queue cancelled starts when its
// node has an engine free (the reloads running there end at their start plus their usual duration) and its runs follow
// one another, so the app is expected fresh at a time the preview can tell; when a duration is not known, only the
// earliest is known and no fresh time is told.
import { expect, test } from "bun:test";
import { breachCertain } from "../../../../src/watch/freshness/at-risk";
import { chainEta } from "../../../../src/watch/freshness/chain-eta";
import { engineFreeAt } from "../../../../src/watch/freshness/engine-free";
import type { TaskView } from "../../../../src/watch/watchdog/evaluate";

const at = (hhmm: string) => Date.parse(`2026-03-03T${hhmm}:00Z`);
const MIN = 60_000;
const usual = (m: number) => ({
  medianMs: m * MIN,
  madMs: 0,
  samples: 10,
  p90Ms: m * MIN,
  p95Ms: m * MIN,
  longestMs: m * MIN,
  logSpread: 0,
  limitMs: 2 * m * MIN,
  basis: "2 × the median",
  basisKind: "double" as const,
  learning: false,
});
const CYCLE = at("00:00");
const DEADLINE = at("07:00");
const NOW = at("02:25");
const CANCELLED = { lastRunMs: at("02:20"), lastStatus: 8 };

// Two admin reloads hold Reload01's two engines since 01:50 (100 and 130 min); Extract orders and Load Sales (5 min
// each, Load Sales after Extract) were cancelled by the queue at 02:20.
function site(over: Partial<Record<"admin1" | "extract" | "sales", Partial<TaskView>>> = {}): TaskView[] {
  return [
    { id: "admin1", name: "Admin long 1", appId: "a1", watched: true, runningSinceMs: at("01:50"), usual: usual(100), ...over.admin1 },
    { id: "admin2", name: "Admin long 2", appId: "a2", watched: true, runningSinceMs: at("01:50"), usual: usual(130) },
    {
      id: "extract",
      name: "Extract orders",
      appId: "e",
      watched: true,
      nextExpectedMs: at("02:00") + 86_400_000,
      usual: usual(5),
      ...CANCELLED,
      ...over.extract,
    },
    {
      id: "sales",
      name: "Load Sales",
      appId: "sales-app",
      watched: true,
      nextExpectedMs: at("02:00") + 86_400_000,
      usual: usual(5),
      after: [{ upstreamIds: ["extract"], onSuccess: true }],
      ...CANCELLED,
      ...over.sales,
    },
  ];
}
const ENGINES = {
  max: 2,
  running: [
    { taskId: "ADMIN1", sinceMs: at("01:50") },
    { taskId: "admin2", sinceMs: at("01:50") },
  ],
  queued: [],
};
const rerun = [
  { taskId: "extract", dueMs: NOW, engines: ENGINES },
  { taskId: "sales", dueMs: NOW, afterTaskIds: ["extract"] },
];

test("an engine frees when the first reload running there ends; runs already queued take the first ones", () => {
  const minutes: Record<string, number> = { admin1: 100, admin2: 130, extract: 5 };
  const usualMs = (id: string) => (minutes[id.toLowerCase()] === undefined ? undefined : minutes[id.toLowerCase()]! * MIN);
  expect(engineFreeAt(ENGINES, usualMs, NOW)).toBe(at("03:30"));
  expect(engineFreeAt({ ...ENGINES, queued: ["extract"] }, usualMs, NOW)).toBe(at("03:35"));
  expect(engineFreeAt({ max: 3, running: ENGINES.running, queued: [] }, usualMs, NOW)).toBe(NOW);
  // The limit lowered under three running reloads: two must end before one is free.
  expect(engineFreeAt({ max: 2, running: [...ENGINES.running, { taskId: "extract", sinceMs: at("02:20") }], queued: [] }, usualMs, NOW)).toBe(at("03:30"));
  expect(engineFreeAt({ ...ENGINES, running: [{ taskId: "unknown", sinceMs: at("01:50") }] }, usualMs, NOW)).toBeUndefined();
});

test("a re-run into a full node: Extract at 03:30 when an engine frees, Load Sales after it, the app fresh at 03:40", () => {
  const eta = chainEta("sales-app", site(), CYCLE, NOW, NOW, { deadlineMs: DEADLINE, pending: rerun })!;
  expect(eta.expectedMs).toBe(at("03:40"));
  expect(eta.via).toEqual(["Extract orders", "Load Sales"]);
  expect(breachCertain({ deadlineMs: DEADLINE, upstream: [] }, eta, NOW)).toBeUndefined();
  // Without the re-run the chain stays stopped at the cancelled run: no time.
  expect(chainEta("sales-app", site(), CYCLE, NOW, NOW, { deadlineMs: DEADLINE })!.expectedMs).toBeUndefined();
  // A free engine now: 02:25 + 5 + 5.
  const free = [{ ...rerun[0]!, engines: { ...ENGINES, max: 3 } }, rerun[1]!];
  expect(chainEta("sales-app", site(), CYCLE, NOW, NOW, { deadlineMs: DEADLINE, pending: free })!.expectedMs).toBe(at("02:35"));
});

test("a duration not known (a running reload's, or a run's own): only the earliest, no fresh time, and no breach certain", () => {
  const noAdminUsual = chainEta("sales-app", site({ admin1: { usual: undefined } }), CYCLE, NOW, NOW, { deadlineMs: DEADLINE, pending: rerun })!;
  expect(noAdminUsual.expectedMs).toBeUndefined();
  expect(noAdminUsual.earliestMs).toBe(at("02:35"));
  expect(breachCertain({ deadlineMs: DEADLINE, upstream: [] }, noAdminUsual, NOW)).toBeUndefined();
  const noOwnUsual = chainEta("sales-app", site({ extract: { usual: undefined } }), CYCLE, NOW, NOW, { deadlineMs: DEADLINE, pending: rerun })!;
  expect(noOwnUsual.expectedMs).toBeUndefined();
  expect(noOwnUsual.pending?.map((p) => p.task)).toEqual(["Load Sales", "Extract orders"]);
});

test("a chain started again from a task that succeeded this cycle: what follows waits for the new run, not the old one", () => {
  const ran = site({ extract: { lastRunMs: at("01:05"), lastStatus: 7 } });
  const restart = [
    { taskId: "extract", dueMs: NOW, engines: ENGINES },
    { taskId: "sales", dueMs: NOW, afterTaskIds: ["extract"] },
  ];
  expect(chainEta("sales-app", ran, CYCLE, NOW, NOW, { deadlineMs: DEADLINE, pending: restart })!.expectedMs).toBe(at("03:40"));
});
