// Measures the built-in error-class table on real Qlik error lines (test/fixtures/error-corpus/): precision (of the
// lines given a class, how many got the right one) and recall (of the lines that have a class, how many got it),
// per class and overall. A wrong class is worse than `unknown`, so precision must stay at 1.
import { cpuMsOf } from "../../../helpers/cpu-cost";
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ERROR_CLASSES, type ErrorClass } from "../../../../src/platform/events/run-context";
import { createClassifier } from "../../../../src/tell/incidents/classify";
import { blankQuoted } from "../../../../src/tell/incidents/error-rules";

interface CorpusLine {
  class: ErrorClass;
  line: string;
  source: string;
  kind: string;
  product: string;
  note?: string;
}

const corpus = (JSON.parse(readFileSync(join(import.meta.dir, "../../../fixtures/error-corpus/qlik-error-lines.json"), "utf8")) as { lines: CorpusLine[] })
  .lines;
const classifier = createClassifier();
const results = corpus.map((c) => ({ ...c, got: (classifier.classifyLine(c.line) ?? "unknown") as ErrorClass }));

interface Score {
  tp: number;
  fp: number;
  fn: number;
}
const ratio = (a: number, b: number) => (b === 0 ? 1 : a / b);

function score(): { perClass: Map<ErrorClass, Score>; total: Score } {
  const perClass = new Map<ErrorClass, Score>(ERROR_CLASSES.filter((c) => c !== "unknown").map((c) => [c, { tp: 0, fp: 0, fn: 0 }]));
  const total = { tp: 0, fp: 0, fn: 0 };
  for (const r of results) {
    if (r.got !== "unknown") {
      const s = perClass.get(r.got)!;
      if (r.got === r.class) s.tp++, total.tp++;
      else s.fp++, total.fp++;
    }
    if (r.class !== "unknown" && r.got !== r.class) perClass.get(r.class)!.fn++, total.fn++;
  }
  return { perClass, total };
}

describe("error classes on real Qlik error lines", () => {
  test("the corpus: at least 40 lines, each with a source, every class with a real example", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(40);
    for (const c of corpus) {
      expect(c.source).toMatch(/^https:\/\//);
      expect(c.line.length).toBeGreaterThan(0);
      expect(ERROR_CLASSES).toContain(c.class);
    }
    // `queue` is read from the run's shape in QRS (cancelled while waiting, never started), never from a line:
    // test/unit/tell/incidents/queue-cancel.test.ts.
    for (const cls of ERROR_CLASSES) if (cls !== "queue") expect(corpus.some((c) => c.class === cls)).toBe(true);
  });

  test("precision and recall", () => {
    const { perClass, total } = score();
    const rows = [...perClass].map(([cls, s]) => {
      const n = corpus.filter((c) => c.class === cls).length;
      return `${cls.padEnd(11)} ${String(n).padStart(3)}  precision ${ratio(s.tp, s.tp + s.fp).toFixed(2)}  recall ${ratio(s.tp, s.tp + s.fn).toFixed(2)}`;
    });
    const precision = ratio(total.tp, total.tp + total.fp);
    const recall = ratio(total.tp, total.tp + total.fn);
    const unknownKept = results.filter((r) => r.class === "unknown" && r.got === "unknown").length;
    console.log(
      [
        `error-class corpus: ${corpus.length} lines`,
        ...rows,
        `${"unknown".padEnd(11)} ${String(corpus.filter((c) => c.class === "unknown").length).padStart(3)}  left unknown ${unknownKept}`,
        `overall     precision ${precision.toFixed(2)} (${total.tp}/${total.tp + total.fp})  recall ${recall.toFixed(2)} (${total.tp}/${total.tp + total.fn})`,
        ...results.filter((r) => r.got !== r.class).map((r) => `  ${r.class} → ${r.got}: ${r.line.slice(0, 100)}`),
      ].join("\n"),
    );
    // No line gets a wrong class: a miss is left `unknown`.
    expect(results.filter((r) => r.got !== "unknown" && r.got !== r.class)).toEqual([]);
    expect(precision).toBe(1);
    expect(recall).toBeGreaterThanOrEqual(0.95);
  });
});

describe("what the rules look at", () => {
  test("a quoted path or name never decides the class", () => {
    expect(classifier.classifyLine("Cannot open file: 'lib://Section Access/403 forbidden.qvd'")).toBe("file");
    expect(classifier.classifyLine("Field 'OutOfMemoryCount' not found")).toBe("script");
    expect(classifier.classifyLine("Table 'Login failed for user' not found")).toBe("script");
    // Outside quotes the words still count.
    expect(
      classifier.classifyLine("Cannot open file: 'lib://Data/x.qvd' The process cannot access the file because it is being used by another process."),
    ).toBe("lock");
  });

  test("quotes are blanked, apostrophes are not", () => {
    expect(blankQuoted("Field 'a b' not found")).toBe("Field '' not found");
    expect(blankQuoted(`No qualified path for file: "\\x.qvs"`)).toBe(`No qualified path for file: ""`);
    expect(blankQuoted("can't connect to 'db1', it's down")).toBe("can't connect to '', it's down");
  });

  test("the administrator's rules come first and see the line as it is", () => {
    const own = createClassifier([{ class: "connection", pattern: /lib:\/\/SAP/i }]);
    expect(own.classifyLine("Cannot open file: 'lib://SAP/orders.qvd'")).toBe("connection");
    expect(own.classifyLine("Cannot open file: 'lib://Data/orders.qvd'")).toBe("file");
  });

  test("a long line costs no more than its first 1 000 characters", () => {
    const line = `Unknown statement: ${"'x', ".repeat(50_000)}`;
    const { value, cpuMs } = cpuMsOf(() => classifier.classifyLine(line));
    expect(value).toBe("script");
    expect(cpuMs).toBeLessThan(1_000);
  });
});
