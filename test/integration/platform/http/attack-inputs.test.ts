// Every operation /openapi.json lists, sent what a careless or hostile client on the Qlik network would send: path
// parameters with dot segments, NUL and bad UTF-8, very long paths and queries, bodies of the wrong JSON type, not
// JSON, not UTF-8 or 100,000 levels deep, and each field missing, of another type or deeply nested. No answer is a
// 5xx; a 4xx is JSON saying what is wrong (a 400 names the field); nothing is written; Steward answers afterwards.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { wallLimit } from "../../../helpers/time-limit";
import { type AttackSite, fill, type Operation, serverErrors, startAttackSite } from "./attack-site";

let site: AttackSite;
let before: string[];
beforeAll(async () => {
  site = await startAttackSite();
  before = site.files();
});
afterAll(async () => {
  await site?.close();
});

/**
 * A sweep sends every operation some hundreds of requests one after another: 1-3 s here alone, several times that on
 * a slower machine beside the suite's other workers (30 s was not enough on one three times slower, under load).
 */
const SWEEP_LIMIT_MS = wallLimit(120_000);
const DEEP_ARRAY = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
const DEEP_OBJECT = `${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}`;
// A reload of the config is its own subject (reload.test.ts); everything else is sent everything.
const ops = () => site.ops.filter((op) => op.path !== "/v4/admin/reload");
const withBody = () => ops().filter((op) => op.method !== "GET");
// Answers that are pages, not JSON.
const PAGES = /^\/(docs|documentation|help|status|ui)\b|badge\.svg$/;

interface Sent {
  label: string;
  status: number;
  body: string;
}

async function send(op: Operation, path: string, label: string, body?: BodyInit, contentType = "application/json"): Promise<Sent> {
  const res = await fetch(`${site.url}${path}`, {
    method: op.method,
    ...(body !== undefined ? { body, headers: { "content-type": contentType } } : {}),
  });
  return { label: `${op.method} ${path.slice(0, 100)} [${label}]`, status: res.status, body: await res.text() };
}

/** What is wrong with an answer: a 5xx (but a feature that is not configured), or a 4xx that does not say why. */
function problem(a: Sent, op: Operation): string | undefined {
  if (a.status >= 500) return a.status === 503 && a.body.includes('"UNAVAILABLE"') ? undefined : `${a.label}: ${a.status} ${a.body.slice(0, 200)}`;
  // The listener's own refusals of a request line or headers too large carry no body.
  if (a.status < 400 || a.status === 431 || PAGES.test(op.path)) return undefined;
  let json: { error?: unknown; details?: unknown };
  try {
    json = JSON.parse(a.body) as typeof json;
  } catch {
    return `${a.label}: ${a.status} without a JSON body: ${a.body.slice(0, 120)}`;
  }
  // JSON-RPC's error (the MCP endpoint) is an object with its message.
  const text = typeof json.error === "object" && json.error !== null ? (json.error as { message?: unknown }).message : json.error;
  if (typeof text !== "string" || text === "") return `${a.label}: ${a.status} without an error text`;
  // A detail is { field, message }, or for a YAML body (a schedule file) the text "request body:LINE:COL …".
  const fields = Array.isArray(json.details) ? (json.details as unknown[]).map((d) => (typeof d === "string" ? d : (d as { field?: unknown }).field)) : [];
  if (a.status === 400 && fields.some((f) => typeof f !== "string" || !/^(body|path|query|header\b|request body:\d+:\d+)/.test(f)))
    return `${a.label}: a 400 whose details do not name a field: ${a.body.slice(0, 200)}`;
  return undefined;
}

async function sweep(sends: Array<() => Promise<[Sent, Operation]>>): Promise<string[]> {
  const found: string[] = [];
  for (const s of sends) {
    const [a, op] = await s();
    const p = problem(a, op);
    if (p) found.push(p);
  }
  return found;
}

test(
  "path parameters with dot segments, NUL, bad UTF-8 or 20,000 characters, and 60 KB queries",
  async () => {
    const values = ["..", "%2e%2e", "%2E%2e%2f..", "..%2f..%2fetc%2fpasswd", "%00", "a%00b", "%ff%fe%c0%ae", "%5c%5chost%5cshare", "x".repeat(20_000)];
    const sends = ops().flatMap((op) => [
      ...values.map(
        (v) => async (): Promise<[Sent, Operation]> => [
          await send(op, fill(op, v, true), `param ${v.slice(0, 12)}`, op.method === "GET" ? undefined : "{}"),
          op,
        ],
      ),
      async (): Promise<[Sent, Operation]> => [await send(op, `${fill(op, "x1")}?q=${"y".repeat(60_000)}`, "60 KB query"), op],
    ]);
    expect(await sweep(sends)).toEqual([]);
    expect(site.files()).toEqual(before);
  },
  SWEEP_LIMIT_MS,
);

