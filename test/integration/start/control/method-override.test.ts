// X-HTTP-Method-Override: Qlik's REST connector can only GET and POST, so load scripts reach PUT and DELETE
// routes through a POST with this header, as they did with Butler.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../../../helpers/app";

let t: TestApp;
beforeAll(() => {
  t = createTestApp("");
});
afterAll(() => t.close());

const post = (path: string, override: string | undefined, body?: unknown) =>
  t.request(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(override ? { "X-HTTP-Method-Override": override } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });

test("POST + override PUT reaches the PUT route with its body", async () => {
  expect((await post("/v4/mqttpublishmessage", undefined, { topic: "a", message: "b" })).status).toBe(404);
  const r = await post("/v4/mqttpublishmessage", "PUT", { topic: "a", message: "b" });
  // The PUT route answered (MQTT is not configured here) — and it validated the body it was given.
  expect(r.status).toBe(503);
  expect(((await r.json()) as { error: string }).error).toContain("MQTT is not configured");
  expect((await post("/v4/mqttpublishmessage", "put", { topic: "a" })).status).toBe(400);
});

test("POST + override DELETE deletes a key-value pair; the request id is kept", async () => {
  expect((await post("/v4/keyvalues/ns1", undefined, { key: "k", value: "v" })).status).toBe(201);
  const del = await t.request("/v4/keyvalues/ns1/k", { method: "POST", headers: { "X-HTTP-Method-Override": "DELETE", "X-Request-Id": "load-script-42" } });
  expect(del.status).toBe(204);
  expect(del.headers.get("x-request-id")).toBe("load-script-42");
  expect((await t.request("/v4/keyvalues/ns1?key=k")).status).toBe(404);
});

test("override GET reaches the GET route (the POST body is dropped); override POST is a plain POST (as Butler)", async () => {
  expect((await post("/v4/keyvalues/ns2", undefined, { key: "k", value: "v" })).status).toBe(201);
  const get = await post("/v4/keyvalues/ns2?key=k", "GET", {});
  expect(get.status).toBe(200);
  expect(await get.json()).toEqual({ namespace: "ns2", key: "k", value: "v" });
  const viaPost = await post("/v4/keyvalues/ns2", "post", { key: "k2", value: "v2" });
  expect(viaPost.status).toBe(201);
});

test("any other method asked for is a 400 naming the header", async () => {
  const r = await post("/v4/keyvalues/ns1", "TRACE");
  expect(r.status).toBe(400);
  expect(((await r.json()) as { error: string }).error).toContain("X-HTTP-Method-Override");
});
