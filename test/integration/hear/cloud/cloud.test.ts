// Qlik Cloud against the simulated tenant (HTTPS, API key): a failed Cloud reload reaches a webhook once with
// its log's error lines, through a restart; a 429 storm slows polling and loses nothing; a wrong key is one
// error; a tenant answering HTML, cut-off JSON, unknown statuses or an endless cursor is bounded, never a crash.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { Writable } from "node:stream";
import pino from "pino";
import type { SiteEvent, TaskEvent } from "../../../../src/platform/events/types";
import { type Simulator, startSimulator } from "../../../../src/sim";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { simControl } from "../../../helpers/sim-control";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { simCertDir } from "../../../helpers/sim-certs";
import { wallLimit } from "../../../helpers/time-limit";

const dir = createTempDir();
let sim: Simulator;
let appId: string;
const hooks: Array<{ body: any }> = [];
let receiver: ReturnType<typeof Bun.serve>;

beforeAll(async () => {
  sim = await startSimulator({
    certDir: simCertDir(join(dir.path, "sim-certs")),
    qrsPort: 0,
    enginePort: 0,
    controlPort: 0,
    cloudPort: 0,
    schedules: false,
    settings: { timing: { durationOverrideMs: 60 } },
  });
  appId = sim.site.apps[0]!.id;
  receiver = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: async (req) => {
      hooks.push({ body: await req.json() });
      return new Response("ok");
    },
  });
});
afterAll(async () => {
  receiver?.stop(true);
  await sim?.stop();
  dir.remove();
});

const tenantYaml = (key: string, extra = "") => `qlikCloud:
  tenants:
    - name: corp-cloud
      url: ${sim.urls.cloud}
      apiKey: ${key}
      caFile: ${join(sim.certDir, "root.pem")}
      pollInterval: 150ms
      lookBack: 1h
${extra}`;
const hookYaml = () => `channels:
  hook: { type: webhook, url: "http://127.0.0.1:${receiver.port}/hook" }
routes:
  - { name: cloud-failures, on: [task.failed], to: [hook], sources: [cloud], renotify: every }
`;
const run = (outcome: "succeed" | "fail" | "cancel") => simControl(sim, "POST", "/cloud/reloads", { appId, outcome }) as Promise<{ id: string }>;
const capture = () => {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({ write: (chunk, _enc, cb) => (lines.push(JSON.parse(String(chunk)) as Record<string, unknown>), cb()) });
  return { log: pino({ level: "info" }, stream), lines };
};
const FINAL = new Set(["SUCCEEDED", "FAILED", "CANCELED", "EXCEEDED_LIMIT"]);
/** Until the simulated tenant lists the reload as ended (its run takes durationOverrideMs). */
const ended = (id: string) =>
  waitFor(
    async () => ((await simControl(sim, "GET", "/cloud/reloads")) as Array<{ id: string; status: string }>).some((r) => r.id === id && FINAL.has(r.status)),
    {
      what: `reload ${id} ended`,
      timeoutMs: 5_000,
    },
  );
/** Two more polls of the Steward's tenant, each begun after the one before ended: what they would announce twice, they have. */
const twoMorePolls = async (s: TestApp) => {
  await s.app.cloudTenants[0]!.poll();
  await s.app.cloudTenants[0]!.poll();
};
/** The failure alerts of the reload (its app's cause lists the run on later alerts and its recovered page too: no second alert of it). */
const hooksFor = (reloadId: string) =>
  hooks.filter(
    (h) => (h.body as { kind?: string; executionId?: string }).kind === "task.failed" && (h.body as { executionId?: string }).executionId === reloadId,
  );

