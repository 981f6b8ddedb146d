// templates/steward.qvs: every sub the library promises exists, and each request a sub builds (method, path with
// Qlik's $(…) expansions filled in, JSON body, method override) is accepted by Steward's routes the way Qlik's
// REST connector would send it (GET, or POST with X-HTTP-Method-Override).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";

const QVS = readFileSync(join(import.meta.dir, "../../../../templates/steward.qvs"), "utf8");
const SUBS = [
  "StartTask",
  "StartTasksByTag",
  "StartTasksByCustomProperty",
  "SetKeyValue",
  "GetKeyValue",
  "DeleteKeyValue",
  "PublishMqtt",
  "CopyFile",
  "MoveFile",
  "DeleteFile",
  "CreateDirectory",
];

/** The StewardCall of each public sub: method, path template, body template. */
function callsBySub(): Map<string, { method: string; path: string; body: string }> {
  const out = new Map<string, { method: string; path: string; body: string }>();
  for (const m of QVS.matchAll(/^SUB (\w+)\(([^)]*)\)\n([\s\S]*?)^END SUB/gm)) {
    const call = /CALL StewardCall\('(\w+)', '([^']*)', '([^']*)'/.exec(m[3]!);
    if (call) out.set(m[1]!, { method: call[1]!, path: call[2]!, body: call[3]! });
  }
  return out;
}

let dir: TempDir;
let t: TestApp;
const TASK = "7552d9fc-d1bb-4975-9a38-18357de531ea";

beforeAll(() => {
  dir = createTempDir();
  for (const d of ["in", "out", "made"]) mkdirSync(join(dir.path, d));
  writeFileSync(join(dir.path, "in", "orders.qvd"), "QVD");
  t = createTestApp(
    `files:\n  copy: [{ from: ${dir.path}/in, to: ${dir.path}/out }]\n  move: [{ from: ${dir.path}/out, to: ${dir.path}/in }]\n` +
      `  delete: [${dir.path}/in]\n  createDir: [${dir.path}/made]\n`,
  );
});
afterAll(async () => {
  await t.close();
  dir.remove();
});

/** Values of the variables the subs expand, already escaped as the subs' helpers would. */
const VARS: Record<string, string> = {
  vTaskId: TASK,
  vStewardTagJson: "daily-refresh",
  vStewardNameJson: "taskGroup",
  vStewardValueJson: 'it\'s \\"quoted\\"',
  vStewardNs: "sales%20chain",
  vStewardKey: "last%2Fdate",
  vStewardKeyJson: "last/date",
  vStewardTtl: "60000",
  vStewardTopicJson: "qliksense/sales/reloaded",
  vStewardMessageJson: "Sales has new data",
  vStewardOverwrite: "false",
  vStewardPreserve: "true",
};

function expand(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\((\w+)\)/g, (_, name: string) => {
    if (!(name in vars)) throw new Error(`no test value for $(${name})`);
    return vars[name]!;
  });
}

async function send(sub: string, vars: Record<string, string>): Promise<Response> {
  const c = callsBySub().get(sub)!;
  // In CALL '…' literals Qlik turns '' into '; the JSON helper doubled single quotes for exactly that.
  const path = expand(c.path, vars);
  const body = expand(c.body, vars).replace(/''/g, "'");
  if (c.method === "GET") return t.request(path);
  return t.request(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(c.method !== "POST" ? { "X-HTTP-Method-Override": c.method } : {}) },
    body,
  });
}

describe("templates/steward.qvs", () => {
  test("every promised sub is defined, and each public one calls Steward", () => {
    const calls = callsBySub();
    for (const s of SUBS) {
      expect(QVS).toMatch(new RegExp(`^SUB ${s}\\(`, "m"));
      expect(calls.has(s)).toBe(true);
    }
  });

  test("Steward serves the same file it ships", async () => {
    const r = await t.request("/v4/loadscript/steward.qvs");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toContain("text/plain");
    expect(await r.text()).toBe(QVS);
  });

  test("task starts: the routes accept the bodies (503 here only because no Qlik site is configured)", async () => {
    for (const s of ["StartTask", "StartTasksByTag", "StartTasksByCustomProperty"]) {
      const r = await send(s, VARS);
      expect({ s, status: r.status }).toEqual({ s, status: 503 });
      expect(((await r.json()) as { error: string }).error).toContain("no Qlik Sense connection");
    }
  });

  test("key-value subs: set, get and delete round-trip through the store", async () => {
    expect((await send("SetKeyValue", VARS)).status).toBe(201);
    const got = await send("GetKeyValue", VARS);
    expect(got.status).toBe(200);
    expect(await got.json()).toMatchObject({ namespace: "sales chain", key: "last/date", value: `it's "quoted"` });
    expect((await send("DeleteKeyValue", VARS)).status).toBe(204);
    expect((await send("GetKeyValue", VARS)).status).toBe(404);
  });

  test("PublishMqtt reaches the publish route (503: no broker configured in this test)", async () => {
    const r = await send("PublishMqtt", VARS);
    expect(r.status).toBe(503);
    expect(((await r.json()) as { error: string }).error).toContain("MQTT is not configured");
  });

  test("file subs: copy, move, delete and create directory inside the allowed folders", async () => {
    const from = (p: string) => ({ ...VARS, vStewardFromJson: join(dir.path, p) });
    expect((await send("CopyFile", { ...from("in/orders.qvd"), vStewardToJson: join(dir.path, "out/orders.qvd") })).status).toBe(201);
    expect(readFileSync(join(dir.path, "out/orders.qvd"), "utf8")).toBe("QVD");
    expect((await send("MoveFile", { ...from("out/orders.qvd"), vStewardToJson: join(dir.path, "in/orders-moved.qvd") })).status).toBe(201);
    expect((await send("DeleteFile", { ...VARS, vStewardFileJson: join(dir.path, "in/orders-moved.qvd") })).status).toBe(204);
    expect((await send("CreateDirectory", { ...VARS, vStewardDirJson: join(dir.path, "made/2025/11") })).status).toBe(201);
  });
});
