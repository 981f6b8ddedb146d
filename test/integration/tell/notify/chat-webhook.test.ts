// Slack, Teams and webhook channels against Bun.serve receivers: payload shapes, HMAC signature, GET query
// form, idempotency of a re-emitted event, and retries → dead letter → manual retry over REST.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createTempDir } from "../../../helpers/temp-dir";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { waitFor } from "../../../helpers/wait-for";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { startHttpReceiver, type HttpReceiver } from "./receivers";
import { wallLimit } from "../../../helpers/time-limit";
import { cachedCertSet } from "../../../helpers/sim-certs";

const SECRET = "s3cr3t-shared-key";

describe("chat and webhook channels", () => {
  let rx: HttpReceiver;
  let t: TestApp;

  beforeAll(async () => {
    rx = startHttpReceiver(200);
    t = createTestApp(`
channels:
  slack: { type: slack, webhookUrl: "${rx.url}/slack", username: Steward }
  teams: { type: teams, webhookUrl: "${rx.url}/teams" }
  hook: { type: webhook, url: "${rx.url}/hook", headers: { X-Team: qlik-ops }, hmac: { secret: ${SECRET} } }
  hookget: { type: webhook, method: GET, url: "${rx.url}/get?static=1" }
routes:
  - { name: failures, on: [task.failed, task.aborted], to: [slack, teams, hook, hookget] }
notify:
  outbox: { initialBackoff: 50ms, maxBackoff: 200ms }
`);
    await t.app.start();
  });
  afterAll(async () => {
    await t?.close();
    await rx?.stop();
  });

  test("a failed reload reaches all four with the right shapes, once", async () => {
    const event = syntheticTaskEvent({ outcome: "failed", taskName: "Nightly sales reload", appName: "Sales" });
    // An owner with two e-mail attributes: Butler's appOwnerEmail is the first one, a single address.
    event.app!.owner!.emails = ["anna@corp.example", "anna.andersson@corp.example"];
    await t.app.bus.emit("task.failed", event);
    await waitFor(() => rx.requests.length >= 4, { what: "4 requests" });

    const slack = rx.requests.find((r) => r.path === "/slack")!;
    const sb = JSON.parse(slack.body);
    expect(sb.username).toBe("Steward");
    expect(sb.text).toContain("Nightly sales reload");
    expect(sb.blocks[0].type).toBe("header");
    expect(sb.blocks[0].text.text).toContain("Reload task failed: Nightly sales reload");
    const fields = sb.blocks[1].fields.map((f: { text: string }) => f.text);
    expect(fields).toContain("*App*\nSales");
    expect(JSON.stringify(sb.blocks)).toContain("Field 'CustomerKey' not found");

    const teams = JSON.parse(rx.requests.find((r) => r.path === "/teams")!.body);
    expect(teams.type).toBe("message");
    expect(teams.attachments[0].contentType).toBe("application/vnd.microsoft.card.adaptive");
    const card = teams.attachments[0].content;
    expect(card.type).toBe("AdaptiveCard");
    const facts = card.body.find((b: { type: string }) => b.type === "FactSet").facts;
    expect(facts).toContainEqual({ title: "Task", value: "Nightly sales reload" });
    expect(facts).toContainEqual({ title: "Task id", value: event.task.id });

    const hook = rx.requests.find((r) => r.path === "/hook")!;
    expect(hook.method).toBe("POST");
    expect(hook.headers.get("x-team")).toBe("qlik-ops");
    expect(hook.headers.get("x-steward-delivery")).toBe(`${event.id}|hook|`);
    const ts = hook.headers.get("x-steward-timestamp")!;
    const expected = `sha256=${createHmac("sha256", SECRET).update(`${ts}.${hook.body}`).digest("hex")}`;
    expect(hook.headers.get("x-steward-signature")).toBe(expected);
    const hb = JSON.parse(hook.body);
    expect(hb.event).toBe("Qlik Sense reload failed");
    expect(hb.taskName).toBe("Nightly sales reload");
    expect(hb.taskId).toBe(event.task.id);
    expect(hb.appName).toBe("Sales");
    expect(hb.appOwnerEmail).toBe("anna@corp.example");
    expect(hb.appOwnerEmails).toEqual(["anna@corp.example", "anna.andersson@corp.example"]);
    expect(hb.executionId).toBe(event.executionId);
    expect(hb.stewardEvent).toEqual(JSON.parse(JSON.stringify(event)));

    const get = rx.requests.find((r) => r.path === "/get")!;
    expect(get.method).toBe("GET");
    expect(get.body).toBe("");
    expect(get.query.get("static")).toBe("1");
    expect(get.query.get("taskName")).toBe("Nightly sales reload");
    expect(get.query.get("event")).toBe("Qlik Sense reload failed");

    // A send is recorded as delivered just after the receiver has it: on a loaded machine that can be a moment later.
    type Listed = { deliveries: Array<{ channel: string; eventId: string; attempts: number }> };
    const list = await waitFor(
      async () => {
        const l = (await (await t.request("/v4/deliveries?status=delivered")).json()) as Listed;
        return l.deliveries.length >= 4 ? l : undefined;
      },
      { what: "four deliveries recorded as delivered", timeoutMs: 15_000 },
    );
    expect(list.deliveries.map((d) => d.channel).sort()).toEqual(["hook", "hookget", "slack", "teams"]);
    expect(list.deliveries.every((d) => d.eventId === event.id && d.attempts === 1)).toBe(true);

    // The same event again (a duplicate datagram, a replay): nothing new is sent.
    await t.app.bus.emit("task.failed", event);
    await Bun.sleep(200);
    expect(rx.requests.length).toBe(4);
  });

  test("a succeeded task matches no route and sends nothing", async () => {
    const before = rx.requests.length;
    await t.app.bus.emit("task.succeeded", syntheticTaskEvent({ outcome: "succeeded" }));
    await Bun.sleep(200);
    expect(rx.requests.length).toBe(before);
  });
});

