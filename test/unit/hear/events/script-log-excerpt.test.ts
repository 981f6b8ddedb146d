// The script-log excerpt: logs of every length around the head/tail limits, errors at the start, in the middle
// and at the end (logs from the simulator's generator), kept by the intake (20/40) and shown by a channel (15/25):
// the failure lines are always shown, every line is shown once or counted by a marker, nothing overlaps.
import { describe, expect, test } from "bun:test";
import { scriptLogExcerpt } from "../../../../src/hear/events/enrich-mappers";
import {
  excerptText,
  fitScriptLog,
  isFailureLine,
  logHead,
  logTail,
  showScriptLog,
  splitLogLines,
  type ShownScriptLog,
} from "../../../../src/hear/events/script-log-excerpt";
import { buildScriptLog } from "../../../../src/sim/tasks/script-log";

const SCRIPT =
  "SET ErrorMode=1;\n[orders]:\nLOAD OrderID, Sales\nFROM [lib://Data/orders.qvd] (qvd);\n[customers]:\nSQL SELECT CustomerID, Name FROM dbo.Customers;\n";
const ERROR = "Connector reply error: SQL##f - SqlState: 08001, ErrorCode: 53, ErrorMsg: Could not open a connection to SQL Server [53].";

function log(lines: number, errorLine?: number): string {
  return buildScriptLog({
    script: SCRIPT,
    productVersion: "14.212.7",
    user: "INTERNAL\\sa_scheduler",
    startMs: Date.UTC(2026, 2, 1, 13, 0, 0),
    stopMs: Date.UTC(2026, 2, 1, 13, 1, 0),
    outcome: "fail",
    error: ERROR,
    shape: { lines, errorLine },
  });
}

/** Every line 1..total is either shown once or inside exactly one marker, in order. */
function expectCovers(shown: ShownScriptLog, original: string[]): void {
  let next = 1;
  for (const p of shown.parts) {
    if (p.kind === "line") {
      expect(p.n).toBe(next);
      expect(p.text).toBe(original[p.n - 1]!);
      next++;
    } else {
      expect(p.from).toBe(next);
      expect(p.count).toBe(p.to - p.from + 1);
      expect(p.count).toBeGreaterThan(0);
      next = p.to + 1;
    }
  }
  expect(next - 1).toBe(original.length);
  // Two markers never follow each other: a gap is one marker.
  shown.parts.forEach((p, i) => p.kind === "omitted" && expect(shown.parts[i + 1]?.kind).not.toBe("omitted"));
}

const LENGTHS = [1, 15, 16, 20, 21, 40, 61, 5_000];
const POSITIONS = { start: (n: number) => Math.min(n, 3), middle: (n: number) => Math.ceil(n / 2), end: (n: number) => Math.max(1, n - 2) };

