// The intended differences from Butler 16.0.4, step by step: what Steward answers instead. The table
// "Differences from Butler" in docs/switching-from-butler.md documents each row (one line each); a test checks both list the same steps.
import { butlerErrorShape, missingFrom, type Answer, type CorpusStep } from "./corpus";

export interface Difference {
  corpus: "rest" | "task-start" | "subs";
  steps: number[];
  /** Steward's status for these steps. */
  status: number;
  /** Further checks of Steward's answer against Butler's; returns the problems found. */
  check?: (got: Answer, butler: CorpusStep["butler"]) => string[];
}

const errorShape = (got: Answer) => butlerErrorShape(got);
type Schedule = { name: string };
/** The schedules Steward refused in rest 99–101 (invalid cron, time zone, task id) are not in its lists. */
const REFUSED_SCHEDULES = new Set(["bad", "badtz", "badtask"]);

export const DIFFERENCES: Difference[] = [
  {
    corpus: "rest",
    steps: [1],
    status: 200,
    check: (got, butler) => {
      const have = new Set(got.json as string[]);
      return (butler.json as string[]).filter((flag) => !have.has(flag)).map((flag) => `missing endpoint flag ${flag}`);
    },
  },
  { corpus: "rest", steps: [7], status: 200, check: (got) => missingFrom({ response: "Butler reporting for duty" }, got.json) },
  { corpus: "rest", steps: [26, 28, 30, 33, 36, 38, 42, 43, 45, 57, 58, 75, 82, 106, 109, 110, 117], status: 404, check: errorShape },
  {
    corpus: "rest",
    steps: [35, 40],
    status: 200,
    check: (got, butler) => {
      const want = butler.json as { namespace: string; keys: Array<{ key: string }> };
      const keys = [...want.keys.map((k) => k.key), "k5"].sort().map((key) => ({ key }));
      return missingFrom({ namespace: want.namespace, keys }, got.json);
    },
  },
  { corpus: "rest", steps: [67], status: 404, check: errorShape },
  { corpus: "rest", steps: [68], status: 403, check: errorShape },
  { corpus: "rest", steps: [71, 72], status: 400, check: errorShape },
  { corpus: "rest", steps: [76], status: 409, check: errorShape },
  { corpus: "rest", steps: [86, 90], status: 403, check: errorShape },
  { corpus: "rest", steps: [99, 100, 101], status: 400, check: errorShape },
  {
    corpus: "rest",
    steps: [104, 112, 113, 119],
    status: 200,
    check: (got, butler) =>
      missingFrom(
        (butler.json as Schedule[]).filter((s) => !REFUSED_SCHEDULES.has(s.name)),
        got.json,
      ),
  },
  {
    corpus: "rest",
    steps: [114],
    status: 200,
    check: (got) => (/ Running/.test(got.text) && !/=>/.test(got.text) ? [] : [`expected a "… Running" line per schedule: ${got.text.slice(0, 200)}`]),
  },
  { corpus: "rest", steps: [115], status: 200, check: (got) => missingFrom({ name: "renamed" }, got.json) },
  {
    corpus: "task-start",
    steps: [2, 3],
    status: 200,
    check: (got) => missingFrom({ tasksId: { started: [{ taskId: "7552d9fc-d1bb-4975-9a38-18357de531ea" }] } }, got.json),
  },
  {
    corpus: "task-start",
    steps: [22, 23, 24],
    status: 200,
    check: (got) => missingFrom({ tasksId: { started: [{ taskId: "dd2376bc-72b6-5ec7-afd7-1f95e001ce11" }] } }, got.json),
  },
  // Butler's load-script subs (subs.json): the same differences as in rest.json, met through the subs.
  {
    corpus: "subs",
    steps: [0],
    status: 200,
    check: (got, butler) => {
      const have = new Set(got.json as string[]);
      return (butler.json as string[]).filter((flag) => !have.has(flag)).map((flag) => `missing endpoint flag ${flag}`);
    },
  },
  { corpus: "subs", steps: [11, 13, 15], status: 404, check: errorShape },
  { corpus: "subs", steps: [20], status: 404, check: errorShape },
];

export function differenceFor(corpus: Difference["corpus"], step: number): Difference | undefined {
  return DIFFERENCES.find((d) => d.corpus === corpus && d.steps.includes(step));
}
