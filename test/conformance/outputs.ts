// Reads what Butler 16.0.4 sent for one failed run (test/fixtures/butler-16.0.4/outputs.json) and compares
// Steward's outputs with it: JSON key path by key path, and InfluxDB points field by field with their types.
import { Point } from "@influxdata/influxdb-client";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CORPUS_DIR } from "./corpus";

export type FieldType = "float" | "integer" | "string" | "boolean";

export interface RecordedPoint {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, [FieldType, string]>;
}

export interface ButlerOutputs {
  webhook: Array<Record<string, unknown>>;
  mqtt_task_failure_full: Record<string, unknown>;
  influxdb_v1: RecordedPoint;
}

export function loadOutputs(): ButlerOutputs {
  return JSON.parse(readFileSync(join(CORPUS_DIR, "outputs.json"), "utf8")) as ButlerOutputs;
}

/** Butler's recorded point as line protocol with its own field types, at `atMs`. */
export function recordedLine(p: RecordedPoint, atMs: number): string {
  const point = new Point(p.measurement);
  for (const [k, v] of Object.entries(p.tags)) point.tag(k, v);
  for (const [k, [type, v]] of Object.entries(p.fields)) {
    if (type === "float") point.floatField(k, Number(v));
    else if (type === "integer") point.intField(k, Number(v));
    else if (type === "boolean") point.booleanField(k, v === "true");
    else point.stringField(k, v);
  }
  return point.timestamp(new Date(atMs)).toLineProtocol()!;
}

/** Every leaf's path in a JSON value: `a.b[0].c`. Empty objects and arrays are leaves too. */
export function keyPaths(v: unknown, path = ""): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const walk = (x: unknown, p: string) => {
    if (x !== null && typeof x === "object") {
      const entries = Array.isArray(x)
        ? x.map((item, i) => [`${p}[${i}]`, item] as const)
        : Object.entries(x).map(([k, item]) => [p ? `${p}.${k}` : k, item] as const);
      if (entries.length === 0) out.set(p, x);
      for (const [q, item] of entries) walk(item, q);
    } else out.set(p, x);
  };
  walk(v, path);
  return out;
}

/** A text's shape: ids become <uuid>, digit runs 9 and letter runs a, so two runs' ids and times compare equal. */
export function shape(s: string): string {
  return s
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, "<uuid>")
    .replace(/\d+/g, "9")
    .replace(/[A-Za-z]+/g, "a");
}

/**
 * Differences between Butler's JSON and Steward's: a missing or extra key path, a value of another JSON type, or
 * (for paths `same` accepts) another value. Values that belong to one run (ids, times) only need the same type and,
 * for strings, the same shape.
 */
export function compareJson(butler: unknown, steward: unknown, same: (path: string) => boolean): string[] {
  const b = keyPaths(butler);
  const s = keyPaths(steward);
  const problems: string[] = [];
  for (const [path, want] of b) {
    if (!s.has(path)) {
      problems.push(`${path}: missing`);
      continue;
    }
    const got = s.get(path);
    const type = (x: unknown) => (x === null ? "null" : Array.isArray(x) ? "array" : typeof x);
    if (type(want) !== type(got)) problems.push(`${path}: Butler sent ${type(want)} ${JSON.stringify(want)}, Steward ${type(got)} ${JSON.stringify(got)}`);
    else if (same(path) ? JSON.stringify(want) !== JSON.stringify(got) : typeof want === "string" && shape(want) !== shape(got as string)) {
      problems.push(`${path}: Butler sent ${JSON.stringify(want)}, Steward ${JSON.stringify(got)}`);
    }
  }
  for (const path of s.keys()) if (!b.has(path)) problems.push(`${path}: not in Butler's message`);
  return problems;
}