describe("script-log excerpt: intake 20/40, channel 15/25", () => {
  for (const total of LENGTHS) {
    for (const [where, at] of Object.entries(POSITIONS)) {
      test(`${total} lines, error at the ${where}`, () => {
        const text = log(total, at(total));
        const lines = splitLogLines(text);
        expect(lines.length).toBe(total);
        const errorAt = at(total);
        expect(lines[errorAt - 1]).toContain(`Error: ${ERROR}`);

        const kept = scriptLogExcerpt(text, 20, 40, 1024 * 1024);
        // The event: head and tail never overlap, and the failure lines are kept wherever they are.
        expect(kept.head.length + kept.tail.length).toBeLessThanOrEqual(total);
        expect(kept.failureLines).toContain(errorAt);

        const shown = showScriptLog(kept, { head: 15, tail: 25 });
        expectCovers(shown, lines);
        expect(shown.failures.map((f) => f.n)).toContain(errorAt);
        const failed = lines.findIndex((l) => l.endsWith(" Execution Failed")) + 1;
        if (failed > 0) expect(shown.failures.map((f) => f.n)).toContain(failed);
        // Small logs are shown whole; longer ones say how much was left out.
        if (total <= 40) expect(shown.omittedLines).toBe(0);
        const rendered = excerptText(shown);
        expect(rendered).toContain(`Error: ${ERROR}`);
        for (const p of shown.parts) if (p.kind === "omitted") expect(rendered).toContain(`… ${p.count} line${p.count === 1 ? "" : "s"} omitted`);
      });
    }
  }

  test("the issue's case: 21 lines, the error and Execution Failed in lines 19–20 are shown", () => {
    const text = log(21, 19);
    const shown = showScriptLog(scriptLogExcerpt(text, 20, 40, 0), { head: 15, tail: 25 });
    expect(shown.shownLines).toBe(21);
    expect(excerptText(shown).split("\n")).toEqual(splitLogLines(text));
  });

  test("the channel shows fewer lines than the event kept: markers say where", () => {
    const text = log(61, 30);
    const shown = showScriptLog(scriptLogExcerpt(text, 20, 40, 0), { head: 5, tail: 5 });
    expect(shown.parts.map((p) => (p.kind === "line" ? p.n : `…${p.from}-${p.to}`))).toEqual([
      1,
      2,
      3,
      4,
      5,
      "…6-26",
      27,
      28,
      29,
      30,
      31,
      "…32-56",
      57,
      58,
      59,
      60,
      61,
    ]);
    expect(excerptText(shown)).toContain("… 21 lines omitted (lines 6–26) …");
  });

  test("head 0 and tail 0 still show the failure with its context", () => {
    const shown = showScriptLog(scriptLogExcerpt(log(5_000, 2_500), 20, 40, 0), { head: 0, tail: 0 });
    expect(shown.parts.filter((p) => p.kind === "line").map((p) => p.n)).toEqual([2_497, 2_498, 2_499, 2_500, 2_501, 4_996, 4_997, 4_998, 4_999, 5_000]);
    expect(shown.parts[0]).toEqual({ kind: "omitted", from: 1, to: 2_496, count: 2_496, text: "… 2496 lines omitted (lines 1–2496) …" });
  });

  test("a log repeating its error keeps the first and last five, and counts them all", () => {
    const lines = Array.from({ length: 5_000 }, (_, i) =>
      i % 100 === 50 ? `20260301T130000.000+0100       Error: bad row ${i + 1}` : `20260301T130000.000+0100 0007  LOAD x;`,
    );
    const kept = scriptLogExcerpt(lines.join("\r\n"), 20, 40, 0);
    expect(kept.failureCount).toBe(50);
    expect(kept.failureLines).toEqual([51, 151, 251, 351, 451, 4_551, 4_651, 4_751, 4_851, 4_951]);
    const shown = showScriptLog(kept, { head: 15, tail: 25 });
    expect(shown.failures.map((f) => f.n)).toEqual(kept.failureLines!);
    expectCovers(shown, lines);
  });

  test("events stored before failure lines existed: head and tail only, failures found among them", () => {
    const lines = splitLogLines(log(21, 19));
    const old = { head: lines.slice(0, 20), tail: lines.slice(20), totalLines: 21, sizeBytes: 1 };
    const shown = showScriptLog(old, { head: 15, tail: 25 });
    expectCovers(shown, lines);
    expect(shown.failures.map((f) => f.n)).toEqual([19, 20]);
  });

  test("Butler's head and tail: the first and last lines, as far as kept", () => {
    const lines = splitLogLines(log(100, 50));
    const kept = scriptLogExcerpt(lines.join("\r\n"), 20, 40, 0);
    expect(logHead(kept, 15)).toEqual(lines.slice(0, 15));
    expect(logTail(kept, 25)).toEqual(lines.slice(75));
    expect(logTail(kept, 500)).toEqual(lines.slice(60));
    const short = scriptLogExcerpt(lines.slice(0, 21).join("\r\n"), 20, 40, 0);
    expect(logTail(short, 25)).toEqual(lines.slice(0, 21));
  });
});