describe("a webhook that keeps failing", () => {
  let rx: HttpReceiver;
  let t: TestApp;

  beforeAll(async () => {
    rx = startHttpReceiver(500);
    t = createTestApp(`
channels:
  hook: { type: webhook, url: "${rx.url}/hook" }
  strict: { type: webhook, url: "${rx.url}/strict" }
routes:
  - { on: [task.failed], to: [hook] }
  - { on: [task.aborted], to: [strict] }
notify:
  outbox: { initialBackoff: 50ms, maxBackoff: 150ms, maxAge: 1s }
`);
    await t.app.start();
  });
  afterAll(async () => {
    await t?.close();
    await rx?.stop();
  });

  test("is retried with backoff, dead-lettered after maxAge, listed, and can be retried by hand", { timeout: wallLimit(20_000) }, async () => {
    const event = syntheticTaskEvent({ outcome: "failed" });
    await t.app.bus.emit("task.failed", event);
    type D = { id: number; status: string; attempts: number; lastError: string; reason: string };
    const dead = await waitFor(
      async () => {
        const body = (await (await t.request("/v4/deliveries?status=dead")).json()) as { deliveries: D[] };
        return body.deliveries[0];
      },
      { what: "a dead delivery", timeoutMs: 10_000 },
    );
    const hookRequests = rx.requests.filter((r) => r.path === "/hook");
    expect(hookRequests.length).toBeGreaterThanOrEqual(3);
    expect(dead.attempts).toBe(hookRequests.length);
    expect(dead.lastError).toContain("HTTP 500");
    expect(dead.reason).toContain("maxAge");
    // Every attempt carried the same idempotency key.
    expect(new Set(hookRequests.map((r) => r.headers.get("x-steward-delivery"))).size).toBe(1);

    const metrics = await (await t.request("/metrics")).text();
    expect(metrics).toContain('steward_notify_deliveries_total{channel="hook",outcome="dead"} 1');
    expect(metrics).toMatch(/steward_notify_deliveries_total\{channel="hook",outcome="retry"\} [1-9]/);
    expect(metrics).toContain('steward_notify_outbox_deliveries{channel="hook",status="dead"} 1');

    rx.respondWith(200);
    const retried = await t.request(`/v4/deliveries/${dead.id}/retry`, { method: "POST" });
    expect(retried.status).toBe(202);
    await waitFor(
      async () => {
        const d = (await (await t.request(`/v4/deliveries/${dead.id}`)).json()) as D;
        return d.status === "delivered";
      },
      { what: "delivered after retry" },
    );
    const again = await t.request(`/v4/deliveries/${dead.id}/retry`, { method: "POST" });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { code: string }).code).toBe("CONFLICT");
  });

  test("a 4xx answer is permanent: dead after one attempt", async () => {
    rx.respondWith(400);
    await t.app.bus.emit("task.aborted", syntheticTaskEvent({ outcome: "aborted" }));
    const dead = await waitFor(
      async () => {
        const body = (await (await t.request("/v4/deliveries?status=dead&channel=strict")).json()) as {
          deliveries: Array<{ attempts: number; reason: string }>;
        };
        return body.deliveries[0];
      },
      { what: "dead strict delivery" },
    );
    expect(dead.attempts).toBe(1);
    expect(dead.reason).toBe("permanent failure");
    expect(rx.requests.filter((r) => r.path === "/strict").length).toBe(1);
  });
});

describe("a webhook over https with a private CA", () => {
  test("is delivered when the CA is configured and refused when it is not", { timeout: wallLimit(20_000) }, async () => {
    const certs = cachedCertSet();
    const dir = createTempDir("steward-webhook-tls-");
    writeFileSync(join(dir.path, "ca.pem"), certs.ca);
    const bodies: string[] = [];
    const server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      tls: { key: certs.serverKey, cert: certs.serverCert },
      async fetch(req) {
        bodies.push(await req.text());
        return new Response("ok");
      },
    });
    const t = createTestApp(
      `
channels:
  trusted: { type: webhook, url: "https://localhost:${server.port}/hook", ca: ./ca.pem }
  untrusted: { type: webhook, url: "https://localhost:${server.port}/hook" }
routes:
  - { on: [task.failed], to: [trusted, untrusted] }
notify:
  outbox: { initialBackoff: 5s }
`,
      { dir: dir.path },
    );
    try {
      await t.app.start();
      await t.app.bus.emit("task.failed", syntheticTaskEvent({ outcome: "failed" }));
      await waitFor(
        async () => (await t.app.notify.list({ limit: 10 })).every((d) => d.status !== "sending" && (d.status === "delivered" || d.attempts >= 1)),
        { what: "one attempt each" },
      );
      const rows = await t.app.notify.list({ limit: 10 });
      expect(rows.find((d) => d.channel === "trusted")!.status).toBe("delivered");
      const untrusted = rows.find((d) => d.channel === "untrusted")!;
      expect(untrusted.status).toBe("pending");
      expect(untrusted.lastError).toMatch(/certificate|self.signed|unable to verify/i);
      expect(bodies.length).toBe(1);
    } finally {
      await t.app.stop();
      server.stop(true);
      dir.remove();
    }
  });
});
