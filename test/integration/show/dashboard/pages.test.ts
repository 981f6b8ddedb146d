// Dashboard pages over HTTP (no browser): the event timeline fed by the bus, event details, the inbox only when
// attached, and sections that explain why they are empty when a feature is off.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { syntheticServiceEvent, syntheticSiteEvent, syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import type { CapturedItem } from "../../../../src/show/demo/capture-types";
import { DASHBOARD_JS } from "../../../../src/show/dashboard/client-script";

const html = async (t: TestApp, path: string) => {
  const res = await t.request(path);
  return { status: res.status, type: res.headers.get("content-type") ?? "", body: await res.text() };
};

describe("dashboard pages", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = createTestApp("");
    await t.app.start();
  });
  afterAll(() => t.close());

  test("task and service events appear on the timeline, newest first, coloured by outcome", async () => {
    const failed = syntheticTaskEvent({ outcome: "failed", taskName: "Reload Sales <dashboard>" });
    const ok = syntheticTaskEvent({ outcome: "succeeded", taskName: "Reload Finance" });
    await t.app.bus.emit("task.failed", failed);
    await t.app.bus.emit("task.succeeded", ok);
    await t.app.bus.emit("service.stopped", syntheticServiceEvent({ state: "stopped", service: "QlikSenseSchedulerService" }));
    const page = await html(t, "/ui/events");
    expect(page.status).toBe(200);
    expect(page.type).toContain("text/html");
    const kinds = [...page.body.matchAll(/<li data-kind="([^"]+)"/g)].map((m) => m[1]);
    expect(kinds).toEqual(["service.stopped", "task.succeeded", "task.failed"]);
    // Names are escaped, never injected as markup.
    expect(page.body).toContain("Reload Sales &lt;dashboard&gt;");
    expect(page.body).toMatch(/class="bar s-fail"/);
    expect(page.body).toMatch(/class="bar s-ok"/);

    const onlyFailed = await html(t, "/ui/events?kind=task.failed");
    expect([...onlyFailed.body.matchAll(/<li data-kind="([^"]+)"/g)].map((m) => m[1])).toEqual(["task.failed"]);

    const overview = await html(t, "/ui");
    expect(overview.body).toMatch(/<b[^>]*>1<\/b><span>failed tasks<\/span>/);
    // A single Steward has no cluster: no such health row (nor in /ready).
    expect(overview.body).toContain('data-component="store"');
    expect(overview.body).not.toContain('data-component="cluster"');
    expect(Object.keys(((await (await t.request("/ready")).json()) as { components: object }).components)).not.toContain("cluster");
  });

  test("an event's detail page shows its properties and script log tail", async () => {
    const e = syntheticTaskEvent({ outcome: "failed", taskName: "Nightly load" });
    await t.app.bus.emit("task.failed", e);
    const seq = t.app.dashboard.timeline.entries(1)[0]!.seq;
    const page = await html(t, `/ui/events/${seq}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain("Nightly load");
    expect(page.body).toContain(e.task.id);
    expect(page.body).toContain("Field &#39;CustomerKey&#39; not found");
    expect((await html(t, "/ui/events/999999")).status).toBe(404);
  });

  test("a license event's page shows its summary and facts; the JSON payload is folded away", async () => {
    const e = syntheticSiteEvent("license.expiring");
    await t.app.bus.emit("license.expiring", e);
    const seq = t.app.dashboard.timeline.entries(1)[0]!.seq;
    const page = await html(t, `/ui/events/${seq}`);
    expect(page.status).toBe(200);
    const facts = /<section class="card" id="event-facts">([\s\S]*?)<\/section>/.exec(page.body)?.[1] ?? "";
    expect(e.facts.length).toBeGreaterThan(0);
    for (const f of e.facts) {
      expect(facts).toContain(`<dt>${f.name}</dt>`);
      expect(facts).toContain(`<dd>${f.value}</dd>`);
    }
    expect(page.body).toMatch(/<details class="card"><summary>Event payload \(JSON\)<\/summary><pre>/);
  });

  test("the inbox exists only once a capture inbox is attached", async () => {
    expect((await html(t, "/ui/inbox")).status).toBe(404);
    expect((await html(t, "/ui")).body).not.toContain('href="/ui/inbox"');
    const mail: CapturedItem = {
      kind: "mail",
      id: 7,
      receivedAt: new Date().toISOString(),
      envelopeFrom: "steward@demo.example",
      envelopeTo: ["ops@demo.example"],
      from: "Steward <steward@demo.example>",
      to: ["ops@demo.example"],
      subject: "Reload failed: Sales",
      html: '<p onclick="x()">Hello <b>ops</b></p>',
      text: "Hello ops",
      attachments: [{ filename: "script.log", mimeType: "text/plain", sizeBytes: 120 }],
      sizeBytes: 2048,
    };
    t.app.dashboard.attachInbox({ items: () => [mail], get: (id) => (id === 7 ? mail : undefined) });
    const list = await html(t, "/ui/inbox");
    expect(list.status).toBe(200);
    expect(list.body).toContain("Reload failed: Sales");
    expect(list.body).toContain("1 attachment(s)");
    const item = await html(t, "/ui/inbox/7");
    // The mail's HTML goes into a sandboxed frame as an escaped attribute: it renders, it cannot run (no
    // allow-scripts); its links open a tab of their own (test/integration/show/demo/inbox-buttons.test.ts).
    expect(item.body).toContain('sandbox="allow-popups allow-popups-to-escape-sandbox"');
    expect(item.body).toContain('srcdoc="&lt;base target=&quot;_blank&quot;&gt;&lt;p onclick=&quot;x()&quot;&gt;Hello &lt;b&gt;ops&lt;/b&gt;&lt;/p&gt;"');
    expect(item.body).toContain("script.log (text/plain, 120 bytes)");
    expect((await html(t, "/ui/inbox/8")).status).toBe(404);
  });

  test("the inline script is valid JavaScript (escapes inside the template literal survive)", () => {
    expect(() => new Function(DASHBOARD_JS)).not.toThrow();
  });

  test("pages are hidden from the API docs", async () => {
    const spec = (await (await t.request("/openapi.json")).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(spec.paths).filter((p) => p.startsWith("/ui"))).toEqual([]);
  });
});

describe("dashboard with features switched off", () => {
  test("the key-value page says the store is not available", async () => {
    const t = createTestApp("kv:\n  enabled: false\n");
    try {
      await t.app.start();
      const page = await html(t, "/ui/kv");
      expect(page.status).toBe(200);
      expect(page.body).toContain("The key-value store is not available in this Steward");
    } finally {
      await t.close();
    }
  });
});