describe("failure markers", () => {
  test("Qlik's failure lines, with or without stamp; statement echoes and ordinary lines are not", () => {
    for (const l of [
      "20251103T055959.415+0100       Error: Cannot open file: 'lib://Data/orders.qvd'",
      "20251103T055959.420+0100 Execution Failed",
      "Error: Field 'CustomerKey' not found",
      "20251103T055959.415+0100 The following error occurred:",
    ])
      expect(isFailureLine(l)).toBe(true);
    for (const l of [
      "20251103T055959.415+0100 0012  LET vMsg = 'Error: none';",
      "20251103T055959.430+0100 Execution finished.",
      "20251103T055959.430+0100 Errors: 0",
      "",
    ])
      expect(isFailureLine(l)).toBe(false);
  });
});

describe("fitting a message limit", () => {
  test("lines are left out before the failure is; markers still count every line", () => {
    const text = log(5_000, 2_500);
    const lines = splitLogLines(text);
    const shown = showScriptLog(scriptLogExcerpt(text, 20, 40, 0), { head: 15, tail: 25 });
    for (const max of [3_000, 1_000, 400]) {
      const fit = fitScriptLog(shown, { maxChars: max });
      const rendered = excerptText(fit);
      expect(rendered.length).toBeLessThanOrEqual(max);
      expect(rendered).toContain("Error: Connector reply error");
      expectCovers(fit, lines);
    }
  });

  test("huge lines are cut with a note, and the stored lines are bounded", () => {
    const long = "x".repeat(1_000_000);
    const text = [
      `20260301T130000.000+0100 0001  LOAD ${long}`,
      `20260301T130000.000+0100       Error: ${long}`,
      "20260301T130000.000+0100 Execution finished.",
    ].join("\r\n");
    const kept = scriptLogExcerpt(text, 20, 40, 0);
    expect(kept.failureLines).toEqual([2]);
    for (const l of [...kept.head, ...kept.tail]) expect(l.length).toBeLessThanOrEqual(2_000);
    expect(kept.head[0]).toMatch(/ … \[\+\d+ characters\]$/);
    const fit = fitScriptLog(showScriptLog(kept, { head: 15, tail: 25 }), { maxChars: 600, maxLineChars: 300 });
    expect(excerptText(fit).length).toBeLessThanOrEqual(600);
    expect(excerptText(fit)).toContain("Error: xxx");
  });

  test("a measure that counts escaping", () => {
    const lines = Array.from({ length: 61 }, (_, i) => (i === 30 ? "      Error: a <b> & c" : `0001  LOAD <&> ${i + 1};`));
    const shown = showScriptLog(scriptLogExcerpt(lines.join("\n"), 20, 40, 0), { head: 15, tail: 25 });
    const escaped = (s: string) => s.replace(/&/g, "&amp;").replace(/[<>]/g, "&lt;");
    const fit = fitScriptLog(shown, { maxChars: 500, measure: (s) => escaped(s).length });
    expect(escaped(excerptText(fit)).length).toBeLessThanOrEqual(500);
    expect(excerptText(fit)).toContain("Error: a <b> & c");
  });
});

describe("fitting a log without failure lines", () => {
  test("the middle goes first; the first two and the last three lines stay longest", () => {
    const lines = Array.from({ length: 61 }, (_, i) => `0001  LOAD field${i + 1} FROM [lib://Data/t.qvd] (qvd);`);
    const shown = showScriptLog(scriptLogExcerpt(lines.join("\n"), 20, 40, 0), { head: 15, tail: 25 });
    expect(shown.failures).toEqual([]);
    const fit = fitScriptLog(shown, { maxChars: 400 });
    const kept = fit.parts.filter((p) => p.kind === "line").map((p) => p.n);
    expect(kept.slice(0, 2)).toEqual([1, 2]);
    expect(kept.slice(-3)).toEqual([59, 60, 61]);
    expect(excerptText(fit).length).toBeLessThanOrEqual(400);
    expectCovers(fit, lines);
  });
});
