// Butler's load-script subs (its butler_subs.qvs) against Steward, unchanged: each test sends the exact request a
// sub builds — POST with X-HTTP-Method-Override, booleans and TTLs as JSON strings, a placeholder task id — and
// asserts the effect (task started in the simulator, key stored, file copied, app reloaded and the chained task
// started), not just the status.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import mqtt from "mqtt";
import { startMosquitto, type TestService } from "../../../helpers/services";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { A, startHarness, T, type Harness } from "./harness";

let h: Harness;
let dir: TempDir;
let broker: TestService;
let D: string;

beforeAll(async () => {
  dir = createTempDir("steward-subs-");
  D = dir.path;
  for (const d of ["in", "out", "staging", "final", "tmp", "made", "qvd"]) mkdirSync(join(D, d));
  writeFileSync(join(D, "in", "orders.qvd"), "new orders");
  writeFileSync(join(D, "staging", "orders.qvd"), "staged");
  writeFileSync(join(D, "final", "orders.qvd"), "old final");
  writeFileSync(join(D, "tmp", "orders_tmp.qvd"), "tmp");
  broker = await startMosquitto();
  h = await startHarness(
    `files:\n  copy: [{ from: ${D}/in, to: ${D}/out }]\n  move: [{ from: ${D}/staging, to: ${D}/final }]\n  delete: [${D}/tmp]\n  createDir: [${D}/made]\n  qvdRoot: ${D}/qvd\n` +
      `mqtt:\n  url: ${broker.url}\n  reconnect: { initialDelayMs: 100, maxDelayMs: 400 }\n`,
  );
}, 60_000);

afterAll(async () => {
  await h?.close();
  await broker?.stop();
  dir?.remove();
});

/** What Qlik's REST connector sends for a sub: always POST; the sub adds its headers and body text. */
function sub(path: string, opts: { override?: string; body?: string; json?: boolean } = {}): Promise<Response> {
  const headers: Record<string, string> = {};
  if (opts.override) headers["X-HTTP-Method-Override"] = opts.override;
  if (opts.json) headers["Content-Type"] = "application/json";
  return h.t.request(path, { method: "POST", headers, ...(opts.body !== undefined ? { body: opts.body } : {}) });
}
const get = (path: string) => h.t.request(path);

