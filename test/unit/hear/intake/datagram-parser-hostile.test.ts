// The parser against hostile datagrams (issue 13): its work grows linearly with the datagram (one 64 KB datagram
// of `;` used to stall the process for seconds), and the linear name realignment picks the same split as the
// straightforward one it replaced. Speed itself is measured by scripts/bench-parse.ts, not here.
import { describe, expect, test } from "bun:test";
import { parseDatagram } from "../../../../src/hear/intake/datagram-parser";
import { byteLength, hostileDatagrams } from "../../../fixtures/hostile-datagrams";

/**
 * Counts the characters the parser makes the string and array builtins handle (strings built by slice, join and
 * split, strings searched by includes and indexOf, char codes read). A parser that re-joins or re-searches its
 * fields per candidate split handles quadratically many.
 */
function countBuiltinWork(fn: () => void): number {
  let work = 0;
  type Method = (this: unknown, ...args: unknown[]) => unknown;
  const size = (v: unknown) => (typeof v === "string" || Array.isArray(v) ? v.length : 1);
  // [prototype, method, counts the receiver (searches) or the result (built strings and arrays)]
  const patched: Array<[object, string, "receiver" | "result"]> = [
    [String.prototype, "slice", "result"],
    [String.prototype, "includes", "receiver"],
    [String.prototype, "indexOf", "receiver"],
    [String.prototype, "split", "receiver"],
    [String.prototype, "charCodeAt", "result"],
    [Array.prototype, "join", "result"],
    [Array.prototype, "slice", "result"],
  ];
  const saved = patched.map(([proto, name]) => (proto as Record<string, Method>)[name]!);
  patched.forEach(([proto, name, what], i) => {
    const original = saved[i]!;
    (proto as Record<string, Method>)[name] = function (this: unknown, ...args: unknown[]) {
      const r = original.apply(this, args);
      work += size(what === "receiver" ? this : r);
      return r;
    };
  });
  try {
    fn();
  } finally {
    patched.forEach(([proto, name], i) => void ((proto as Record<string, Method>)[name] = saved[i]!));
  }
  return work;
}

describe("hostile datagrams", () => {
  test("the parser's work is linear in the datagram size for every pathological shape", () => {
    const over: string[] = [];
    for (const [name, d] of Object.entries(hostileDatagrams())) {
      const bytes = byteLength(d);
      expect(bytes).toBeLessThanOrEqual(65_535);
      let result: ReturnType<typeof parseDatagram> | undefined;
      const work = countBuiltinWork(() => void (result = parseDatagram(d)));
      expect(result).toBeDefined();
      if (!result!.ok) expect(result!.reason).not.toBe("internal_error");
      // Generous: a few passes over the text are fine; one pass per field is not (65,000 fields × 64 KB).
      if (work > 16 * bytes) over.push(`${name}: ${work} characters handled for ${bytes} bytes`);
    }
    expect(over).toEqual([]);
  }, 60_000);

  test("name realignment is the first split whose app name (with a ;) occurs in the task name", () => {
    // The rule as it was written before it was made linear, kept here as the reference.
    const reference = (segments: string[]) => {
      for (let k = 1; k < segments.length; k++) {
        const taskName = segments.slice(0, k).join(";");
        const appName = segments.slice(k).join(";");
        if (appName.includes(";") && appName.trim() !== "" && taskName.includes(appName)) return [taskName, appName];
      }
      return [segments.slice(0, -1).join(";"), segments[segments.length - 1]!];
    };
    const T = "7552d9fc-d1bb-4975-9a38-18357de531ea";
    const A = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11";
    const E = "e4f1c2a9-3b7d-4c55-8e21-9a0b6c3d2f10";
    let seed = 7;
    const rand = (n: number) => (seed = (seed * 1_103_515_245 + 12_345) >>> 0) % n;
    const alphabet = ["a", "b", " ", "ab", "Sales", "EU"];
    for (let i = 0; i < 20_000; i++) {
      const segments = Array.from({ length: 3 + rand(8) }, () => Array.from({ length: rand(4) }, () => alphabet[rand(alphabet.length)]).join(""));
      // An empty last segment is the no-app case when the AppId is empty; keep the app id so every case realigns.
      const r = parseDatagram(`/scheduler-task-failed/;h;${segments.join(";")};D\\u;${T};${A};ts;INFO;${E};m`);
      if (!r.ok || r.message.kind !== "scheduler") throw new Error(`rejected: ${JSON.stringify(segments)}`);
      const [taskName, appName] = reference(segments);
      const want = [taskName, appName === "(null)" ? "" : appName];
      if (JSON.stringify([r.message.taskName, r.message.appName]) !== JSON.stringify(want)) {
        throw new Error(`${JSON.stringify(segments)}: got ${JSON.stringify([r.message.taskName, r.message.appName])}, want ${JSON.stringify(want)}`);
      }
    }
  });

  test("more name segments than any real name has: the last one is the app name, flagged ambiguous", () => {
    const T = "7552d9fc-d1bb-4975-9a38-18357de531ea";
    const A = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11";
    const E = "e4f1c2a9-3b7d-4c55-8e21-9a0b6c3d2f10";
    const r = parseDatagram(`/scheduler-task-failed/;h;${"x;".repeat(100)}App;D\\u;${T};${A};ts;INFO;${E};m`);
    expect(r).toMatchObject({ ok: true, message: { taskName: "x;".repeat(100).slice(0, -1), appName: "App", namesAmbiguous: true, user: "D\\u" } });
  });
});