describe("a Qlik Cloud tenant watched outbound", () => {
  let t: TestApp;
  const events: TaskEvent[] = [];
  const stewardDir = join(dir.path, "steward");
  const start = async () => {
    const app = createTestApp(`${tenantYaml(sim.cloud!.apiKey)}${hookYaml()}`, { dir: stewardDir });
    for (const k of ["task.failed", "task.succeeded", "task.aborted"] as const) app.app.bus.on(k, (e) => void events.push(e as TaskEvent));
    await app.app.start();
    return app;
  };
  beforeAll(async () => {
    t = await start();
  });
  afterAll(async () => {
    await t?.close();
  });

  test("a failed reload is alerted once, with its log's error lines; a success and a cancel are task events too", async () => {
    const failed = await run("fail");
    const ok = await run("succeed");
    const cancelled = await run("cancel");
    await waitFor(() => hooksFor(failed.id).length >= 1 && events.some((e) => e.executionId === ok.id) && events.some((e) => e.executionId === cancelled.id), {
      timeoutMs: 15_000,
    });
    await twoMorePolls(t); // nothing is announced twice
    expect(hooksFor(failed.id)).toHaveLength(1);
    const e = events.find((x) => x.executionId === failed.id)!;
    expect(e.kind).toBe("task.failed");
    expect(e.source).toBe("cloud");
    expect(e.app?.name).toBe(sim.site.apps[0]!.name);
    expect(e.app?.stream).toBe("Finance (Cloud)");
    expect(e.app?.owner?.emails).toEqual(["anna.svensson@corp.example"]);
    expect(e.scriptLog?.failureCount).toBe(2); // "Error: …" and "Execution Failed"
    expect(e.execution?.details.map((x) => x.message)).toContain("EngineReloadScriptError: The reload script failed: Field 'OrderDate' not found");
    expect(JSON.stringify(hooksFor(failed.id)[0]!.body)).toContain("Error: Field 'OrderDate' not found");
    expect(events.find((x) => x.executionId === ok.id)?.kind).toBe("task.succeeded");
    expect(events.find((x) => x.executionId === cancelled.id)?.kind).toBe("task.aborted");
    expect(events.filter((x) => x.executionId === failed.id)).toHaveLength(1);
  });

  test("through a restart: what was announced is not again, what ended while Steward was down is, once", async () => {
    await t.app.stop();
    const whileDown = await run("fail");
    await ended(whileDown.id);
    t = await start();
    await waitFor(() => hooksFor(whileDown.id).length >= 1, { timeoutMs: 15_000 });
    await twoMorePolls(t);
    expect(hooksFor(whileDown.id)).toHaveLength(1);
    const byId = new Map<string, number>();
    for (const e of events) byId.set(e.executionId, (byId.get(e.executionId) ?? 0) + 1);
    expect([...byId.values()].every((n) => n === 1)).toBe(true);
  });

  test("a 429 storm slows polling and loses no reload", async () => {
    await simControl(sim, "PATCH", "/cloud/settings", { rateLimitPerMinute: 3, retryAfterSeconds: 1 });
    const ids = [(await run("fail")).id, (await run("fail")).id, (await run("fail")).id];
    const rateLimited = /steward_cloud_polls_total\{tenant="corp-cloud",result="rate-limited"\} [1-9]/;
    await waitFor(() => rateLimited.test(t.app.metrics.render()) || undefined, { what: "a poll rate-limited", timeoutMs: 10_000 });
    await simControl(sim, "PATCH", "/cloud/settings", { rateLimitPerMinute: 1000 });
    await waitFor(() => ids.every((id) => hooksFor(id).length === 1), { timeoutMs: 20_000 });
    expect(ids.map((id) => hooksFor(id).length)).toEqual([1, 1, 1]);
  });

  test("POST /v4/cloud/reloads starts a Cloud reload, audited", async () => {
    const res = await t.request("/v4/cloud/reloads", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ appId }) });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { reloadId: string; status: string };
    expect(body.status).toBe("QUEUED");
    await waitFor(() => events.some((e) => e.executionId === body.reloadId && e.kind === "task.succeeded"), { timeoutMs: 15_000 });
    const audit = (await (await t.request("/v4/audit?limit=20")).json()) as { entries: Array<{ action: string; target: string }> };
    expect(audit.entries.some((a) => a.action === "cloud.reload.start" && a.target === appId)).toBe(true);
    const bad = await t.request("/v4/cloud/reloads", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ appId: "" }) });
    expect(bad.status).toBe(400);
  });
});

