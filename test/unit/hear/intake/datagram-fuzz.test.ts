// Property/fuzz test of the datagram parser: ≥100,000 random, valid and mutated datagrams, including the
// pathological 64 KB shapes of test/fixtures/hostile-datagrams.ts. Nothing throws, every rejection has a known
// reason, and every generated valid datagram parses back to what was serialised.
// Seeded (FUZZ_SEED=n to replay a failure).
import { expect, test } from "bun:test";
import { parseDatagram, sniffSchedulerOutcome } from "../../../../src/hear/intake/datagram-parser";
import { REJECT_REASONS, type SchedulerMessage } from "../../../../src/hear/intake/datagram-types";
import { hostileDatagrams, MAX_DATAGRAM } from "../../../fixtures/hostile-datagrams";

const SEED = Number(process.env.FUZZ_SEED ?? 20251103);

function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  return { next, int, pick };
}
type Rng = ReturnType<typeof rng>;

const PREFIXES: Array<[string, SchedulerMessage["outcome"]]> = [
  ["/scheduler-task-failed/", "failed"],
  ["/scheduler-reload-failed/", "failed"],
  ["/scheduler-reloadtask-failed/", "failed"],
  ["/scheduler-task-aborted/", "aborted"],
  ["/scheduler-reload-aborted/", "aborted"],
  ["/scheduler-task-success//", "succeeded"],
  ["/scheduler-task-success/", "succeeded"],
  ["/scheduler-reloadtask-success/", "succeeded"],
  ["/scheduler-distribute/", "distribute"],
];
const NAME_CHARS = [..."abcdefghijklmnopqrstuvwxyz ABCXYZ0123456789-_.,()[]&'\"#%+/\\:!?", "å", "ä", "ö", "Ø", "é", "ß", "–", "日", "本", "语", "🙂", "Ж", "ı"];
const MSG_CHARS = [...NAME_CHARS, ";", ";", "=", "{", "}"];

function randCase(r: Rng, s: string) {
  return [...s].map((c) => (r.next() < 0.5 ? c.toUpperCase() : c)).join("");
}
function guid(r: Rng) {
  const hex = () => "0123456789abcdef"[r.int(16)];
  const g = [8, 4, 4, 4, 12].map((n) => Array.from({ length: n }, hex).join("")).join("-");
  return r.next() < 0.2 ? g.toUpperCase() : g;
}
function text(r: Rng, chars: readonly string[], min: number, max: number) {
  return Array.from({ length: min + r.int(max - min + 1) }, () => r.pick(chars)).join("");
}

interface Valid {
  fields: {
    prefix: string;
    host: string;
    taskName: string;
    appName: string;
    user: string;
    taskId: string;
    appId: string;
    ts: string;
    level: string;
    executionId: string;
    message: string;
  };
  outcome: SchedulerMessage["outcome"];
  /** Which names may contain `;`: none, task only, app inside task (the realignment heuristic's contract). */
  family: "plain" | "semicolonTask" | "semicolonAppInTask" | "nonApp";
}

function genValid(r: Rng): Valid {
  const [prefix, outcome] = r.pick(PREFIXES);
  const family = r.pick(["plain", "semicolonTask", "semicolonAppInTask", "nonApp"] as const);
  const nameNoSemi = () => text(r, NAME_CHARS, 1, 40);
  let taskName = nameNoSemi();
  let appName = nameNoSemi();
  let appId = guid(r);
  if (family === "semicolonTask") taskName = `${nameNoSemi()};${nameNoSemi()}`;
  if (family === "semicolonAppInTask") {
    appName = `${nameNoSemi()};${nameNoSemi()}`;
    taskName = `${r.pick(["Reload ", "Reload task of ", ""])}${appName}`;
  }
  if (family === "nonApp") {
    taskName = r.next() < 0.5 ? `${nameNoSemi()};${nameNoSemi()}` : nameNoSemi();
    appName = r.pick(["", "(null)"]);
    appId = r.pick(["", "(null)"]);
  }
  return {
    outcome,
    family,
    fields: {
      prefix: randCase(r, prefix),
      host: r.pick(["SENSE1", "sense2.corp.example", "node-3", "ÅSE-1"]),
      taskName,
      appName,
      user: `${r.pick(["INTERNAL", "CORP", "Domäne"])}\\${text(r, [..."abcxyz_0123.åé"], 1, 12)}`,
      taskId: guid(r),
      appId,
      ts: `2025-${String(1 + r.int(12)).padStart(2, "0")}-03 06:00:41${r.pick([",", "."])}${r.int(1000)}`,
      level: r.pick(["DEBUG", "INFO", "WARN", "ERROR", "FATAL"]),
      executionId: guid(r),
      message: text(r, MSG_CHARS, 0, 200),
    },
  };
}

function serialise(v: Valid["fields"]): string {
  return [v.prefix, v.host, v.taskName, v.appName, v.user, v.taskId, v.appId, v.ts, v.level, v.executionId, v.message].join(";");
}

function mutate(r: Rng, s: string): string {
  const chars = [...s];
  const ops = 1 + r.int(4);
  for (let i = 0; i < ops; i++) {
    const at = r.int(chars.length + 1);
    switch (r.int(7)) {
      case 0:
        chars.splice(at, 1 + r.int(5));
        break;
      case 1:
        chars.splice(at, 0, r.pick([";", ";;", "\u0000", "\r\n", "\uFFFD", "'", "\\", "(null)", "//"]));
        break;
      case 2:
        chars.splice(at, 0, String.fromCharCode(r.int(0x3000)));
        break;
      case 3:
        chars.length = at;
        break;
      case 4:
        chars.splice(at, 0, ...guid(r));
        break;
      case 5: {
        const j = r.int(chars.length + 1);
        const [x, y] = [chars[at], chars[j]];
        if (x !== undefined && y !== undefined) {
          chars[at] = y;
          chars[j] = x;
        }
        break;
      }
      default:
        chars.splice(at, 0, ...chars.slice(r.int(chars.length), r.int(chars.length)));
    }
  }
  return chars.join("");
}

