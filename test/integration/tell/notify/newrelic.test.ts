// New Relic: Butler's POST /v4/newrelic/metric and /event routes and the newrelic channel, against a local
// receiver that enforces what New Relic's Event, Metric and Log APIs document (paths, the Api-Key header,
// body shapes, eventType characters, flat scalar attributes) and answers as they do (200/202 + JSON).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { waitFor } from "../../../helpers/wait-for";
import { syntheticServiceEvent, syntheticTaskEvent } from "../../../../src/tell/notify/samples";

interface NrRequest {
  api: "event" | "metric" | "log";
  accountId?: string;
  apiKey: string;
  body: unknown;
}

const KEYS: Record<string, string> = { "1111111": "key-prod", "2222222": "key-finance" };

/** A stand-in for New Relic's ingest endpoints; a request New Relic would refuse is answered 400 and recorded as a violation. */
function startNewRelic() {
  const requests: NrRequest[] = [];
  const violations: string[] = [];
  const refuse = new Map<string, number>(); // api key → status to answer instead
  const scalar = (v: unknown) => typeof v === "string" || typeof v === "number" || typeof v === "boolean";
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const u = new URL(req.url);
      const apiKey = req.headers.get("api-key") ?? "";
      const bad = (why: string) => {
        violations.push(`${u.pathname}: ${why}`);
        return Response.json({ error: why }, { status: 400 });
      };
      if (req.method !== "POST") return bad("method");
      if (!req.headers.get("content-type")?.includes("application/json")) return bad("content-type");
      if (!Object.values(KEYS).includes(apiKey)) return new Response("Forbidden", { status: 403 });
      const body = (await req.json()) as unknown;
      const ev = u.pathname.match(/^\/v1\/accounts\/(\d+)\/events$/);
      let api: NrRequest["api"];
      if (ev) {
        api = "event";
        if (KEYS[ev[1]!] !== apiKey) return new Response("Forbidden", { status: 403 });
        const events = Array.isArray(body) ? body : [body];
        for (const e of events as Record<string, unknown>[]) {
          if (typeof e.eventType !== "string" || !/^[A-Za-z0-9_:]+$/.test(e.eventType)) return bad("eventType");
          if (Object.keys(e).length > 255) return bad("too many attributes");
          for (const [k, v] of Object.entries(e)) if (!scalar(v)) return bad(`attribute ${k} is not a scalar`);
        }
      } else if (u.pathname === "/metric/v1") {
        api = "metric";
        if (!Array.isArray(body)) return bad("metric body must be an array");
        for (const block of body as Array<{ metrics?: Array<Record<string, unknown>> }>) {
          if (!Array.isArray(block.metrics)) return bad("metrics");
          for (const m of block.metrics) {
            if (typeof m.name !== "string" || typeof m.value !== "number" || !["gauge", "count", "summary"].includes(String(m.type)))
              return bad("metric fields");
          }
        }
      } else if (u.pathname === "/log/v1") {
        api = "log";
        const blocks = (Array.isArray(body) ? body : [body]) as Array<{
          common?: { attributes?: Record<string, unknown> };
          logs?: Array<{ message?: unknown }>;
        }>;
        for (const b of blocks) {
          if (!Array.isArray(b.logs) || b.logs.some((l) => typeof l.message !== "string")) return bad("logs[].message");
          for (const [k, v] of Object.entries(b.common?.attributes ?? {})) if (!scalar(v)) return bad(`attribute ${k} is not a scalar`);
        }
      } else return new Response("Not Found", { status: 404 });
      requests.push({ api, accountId: ev?.[1], apiKey, body });
      const status = refuse.get(apiKey);
      if (status) return new Response("refused", { status });
      return api === "event" ? Response.json({ success: true, uuid: randomUUID() }) : Response.json({ requestId: randomUUID() }, { status: 202 });
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, requests, violations, refuse, stop: () => server.stop(true) };
}