describe("a tenant that misbehaves", () => {
  test("a wrong key: one error in the log, one qlikcloud.key_rejected event, /ready says so; no retry loop", async () => {
    const { log, lines } = capture();
    const t = createTestApp(tenantYaml("not-the-key"), { dir: join(dir.path, "wrong-key"), log });
    const site: SiteEvent[] = [];
    t.app.bus.on("qlikcloud.key_rejected", (e) => void site.push(e));
    await t.app.start();
    try {
      await waitFor(() => site.length >= 1, { timeoutMs: 10_000 });
      await Bun.sleep(800);
      expect(site).toHaveLength(1);
      expect(lines.filter((l) => String(l.msg).includes("API key is refused"))).toHaveLength(1);
      const ready = (await (await t.request("/ready")).json()) as { components: Record<string, { ok: boolean; detail?: string }> };
      expect(ready.components["qlik-cloud:corp-cloud"]?.ok).toBe(false);
      expect(ready.components["qlik-cloud:corp-cloud"]?.detail).toContain("refused the API key (HTTP 401)");
      const requests = sim.requests.list({ source: "cloud" }).filter((r) => r.status === 401).length;
      expect(requests).toBeLessThanOrEqual(2);
      expect(JSON.stringify(lines)).not.toContain(sim.cloud!.apiKey);
    } finally {
      await t.close();
    }
  });

  test("an unreadable reload entry is warned about while it is in the poll's window, passed over once it is older", {
    timeout: wallLimit(60_000),
  }, async () => {
    await run("succeed");
    await Bun.sleep(1_500); // ended, and older than a lookBack of one second when the Stewards below start
    await simControl(sim, "PATCH", "/cloud/settings", { misbehave: "unreadableEntry" });
    const skippedWith = async (lookBack: string) => {
      const { log, lines } = capture();
      sim.requests.clear();
      const t = createTestApp(tenantYaml(sim.cloud!.apiKey).replace("lookBack: 1h", `lookBack: ${lookBack}`), {
        dir: join(dir.path, `unreadable-${lookBack}`),
        log,
      });
      await t.app.start();
      try {
        const polls = () => sim.requests.list({ source: "cloud" }).filter((r) => r.path === "/api/v1/reloads").length;
        await waitFor(() => polls() >= 4 || undefined, { what: "four polls", timeoutMs: wallLimit(20_000) });
        return lines.filter((l) => l.msg === "Qlik Cloud: a reload entry Steward cannot read was skipped").length;
      } finally {
        await t.close();
      }
    };
    try {
      // In the window (an hour): the entry is read, and said to be unreadable.
      expect(await skippedWith("1h")).toBeGreaterThan(0);
      // Older than the window: nothing to read in it, and no warning at each poll for what the poll leaves alone.
      expect(await skippedWith("1s")).toBe(0);
    } finally {
      await simControl(sim, "PATCH", "/cloud/settings", { misbehave: null });
    }
  });

  for (const misbehave of ["html", "truncated", "unknownStatus", "endlessCursor"] as const)
    test(`${misbehave}: reported, bounded, no crash`, async () => {
      const { log, lines } = capture();
      const failed = await run("fail");
      await ended(failed.id);
      await simControl(sim, "PATCH", "/cloud/settings", { misbehave });
      sim.requests.clear();
      const t = createTestApp(tenantYaml(sim.cloud!.apiKey, "      maxPages: 5\n"), { dir: join(dir.path, `bad-${misbehave}`), log });
      await t.app.start();
      const said = {
        html: "instead of JSON",
        truncated: "cannot parse",
        unknownStatus: "a status Steward does not know",
        endlessCursor: "same next page twice",
      }[misbehave];
      try {
        // Reported at the first poll, which comes later on a loaded machine (it failed after a fixed 1.2 s there).
        await waitFor(() => JSON.stringify(lines).includes(said) || undefined, { what: `the log saying "${said}"`, timeoutMs: wallLimit(15_000) });
        const listCalls = sim.requests.list({ source: "cloud" }).filter((r) => r.path === "/api/v1/reloads").length;
        expect(listCalls).toBeLessThan(60); // bounded: backoff or page limits, not a busy loop
        expect(t.app.metrics.render()).toContain('steward_uncaught_errors_total{kind="uncaught_exception"} 0');
      } finally {
        await t.close();
        await simControl(sim, "PATCH", "/cloud/settings", { misbehave: null });
      }
      void failed;
    });
});

