// Which operations of /openapi.json answer a caller without a key once a key exists, over a real socket, compared
// with docs/security.md: the public routes it lists, plus the load-script scopes `security.anonymous` grants the Qlik
// nodes by default (here the simulator's node is this server, 127.0.0.1); with `anonymous: { scopes: [] }` only the
// public routes. Anything else answering is a defect.
import { afterEach, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sha256Hex } from "../../../../src/platform/security/api-keys";
import { type AttackSite, fill, type Operation, startAttackSite } from "./attack-site";

const KEY = "attack-test-admin-key-0b9e1c6f5a";
const LOAD_SCRIPT_SCOPES = ["tasks", "apps", "kv.read", "kv.write", "files", "mqtt"];
let site: AttackSite | undefined;
afterEach(async () => {
  await site?.close();
  site = undefined;
});

const security = (anonymous = "") => `security:\n  apiKeys:\n    - { name: admins, hash: "sha256:${sha256Hex(KEY)}", scopes: [admin] }\n${anonymous}`;

/** The routes docs/security.md names as public: the backquoted `METHOD /path` items of its "public routes" line. */
function documentedPublic(): string[] {
  const page = readFileSync(join(import.meta.dir, "../../../../docs/security.md"), "utf8");
  const line = page.split("\n\n").find((p) => p.startsWith("The public routes"));
  if (!line) throw new Error('docs/security.md has no paragraph starting "The public routes"');
  return [...line.matchAll(/`((?:GET|POST|PUT|DELETE) \/[^`]*)`/g)].map((m) => m[1]!).sort();
}

/** Each operation's status for a caller without a key (a body of `{}` where the method takes one). */
async function withoutKey(s: AttackSite): Promise<Array<{ op: Operation; name: string; status: number; body: string }>> {
  const out = [];
  for (const op of s.ops) {
    const res = await fetch(`${s.url}${fill(op, "x1")}`, {
      method: op.method,
      // A redirect is an answer of its own (GET /ui/ sends the browser on to /ui, which is not public).
      redirect: "manual",
      ...(op.method === "GET" ? {} : { body: "{}", headers: { "content-type": "application/json" } }),
    });
    out.push({ op, name: `${op.method} ${op.path}`, status: res.status, body: await res.text() });
  }
  return out;
}

/** A 401 that says why: JSON with an error text, or (the status page, to a browser) an HTML page. */
function refusedWell(a: { status: number; body: string }): boolean {
  if (a.status !== 401) return false;
  if (a.body.startsWith("<!doctype html>")) return true;
  try {
    const error = (JSON.parse(a.body) as { error?: unknown }).error;
    // JSON-RPC's error (the MCP endpoint) is an object with its message.
    return typeof error === "string" || typeof (error as { message?: unknown } | undefined)?.message === "string";
  } catch {
    return false;
  }
}

test("anonymous scopes closed: exactly the documented public routes answer; every other one is a 401 saying so", async () => {
  site = await startAttackSite(security("  anonymous: { scopes: [] }\n"));
  const answers = await withoutKey(site);
  const open = answers.filter((a) => a.status !== 401).map((a) => a.name);
  expect(open.sort()).toEqual(documentedPublic());
  expect(answers.filter((a) => a.status === 401 && !refusedWell(a)).map((a) => a.name)).toEqual([]);
  // The key opens them again: the refusal was the missing key, not the request.
  const r = await fetch(`${site.url}/v4/admin/apikeys`, { headers: { "x-api-key": KEY } });
  expect(r.status).toBe(200);
}, 30_000);

test("the defaults: the Qlik nodes keep the load-script scopes without a key; read, schedules, status and admin need one", async () => {
  site = await startAttackSite(security());
  const answers = await withoutKey(site);
  const wrong = answers.filter((a) => {
    const granted = a.op.scope === "public" || LOAD_SCRIPT_SCOPES.includes(a.op.scope);
    return granted ? a.status === 401 || a.status === 403 : !refusedWell(a);
  });
  expect(wrong.map((a) => `${a.name} (${a.op.scope}): ${a.status}`)).toEqual([]);
  // Both kinds are there: the sweep did not pass by finding only one.
  expect(answers.some((a) => a.op.scope === "kv.write" && a.status !== 401)).toBe(true);
  expect(answers.some((a) => a.op.scope === "read" && a.status === 401)).toBe(true);
}, 30_000);