describe("New Relic", () => {
  let nr: ReturnType<typeof startNewRelic>;
  let t: TestApp;

  beforeAll(async () => {
    nr = startNewRelic();
    t = createTestApp(`
newRelic:
  accounts:
    - { name: prod, accountId: 1111111, insertApiKey: key-prod }
    - { name: finance, accountId: "2222222", insertApiKey: key-finance }
  eventUrl: ${nr.url}
  metricUrl: ${nr.url}/metric/v1
  logUrl: ${nr.url}/log/v1
  api:
    metric: { accounts: [prod, finance], attributes: { env: prod } }
    event: { accounts: [prod], attributes: { env: prod } }
channels:
  nr: { type: newrelic, accounts: [prod], accountsFromCustomProperty: Butler_FailedTask_Event_NewRelicAccount, attributes: { service: qlik } }
routes:
  - { name: to-nr, on: [task.failed, task.aborted, service.stopped], to: [nr] }
security:
  allowUnauthenticated: true
notify:
  outbox: { initialBackoff: 50ms, maxBackoff: 100ms }
`);
    await t.app.start();
  });
  afterAll(async () => {
    await t?.close();
    await nr?.stop();
  });

  const post = (path: string, body: unknown) =>
    t.request(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });

  test("a metric from a load script reaches every configured account, with Butler's answer", async () => {
    const before = nr.requests.length;
    const r = await post("/v4/newrelic/metric", {
      name: "qlik.reload.rows",
      type: "gauge",
      value: "42.5",
      timestamp: "1700000000000",
      attributes: [{ name: "app", value: "Sales" }],
    });
    expect(r.status).toBe(202);
    expect(r.headers.get("content-type")).toContain("text/plain");
    expect(await r.text()).toBe("Accepted");
    const sent = nr.requests.slice(before);
    expect(sent.map((s) => s.apiKey).sort()).toEqual(["key-finance", "key-prod"]);
    const block = (sent[0]!.body as Array<{ common: { timestamp: number; attributes: Record<string, unknown> }; metrics: unknown[] }>)[0]!;
    expect(block.metrics).toEqual([{ name: "qlik.reload.rows", type: "gauge", value: 42.5 }]);
    expect(block.common.timestamp).toBe(1700000000000);
    expect(block.common.attributes).toEqual({ env: "prod", app: "Sales" });
    expect(nr.violations).toEqual([]);
  });

  test("a custom event is posted to the Event API of its account", async () => {
    const before = nr.requests.length;
    const r = await post("/v4/newrelic/event", { eventType: "qs_appLoaded", attributes: [{ name: "rows", value: 120 }] });
    expect(r.status).toBe(202);
    const sent = nr.requests.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.accountId).toBe("1111111");
    const ev = sent[0]!.body as Record<string, unknown>;
    expect(ev.eventType).toBe("qs_appLoaded");
    expect(ev.rows).toBe(120);
    expect(ev.env).toBe("prod");
    expect(typeof ev.timestamp).toBe("number");
  });

  test("a refusing account is a 502 that names it; bad bodies are 400s naming the field", async () => {
    nr.refuse.set("key-finance", 403);
    const r = await post("/v4/newrelic/metric", { name: "m", type: "gauge", value: 1 });
    nr.refuse.clear();
    expect(r.status).toBe(502);
    const body = (await r.json()) as { error: string };
    expect(body.error).toContain("finance: HTTP 403");
    expect(body.error).not.toContain("key-");
    const missing = await post("/v4/newrelic/metric", { type: "gauge", value: 1 });
    expect(missing.status).toBe(400);
    expect(JSON.stringify(await missing.json())).toContain("body.name");
    const badType = await post("/v4/newrelic/event", { eventType: "has space" });
    expect(badType.status).toBe(400);
  });

  test("a failed reload goes to the Event and Log APIs of the fixed account and the one its custom property names", async () => {
    const before = nr.requests.length;
    const e = syntheticTaskEvent({ outcome: "failed", taskName: "Finance reload", appName: "Finance" });
    e.task.customProperties.push({ name: "Butler_FailedTask_Event_NewRelicAccount", value: "finance" });
    await t.app.bus.emit("task.failed", e);
    await waitFor(() => nr.requests.length >= before + 4, { what: "2 events and 2 logs" });
    const sent = nr.requests.slice(before);
    const events = sent.filter((s) => s.api === "event");
    expect(events.map((s) => s.accountId).sort()).toEqual(["1111111", "2222222"]);
    const ev = (events[0]!.body as Array<Record<string, unknown>>)[0]!;
    expect(ev.eventType).toBe("qs_reloadTaskFailedEvent");
    expect(ev.qs_taskName).toBe("Finance reload");
    expect(ev.qs_appName).toBe("Finance");
    expect(ev.qs_taskId).toBe(e.task.id);
    expect(ev.qs_executionId).toBe(e.executionId);
    expect(ev.service).toBe("qlik");
    expect(ev[`qs_taskTag_${e.task.tags[0]}`]).toBe("true");
    const log = (sent.find((s) => s.api === "log")!.body as Array<{ common: { attributes: Record<string, unknown> }; logs: Array<{ message: string }> }>)[0]!;
    expect(log.common.attributes.logtype).toBe("qs_reloadTaskFailedLog");
    expect(log.logs[0]!.message).toContain("CustomerKey");
    expect(nr.violations).toEqual([]);
  });

  test("after a partial failure the retry sends only to the account that had not accepted", async () => {
    nr.refuse.set("key-finance", 503);
    const before = nr.requests.length;
    const e = syntheticTaskEvent({ outcome: "aborted" });
    e.task.customProperties.push({ name: "Butler_FailedTask_Event_NewRelicAccount", value: "finance" });
    await t.app.bus.emit("task.aborted", e);
    await waitFor(() => nr.requests.slice(before).filter((s) => s.apiKey === "key-finance").length >= 4, { what: "refused attempts" });
    nr.refuse.clear();
    await waitFor(async () => (await t.app.notify.list({ eventId: e.id, limit: 5 })).some((d) => d.status === "delivered"), { what: "delivered" });
    const sent = nr.requests.slice(before);
    expect(
      sent
        .filter((s) => s.apiKey === "key-prod")
        .map((s) => s.api)
        .sort(),
    ).toEqual(["event", "log"]);
    const ev = (sent.find((s) => s.api === "event")!.body as Array<Record<string, unknown>>)[0]!;
    expect(ev.eventType).toBe("qs_reloadTaskAbortedEvent");
  });

  test("a stopped service is a qs_serviceStateEvent with Butler's butler_* attributes", async () => {
    const before = nr.requests.length;
    await t.app.bus.emit("service.stopped", syntheticServiceEvent({ state: "stopped", host: "SENSE1", service: "QlikSenseSchedulerService" }));
    await waitFor(() => nr.requests.length >= before + 2, { what: "event and log" });
    const ev = (nr.requests.slice(before).find((s) => s.api === "event")!.body as Array<Record<string, unknown>>)[0]!;
    expect(ev.eventType).toBe("qs_serviceStateEvent");
    expect(ev.butler_serviceHost).toBe("SENSE1");
    expect(ev.butler_serviceName).toBe("QlikSenseSchedulerService");
    expect(ev.butler_serviceStatus).toBe("STOPPED");
  });
});