describe("two Stewards on one PostgreSQL store", () => {
  // Starts PostgreSQL and two Stewards: seconds alone, more on a machine busy with other jobs.
  test("each Cloud reload is announced once for the site, also when the polling Steward stops", { timeout: wallLimit(60_000) }, async () => {
    const { startPostgres } = await import("../../../helpers/services");
    const pg = await startPostgres();
    const url = await pg.createDatabase("cloud_two");
    const stewards: TestApp[] = [];
    const seen: Array<{ by: string; id: string }> = [];
    try {
      for (const name of ["alpha", "beta"]) {
        const s = createTestApp(
          `store:\n  postgres:\n    url: ${url}\n    instanceName: ${name}\n    leaseTtlMs: 2000\n    heartbeatIntervalMs: 300\n${tenantYaml(sim.cloud!.apiKey)}${hookYaml()}`,
          { dir: join(dir.path, `pg-${name}`) },
        );
        s.app.bus.on("task.failed", (e) => void seen.push({ by: name, id: (e as TaskEvent).executionId }));
        stewards.push(s);
      }
      await Promise.all(stewards.map((s) => s.app.start()));
      const first = await run("fail");
      await waitFor(() => seen.some((x) => x.id === first.id), { timeoutMs: 15_000 });
      const poller = seen.find((x) => x.id === first.id)!.by;
      await stewards[poller === "alpha" ? 0 : 1]!.app.stop();
      const second = await run("fail");
      await waitFor(() => seen.some((x) => x.id === second.id), { timeoutMs: 20_000 });
      // The webhook goes out after the event, through the store's outbox: two Cloud polls need not take longer (a
      // suite run without the time scale saw none for the second reload after them). Once both are in, two more polls
      // show that nothing is announced twice, as the tests above wait for theirs.
      await waitFor(() => hooksFor(first.id).length >= 1 && hooksFor(second.id).length >= 1, { what: "both reloads' webhooks", timeoutMs: 20_000 });
      await twoMorePolls(stewards[poller === "alpha" ? 1 : 0]!);
      expect(seen.filter((x) => x.id === first.id)).toHaveLength(1);
      expect(seen.filter((x) => x.id === second.id).map((x) => x.by)).toEqual([poller === "alpha" ? "beta" : "alpha"]);
      expect(hooksFor(first.id)).toHaveLength(1);
      expect(hooksFor(second.id)).toHaveLength(1);
    } finally {
      for (const s of stewards) await s.close().catch(() => {});
      await pg.stop();
    }
  });
});

describe("Cloud reloads started over MQTT", () => {
  test("an app id on mqtt.cloudReloadStart's topic starts a reload; the reply names it; a bad payload gets an error reply", async () => {
    const { startMosquitto } = await import("../../../helpers/services");
    const { default: mqtt } = await import("mqtt");
    const broker = await startMosquitto({});
    const t = createTestApp(`mqtt:\n  url: ${broker.url}\n  cloudReloadStart: { topic: steward/cloud/start }\n${tenantYaml(sim.cloud!.apiKey)}`, {
      dir: join(dir.path, "mqtt-start"),
    });
    const done: TaskEvent[] = [];
    t.app.bus.on("task.succeeded", (e) => void done.push(e as TaskEvent));
    const client = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    const replies: any[] = [];
    client.on("message", (_topic, payload) => replies.push(JSON.parse(payload.toString())));
    try {
      await client.subscribeAsync("steward/cloud/start/result");
      await t.app.start();
      await waitFor(async () => (await (await t.request("/ready")).json()) as unknown, { timeoutMs: 5_000 });
      await waitFor(
        async () => {
          await client.publishAsync("steward/cloud/start", appId, { qos: 1 });
          await Bun.sleep(300);
          return replies.length > 0;
        },
        { timeoutMs: 10_000 },
      );
      const started = replies[0] as { reloadId: string; tenant: string; status: string };
      expect(started.tenant).toBe("corp-cloud");
      expect(started.status).toBe("QUEUED");
      await waitFor(() => done.some((e) => e.executionId === started.reloadId), { timeoutMs: 15_000 });
      await client.publishAsync("steward/cloud/start", '{"appId": 5}', { qos: 1 });
      await waitFor(() => replies.some((r) => r.code === "BAD_REQUEST"), { timeoutMs: 5_000 });
      expect(replies.find((r) => r.code === "BAD_REQUEST").error).toContain("appId");
    } finally {
      await client.endAsync();
      await t.close();
      await broker.stop();
    }
  });
});