describe("Butler's load-script subs", () => {
  test("StartTask(id): POST + override PUT with an empty array starts the task", async () => {
    const seq = h.lastSeq();
    const r = await sub(`/v4/reloadtask/${T.salesReload}/start`, { override: "PUT", body: "[]", json: true });
    expect(r.status).toBe(200);
    expect(h.startedInSim(seq)).toEqual([T.salesReload]);
  });

  test("StartTask by tag with a placeholder in the path and a key-value item with an empty TTL: the tasks start, the key is stored", async () => {
    const seq = h.lastSeq();
    const body = JSON.stringify([
      { type: "starttasktag", payload: { tag: "NIGHTLY" } },
      { type: "keyvaluestore", payload: { namespace: "chain", key: "runDate", value: "2025-11-20", ttl: "" } },
    ]);
    const r = await sub("/v4/reloadtask/none/start", { override: "PUT", body, json: true });
    expect(r.status).toBe(200);
    const answer = (await r.json()) as { tasksId: { invalid: unknown[] }; tasksTag: Array<{ taskId: string }> };
    expect(answer.tasksId.invalid).toEqual([{ taskId: "none" }]);
    expect(h.startedInSim(seq).sort()).toEqual([T.salesReload, T.adSync].sort());
    expect(await h.t.app.kv!.get("chain", "runDate")).toMatchObject({ value: "2025-11-20", ttl: 0 });
  });

  test("AddKeyValue with a TTL as text, GetKeyValue, ExistsKeyValue, DeleteKeyValue (override DELETE), then the emptied namespace", async () => {
    let r = await sub("/v4/keyvalues/sales%20chain", { body: '{"key": "lastOrderDate", "value": "2025-11-20", "ttl": "60000"}', json: true });
    expect(r.status).toBe(201);
    expect(await h.t.app.kv!.get("sales chain", "lastOrderDate")).toMatchObject({ value: "2025-11-20", ttl: 60000 });
    r = await sub("/v4/keyvalues/sales%20chain", { body: '{"key": "noTtl", "value": "x"}', json: true });
    expect(r.status).toBe(201);
    expect(await (await get("/v4/keyvalues/sales%20chain?key=lastOrderDate")).json()).toEqual({
      namespace: "sales chain",
      key: "lastOrderDate",
      value: "2025-11-20",
    });
    expect(((await (await get("/v4/keyvalues/sales%20chain/keyexists?key=noTtl")).json()) as { keyExists: boolean }).keyExists).toBe(true);
    for (const key of ["lastOrderDate", "noTtl"])
      expect((await sub(`/v4/keyvalues/sales%20chain/${key}`, { override: "DELETE", body: "{}" })).status).toBe(204);
    expect(await h.t.app.kv!.has("sales chain", "noTtl")).toBe(false);
    // GetAllKeysInNamespace on the emptied namespace, then DeleteKeyValueNamespace.
    r = await get("/v4/keylist/sales%20chain");
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ namespace: "sales chain", keys: [] });
    expect((await sub("/v4/keyvalues/sales%20chain", { override: "DELETE", body: "{}" })).status).toBe(204);
    expect(await (await get("/v4/keyvaluesnamespaces")).json()).not.toContain("sales chain");
  });

  test('CopyFile with "false"/"true" strings copies; again onto the copy it answers 201 and leaves the target alone', async () => {
    const body = JSON.stringify({ fromFile: `${D}/in/orders.qvd`, toFile: `${D}/out/2025/orders.qvd`, overwrite: "false", preserveTimestamp: "true" });
    let r = await sub("/v4/filecopy", { override: "PUT", body });
    expect(r.status).toBe(201);
    expect(readFileSync(join(D, "out/2025/orders.qvd"), "utf8")).toBe("new orders");
    writeFileSync(join(D, "out/2025/orders.qvd"), "edited downstream");
    r = await sub("/v4/filecopy", { override: "PUT", body });
    expect(r.status).toBe(201);
    expect(await r.json()).toMatchObject({ overwrite: false, preserveTimestamp: true, copied: false });
    expect(readFileSync(join(D, "out/2025/orders.qvd"), "utf8")).toBe("edited downstream");
  });

  test('MoveFile with overwrite "true" replaces the target; DeleteFile (override DELETE with a body) deletes', async () => {
    let r = await sub("/v4/filemove", {
      override: "PUT",
      body: JSON.stringify({ fromFile: `${D}/staging/orders.qvd`, toFile: `${D}/final/orders.qvd`, overwrite: "true" }),
    });
    expect(r.status).toBe(201);
    expect(readFileSync(join(D, "final/orders.qvd"), "utf8")).toBe("staged");
    expect(existsSync(join(D, "staging/orders.qvd"))).toBe(false);
    r = await sub("/v4/filedelete", { override: "DELETE", body: JSON.stringify({ deleteFile: `${D}/tmp/orders_tmp.qvd` }) });
    expect(r.status).toBe(204);
    expect(existsSync(join(D, "tmp/orders_tmp.qvd"))).toBe(false);
  });

  test("CreateDir and CreateDirQVD create the folders", async () => {
    expect((await sub("/v4/createdir", { body: JSON.stringify({ directory: `${D}/made/2025-11` }), json: true })).status).toBe(201);
    expect(existsSync(join(D, "made/2025-11"))).toBe(true);
    expect((await sub("/v4/createdirqvd", { body: JSON.stringify({ directory: "sales/2025-11" }), json: true })).status).toBe(201);
    expect(existsSync(join(D, "qvd/sales/2025-11"))).toBe(true);
  });

  test("PostToMQTT publishes through the override", async () => {
    await waitFor(async () => ((await (await get("/ready")).json()) as { components: Record<string, { ok: boolean }> }).components.mqtt?.ok, {
      what: "mqtt connected",
    });
    const c = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    try {
      const got: string[] = [];
      c.on("message", (_t, p) => got.push(p.toString("utf8")));
      await c.subscribeAsync("qliksense/sales/#", { qos: 1 });
      const r = await sub("/v4/mqttpublishmessage", {
        override: "PUT",
        body: '{"topic":"qliksense/sales/reloaded", "message":"Sales has new data"}',
        json: true,
      });
      expect(r.status).toBe(201);
      await waitFor(() => got.length > 0, { what: "the message" });
      expect(got).toEqual(["Sales has new data"]);
    } finally {
      await c.endAsync(true);
    }
  });

  test('ReloadSenseApp: override PUT with "partialReload":"false" reloads the app (201 {appId}) and starts the chained task', async () => {
    const seq = h.lastSeq();
    const body = `{"partialReload":"false", "reloadMode":0, "startQSEoWTaskOnSuccess":["${T.onSuccess}"], "startQSEoWTaskOnFailure":[]}`;
    const r = await sub(`/v4/app/${A.finance}/reload`, { override: "PUT", body });
    expect(r.status).toBe(201);
    expect(((await r.json()) as { appId: string }).appId).toBe(A.finance);
    await waitFor(() => h.startedInSim(seq).includes(T.onSuccess) || undefined, { what: "the chained task start", timeoutMs: 20_000 });
    const reload = h.engineCalls(seq).find((c) => c.method === "DoReloadEx");
    expect(reload?.params).toEqual([{ qMode: 0, qPartial: false, qDebug: false }]);
  }, 30_000);

  test("GetEnabledButlerAPIEndpoints and GetKeyValueNamespaces read plain lists", async () => {
    expect(await (await get("/v4/configfile/endpointsenabled")).json()).toEqual(
      expect.arrayContaining(["keyValueStore", "fileCopy", "senseStartTask", "senseAppReload"]),
    );
    expect(Array.isArray(await (await get("/v4/keyvaluesnamespaces")).json())).toBe(true);
  });
});