test(
  "bodies of the wrong JSON type, broken JSON, text/plain, invalid UTF-8, a BOM and 100,000 levels of nesting",
  async () => {
    const bodies: Array<[string, BodyInit, string?]> = [
      ["array", "[]"],
      ["string", '"s"'],
      ["null", "null"],
      ["number", "1"],
      ["cut JSON", '{"a":'],
      ["BOM", "\uFEFF{}"],
      ["text/plain", "{}", "text/plain"],
      ["form", "a=1&b=2", "application/x-www-form-urlencoded"],
      ["invalid UTF-8", new Uint8Array([0x7b, 0x22, 0x6b, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc0, 0xae, 0x22, 0x7d])],
      ["deep array", DEEP_ARRAY],
      ["deep object", DEEP_OBJECT],
    ];
    const sends = withBody().flatMap((op) =>
      bodies.map(
        ([label, b, ct]) =>
          async (): Promise<[Sent, Operation]> => [await send(op, fill(op, "x1"), label, b, ct), op],
      ),
    );
    expect(await sweep(sends)).toEqual([]);
    // A JSON body that is not an object is refused by every route that reads an object.
    const objects = withBody().filter((op) => op.body?.type === "object");
    const accepted: string[] = [];
    for (const op of objects) {
      for (const b of ['"s"', "null", "1"]) {
        const a = await send(op, fill(op, "x1"), b, b);
        if (a.status < 400) accepted.push(a.label);
      }
    }
    expect(accepted).toEqual([]);
    expect(site.files()).toEqual(before);
  },
  SWEEP_LIMIT_MS,
);

test(
  "each field missing, of another type or 100,000 levels deep, with an unknown field beside it",
  async () => {
    const others: unknown[] = [123, "s", true, null, [], {}];
    const sends: Array<() => Promise<[Sent, Operation]>> = [];
    for (const op of withBody()) {
      const fields = Object.keys(op.body?.properties ?? {});
      const path = fill(op, "x1");
      const json = (o: Record<string, unknown>, deep?: string) => {
        const text = JSON.stringify(o);
        return deep ? text.replace('"__DEEP__"', deep) : text;
      };
      for (const f of fields) {
        for (const v of others) sends.push(async () => [await send(op, path, `${f}=${JSON.stringify(v)}`, json({ [f]: v, zzUnknown: 1 })), op]);
        for (const [label, deep] of [
          ["deep array", DEEP_ARRAY],
          ["deep object", DEEP_OBJECT],
        ] as const)
          sends.push(async () => [await send(op, path, `${f} ${label}`, json({ [f]: "__DEEP__" }, deep)), op]);
      }
      sends.push(async () => [await send(op, path, "empty object", "{}"), op]);
    }
    // Butler's start body takes any value for a key-value item (stored as JSON text): nested past what can be written.
    const start = withBody().find((op) => op.method === "PUT" && op.path === "/v4/reloadtask/start")!;
    sends.push(async () => [
      await send(start, start.path, "keyvaluestore value deep", `[{"type":"keyvaluestore","payload":{"namespace":"n","key":"k","value":${DEEP_ARRAY}}}]`),
      start,
    ]);
    expect(await sweep(sends)).toEqual([]);
    expect(site.files()).toEqual(before);
  },
  SWEEP_LIMIT_MS,
);

test("a body without a required field is a 400 naming that field", async () => {
  const unnamed: string[] = [];
  let checked = 0;
  for (const op of withBody()) {
    const required = op.body?.required ?? [];
    if (required.length === 0) continue;
    checked++;
    const a = await send(op, fill(op, "x1"), "{}", "{}");
    const fields = a.status === 400 ? ((JSON.parse(a.body) as { details?: Array<{ field?: string }> }).details ?? []).map((d) => d.field) : [];
    for (const f of required) if (!fields.includes(`body.${f}`)) unnamed.push(`${op.method} ${op.path}: ${f} (${a.status} ${a.body.slice(0, 120)})`);
  }
  expect(unnamed).toEqual([]);
  expect(checked).toBeGreaterThan(10);
});

test("afterwards: no 5xx counted, nothing written, and Steward answers", async () => {
  expect(await serverErrors(site.url)).toEqual([]);
  expect(site.files()).toEqual(before);
  expect((await fetch(`${site.url}/health`)).status).toBe(200);
  expect((await fetch(`${site.url}/v4/butlerping`)).status).toBe(200);
});