describe("a first start", () => {
  test("does not replay the tenant's history: reloads that ended before lookBack are not announced", async () => {
    const old = await run("fail");
    await waitFor(
      async () =>
        ((await simControl(sim, "GET", "/cloud/reloads")) as Array<{ id: string; status: string }>).some((r) => r.id === old.id && r.status === "FAILED"),
      {
        timeoutMs: 5_000,
      },
    );
    await Bun.sleep(50);
    const t = createTestApp(tenantYaml(sim.cloud!.apiKey).replace("lookBack: 1h", "lookBack: 10ms"), { dir: join(dir.path, "first-start") });
    const seen: string[] = [];
    t.app.bus.on("task.failed", (e) => void seen.push((e as TaskEvent).executionId));
    await t.app.start();
    try {
      await waitFor(() => t.app.cloudTenants[0]!.state().lastPollAt, { timeoutMs: 5_000 });
      const fresh = await run("fail");
      await waitFor(() => seen.includes(fresh.id), { timeoutMs: 10_000 });
      expect(seen).not.toContain(old.id);
    } finally {
      await t.close();
    }
  });
});

describe("an OAuth machine-to-machine client instead of an API key", () => {
  const oauthYaml = (secret: string) =>
    tenantYaml("x").replace("      apiKey: x\n", `      oauth: { clientId: ${sim.cloud!.oauthClient.clientId}, clientSecret: ${secret} }\n`);

  test("Steward gets a token, renews it when it runs out, and still hears every reload", async () => {
    await simControl(sim, "PATCH", "/cloud/settings", { tokenLifetimeSeconds: 1 });
    const t = createTestApp(oauthYaml(sim.cloud!.oauthClient.clientSecret), { dir: join(dir.path, "oauth") });
    const seen: string[] = [];
    t.app.bus.on("task.failed", (e) => void seen.push((e as TaskEvent).executionId));
    sim.requests.clear();
    await t.app.start();
    try {
      const first = await run("fail");
      await waitFor(() => seen.includes(first.id), { timeoutMs: 10_000 });
      await Bun.sleep(2_200); // the token has run out
      const second = await run("fail");
      await waitFor(() => seen.includes(second.id), { timeoutMs: 10_000 });
      const tokens = sim.requests.list({ source: "cloud" }).filter((r) => r.path === "/oauth/token");
      expect(tokens.length).toBeGreaterThanOrEqual(2);
      expect(tokens.every((r) => r.status === 200)).toBe(true);
      expect(sim.requests.list({ source: "cloud" }).filter((r) => r.status === 401)).toHaveLength(0);
    } finally {
      await t.close();
      await simControl(sim, "PATCH", "/cloud/settings", { tokenLifetimeSeconds: 21_600 });
    }
  });

  test("a wrong secret is one error naming the OAuth client and one qlikcloud.key_rejected event", async () => {
    const { log, lines } = capture();
    const t = createTestApp(oauthYaml("wrong-secret"), { dir: join(dir.path, "oauth-wrong"), log });
    const site: SiteEvent[] = [];
    t.app.bus.on("qlikcloud.key_rejected", (e) => void site.push(e));
    await t.app.start();
    try {
      await waitFor(() => site.length >= 1, { timeoutMs: 10_000 });
      await Bun.sleep(600);
      expect(site).toHaveLength(1);
      expect(site[0]!.title).toContain("OAuth client");
      expect(lines.filter((l) => String(l.msg).includes("the OAuth client is refused"))).toHaveLength(1);
    } finally {
      await t.close();
    }
  });

  test("a config with both an API key and an OAuth client, or neither, is refused naming the key", async () => {
    const { parseConfigText } = await import("../../../../src/composition/config");
    expect(() => parseConfigText(oauthYaml("s").replace("      oauth:", "      apiKey: k\n      oauth:"), "t.yaml", dir.path)).toThrow(
      /apiKey: give either apiKey or oauth/,
    );
    expect(() => parseConfigText(tenantYaml("x").replace("      apiKey: x\n", ""), "t.yaml", dir.path)).toThrow(/apiKey: give either apiKey or oauth/);
  });
});
