// Reads the recorded answers of Butler 16.0.4 (test/fixtures/butler-16.0.4, see its README) and compares a
// Steward answer with Butler's: same status, and a body that carries every Butler field with Butler's value.
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const CORPUS_DIR = join(import.meta.dir, "../fixtures/butler-16.0.4");

export interface CorpusStep {
  step: number;
  name: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
  butler: {
    status: number | "EXC";
    contentType?: string;
    json: unknown;
    text?: string | null;
    qrsTaskStarts?: string[];
  };
}

export function loadCorpus(file: "rest" | "task-start" | "subs"): CorpusStep[] {
  return JSON.parse(readFileSync(join(CORPUS_DIR, `${file}.json`), "utf8")) as CorpusStep[];
}

/** Replaces `{F}`, `{SID}` … in every string of a value. */
export function substitute<T>(value: T, vars: Record<string, string>): T {
  const sub = (s: string) => s.replace(/\{(F|SID2?|)\}/g, (m, name: string) => vars[name] ?? m);
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return sub(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/** The request Butler was sent, as a fetch init: a string body is sent raw (invalid JSON on purpose). */
export function requestInit(step: CorpusStep): RequestInit {
  const headers: Record<string, string> = { ...(step.headers ?? {}) };
  if (!("body" in step)) return { method: step.method, headers };
  if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) headers["Content-Type"] = "application/json";
  return { method: step.method, headers, body: typeof step.body === "string" ? step.body : JSON.stringify(step.body) };
}

export interface Answer {
  status: number;
  text: string;
  json: unknown;
}

export async function readAnswer(r: Response): Promise<Answer> {
  const text = await r.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: r.status, text, json };
}

/** Values that differ on every run (schedule ids and creation times, the version) stand in as their kind. */
function normalise(v: unknown, key?: string): unknown {
  if (typeof v === "string") {
    if (key === "butlerVersion") return "<version>";
    if (key === "created" && !Number.isNaN(Date.parse(v))) return "<time>";
    if (key === "id" && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v)) return "<uuid>";
    return v;
  }
  if (Array.isArray(v)) return v.map((x) => normalise(x));
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalise(x, k)]));
  return v;
}

/** Where `actual` fails to carry `expected`: objects may have more fields, arrays and scalars must match. */
export function missingFrom(expected: unknown, actual: unknown, at = "body"): string[] {
  const e = normalise(expected);
  const a = normalise(actual);
  const walk = (x: unknown, y: unknown, p: string): string[] => {
    if (Array.isArray(x)) {
      if (!Array.isArray(y)) return [`${p}: expected an array, got ${JSON.stringify(y)}`];
      if (x.length !== y.length) return [`${p}: expected ${x.length} items, got ${y.length}: ${JSON.stringify(y).slice(0, 400)}`];
      return x.flatMap((item, i) => walk(item, y[i], `${p}[${i}]`));
    }
    if (x && typeof x === "object") {
      if (!y || typeof y !== "object" || Array.isArray(y)) return [`${p}: expected an object, got ${JSON.stringify(y)}`];
      return Object.entries(x).flatMap(([k, v]) => (k in y ? walk(v, (y as Record<string, unknown>)[k], `${p}.${k}`) : [`${p}.${k}: missing`]));
    }
    return Object.is(x, y) ? [] : [`${p}: expected ${JSON.stringify(x)}, got ${JSON.stringify(y)}`];
  };
  return walk(e, a, at);
}

/**
 * Problems with Steward's answer against Butler's. An error answer must have Butler's status and Butler's error
 * fields (`statusCode`, `error`, `message`); its wording is Steward's. A success must carry Butler's body.
 */
export function compareWithButler(butler: CorpusStep["butler"], got: Answer): string[] {
  if (butler.status === "EXC") return [`Butler dropped the connection; Steward answered ${got.status}`];
  if (got.status !== butler.status) return [`status: Butler ${butler.status}, Steward ${got.status}: ${got.text.slice(0, 300)}`];
  if (butler.status >= 400) return butlerErrorShape(got);
  if (butler.json === null || butler.json === undefined) {
    if (butler.text === "" || butler.text === null || butler.text === undefined)
      return got.text === "" ? [] : [`body: expected none, got ${got.text.slice(0, 200)}`];
    return got.text === butler.text ? [] : [`body text differs: ${got.text.slice(0, 200)}`];
  }
  return missingFrom(butler.json, got.json);
}

/** Butler's clients read statusCode, error and message from every error answer. */
export function butlerErrorShape(got: Answer): string[] {
  const b = got.json as Record<string, unknown> | undefined;
  if (!b || typeof b !== "object") return [`error body is not a JSON object: ${got.text.slice(0, 200)}`];
  const out: string[] = [];
  if (b.statusCode !== got.status) out.push(`statusCode: expected ${got.status}, got ${JSON.stringify(b.statusCode)}`);
  if (typeof b.error !== "string") out.push("error: missing");
  if (typeof b.message !== "string" || b.message === "") out.push("message: missing");
  return out;
}