describe("New Relic not configured", () => {
  test("the routes answer 503 at once instead of hanging", async () => {
    const t = createTestApp("security:\n  allowUnauthenticated: true\n");
    try {
      const r = await t.request("/v4/newrelic/event", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ eventType: "x" }),
      });
      expect(r.status).toBe(503);
    } finally {
      await t.close();
    }
  });

  test("a route kept with Butler's headers and attributes but no account yet (as the import writes it) answers 503", async () => {
    const t = createTestApp(
      "security:\n  allowUnauthenticated: true\nnewRelic:\n  accounts: [{ name: prod, accountId: 1, insertApiKey: k }]\n  api: { metric: { accounts: [], headers: { X-My-Header: v }, attributes: { env: prod } } }\n",
    );
    try {
      const r = await t.request("/v4/newrelic/metric", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ name: "m", type: "gauge", value: 1 }),
      });
      expect(r.status).toBe(503);
      expect(((await r.json()) as { message: string }).message).toContain("newRelic.api.metric.accounts");
    } finally {
      await t.close();
    }
  });

  test("an unknown account name is a config error naming the key", () => {
    expect(() => createTestApp("newRelic:\n  accounts: [{ name: prod, accountId: 1, insertApiKey: k }]\n  api: { event: { accounts: [prd] } }\n")).toThrow(
      /^test\.yaml:\d+:\d+ newRelic\.api\.event\.accounts\[0\]: no New Relic account named "prd"/,
    );
  });
});
