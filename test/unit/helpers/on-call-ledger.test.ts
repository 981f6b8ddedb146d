// The chaos scenario's judge (test/helpers/on-call-ledger.ts) finds each kind of fault it counts, and nothing in a
// run where every product was told what Steward's incidents say, in order.
import { expect, test } from "bun:test";
import { judgeFollowUps, judgeLedger, type LedgerInput } from "../../helpers/on-call-ledger";

const incidents = new Map<number, { status: "open" | "closed" }>([
  [1, { status: "closed" }],
  [2, { status: "closed" }],
  [3, { status: "open" }],
]);
const base = (steps: LedgerInput["products"][number]["steps"], am: Partial<LedgerInput["alertmanager"]> = {}): LedgerInput => ({
  products: [{ name: "pagerduty", steps }],
  alertmanager: { seen: am.seen ?? new Set(["incident:1"]), active: am.active ?? [] },
  incidents,
  acknowledged: new Set([1]),
  shouldPage: new Set([1]),
});
const good: LedgerInput["products"][number]["steps"] = [
  { action: "trigger", key: "steward-incident-1" },
  { action: "acknowledge", key: "steward-incident-1" },
  { action: "resolve", key: "steward-incident-1" },
  { action: "trigger", key: "steward-incident-3" },
];

test("every product told in order, the open incident's alert open: nothing to report", () => {
  expect(judgeLedger(base(good))).toEqual({ openAfterEnd: [], acknowledgementsLost: [], recoveriesBeforePage: [], pagesWithoutIncident: [], pagesLost: [] });
});

test("each fault is counted where it happened", () => {
  const l = judgeLedger(
    base(
      [
        { action: "acknowledge", key: "steward-incident-1" }, // before its trigger: dropped by the product
        { action: "resolve", key: "steward-incident-2" }, // a recovery where no page went
        { action: "trigger", key: "steward-incident-1" },
        { action: "trigger", key: "steward-task-extract-7" }, // no incident; nothing ends it
      ],
      { seen: new Set(["incident:1", "task-9"]), active: ["incident:1", "task-9"] },
    ),
  );
  expect(l).toEqual({
    openAfterEnd: ["pagerduty steward-incident-1", "pagerduty steward-task-extract-7", "alertmanager incident:1", "alertmanager task-9"],
    acknowledgementsLost: ["pagerduty incident 1"],
    recoveriesBeforePage: ["pagerduty steward-incident-2"],
    pagesWithoutIncident: ["pagerduty steward-task-extract-7", "alertmanager task-9"],
    pagesLost: [],
  });
  expect(judgeLedger(base([])).pagesLost).toEqual(["pagerduty incident 1"]);
});

test("a message channel's recoveries: one before its page, one with no page, a page never followed are each counted", () => {
  const ok = judgeFollowUps(
    {
      name: "hook",
      received: [
        { kind: "task.failed", incident: 1 },
        { kind: "task.recovered", incident: 1 },
        { kind: "task.failed", incident: 3 },
      ],
    },
    incidents,
  );
  expect(ok).toEqual({ recoveriesWithoutPage: [], pagesNotFollowed: [] });
  const bad = judgeFollowUps(
    {
      name: "hook",
      received: [
        { kind: "task.recovered", incident: 1 },
        { kind: "task.failed", incident: 1 },
        { kind: "task.recovered", incident: 3 },
        { kind: "task.failed", incident: 2 },
      ],
    },
    incidents,
  );
  // Incident 1's page came after its recovery: nothing followed it.
  expect(bad).toEqual({ recoveriesWithoutPage: ["hook incident 1", "hook incident 3"], pagesNotFollowed: ["hook incident 1", "hook incident 2"] });
});