/** A few edits of a large datagram by slicing (spreading 64 KB into an array per mutation would dominate the run). */
function mutateLarge(r: Rng, d: string | Uint8Array): string | Uint8Array {
  if (typeof d !== "string") {
    const b = d.slice();
    for (let i = 0; i < 4; i++) b[r.int(b.length)] = r.pick([0x3b, 0x00, 0xff, 0x2f, r.int(256)]);
    return b;
  }
  let s = d;
  for (let i = 0; i < 1 + r.int(3); i++) {
    const at = r.int(s.length + 1);
    s = r.next() < 0.2 ? s.slice(0, at) : s.slice(0, at) + r.pick([";", ";;", "\u0000", "(null)", "//", guid(r), `;${guid(r)};;x;y;${guid(r)};`]) + s.slice(at);
  }
  return s.slice(0, MAX_DATAGRAM);
}

function randomBytes(r: Rng): Uint8Array {
  const b = new Uint8Array(r.int(600));
  for (let i = 0; i < b.length; i++) b[i] = r.next() < 0.1 ? 0x3b : r.int(256);
  return b;
}

test(`parser fuzz: 122,000 datagrams, no throw, valid ones round-trip (seed ${SEED})`, () => {
  const r = rng(SEED);
  const reasons = new Set<string>(REJECT_REASONS);
  const seenReasons = new Map<string, number>();
  let roundTrips = 0;
  let total = 0;
  const expectParsed = (input: string | Uint8Array) => {
    total++;
    let result;
    try {
      result = parseDatagram(input);
    } catch (err) {
      throw new Error(`parseDatagram threw on ${JSON.stringify(typeof input === "string" ? input : [...input])}: ${String(err)}`);
    }
    if (!result.ok) {
      if (!reasons.has(result.reason)) throw new Error(`unknown reason ${result.reason}`);
      seenReasons.set(result.reason, (seenReasons.get(result.reason) ?? 0) + 1);
    }
    // The overload refusal reads field 0 alone: it may know less than the parser, never something else.
    const sniffed = sniffSchedulerOutcome(typeof input === "string" ? new TextEncoder().encode(input) : input);
    if (result.ok && result.message.kind === "scheduler" && sniffed !== undefined && sniffed !== result.message.outcome) {
      throw new Error(`sniffed ${sniffed}, parsed ${result.message.outcome}: ${JSON.stringify(typeof input === "string" ? input : [...input])}`);
    }
    if (result.ok && result.message.kind === "engine" && sniffed !== undefined) throw new Error(`an engine datagram sniffed as ${sniffed}`);
    return result;
  };

  for (let i = 0; i < 40_000; i++) {
    const v = genValid(r);
    const wire = serialise(v.fields);
    const input = r.next() < 0.5 ? wire : new TextEncoder().encode(wire);
    const res = expectParsed(input);
    if (!res.ok || res.message.kind !== "scheduler") throw new Error(`valid datagram rejected (${!res.ok ? res.reason : "engine"}): ${wire}`);
    if (sniffSchedulerOutcome(new TextEncoder().encode(wire)) !== v.outcome) throw new Error(`valid datagram's outcome not sniffed: ${wire}`);
    const m = res.message;
    const f = v.fields;
    const nullish = (s: string) => (s === "(null)" ? "" : s);
    const got = [m.outcome, m.host, m.taskName, m.appName, m.user, m.taskId, m.appId ?? "", m.timestamp, m.level, m.executionId, m.message];
    const want = [
      v.outcome,
      f.host,
      f.taskName,
      nullish(f.appName),
      f.user,
      f.taskId.toLowerCase(),
      nullish(f.appId).toLowerCase(),
      f.ts,
      f.level,
      f.executionId.toLowerCase(),
      f.message,
    ];
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      throw new Error(`round trip (${v.family}) differs:\n wire ${wire}\n got  ${JSON.stringify(got)}\n want ${JSON.stringify(want)}`);
    }
    roundTrips++;
    // Mutations of the same datagram: any result is fine, as long as nothing throws and reasons are known.
    expectParsed(mutate(r, wire));
  }
  for (let i = 0; i < 20_000; i++) expectParsed(randomBytes(r));
  for (let i = 0; i < 20_000; i++) expectParsed(`${r.pick(PREFIXES)[0]};${text(r, MSG_CHARS, 0, 300)}`);
  for (let i = 0; i < 20_000; i++) expectParsed(`/engine-reload-failed/;${mutate(r, `S;${guid(r)};0;D;u;ts;ERROR;${text(r, MSG_CHARS, 0, 50)}`)}`);
  // Pathological shapes (issue 13) as they are, then mutated.
  const hostile = Object.values(hostileDatagrams());
  for (const d of hostile) expectParsed(d);
  for (let i = hostile.length; i < 2_000; i++) expectParsed(mutateLarge(r, r.pick(hostile)));

  expect(total).toBeGreaterThanOrEqual(100_000);
  expect(roundTrips).toBe(40_000);
  // The corpus really exercises the rejection paths.
  for (const reason of ["unknown_prefix", "too_few_fields", "bad_task_id", "bad_engine_app_id"]) expect(seenReasons.get(reason) ?? 0).toBeGreaterThan(0);
}, 60_000);
