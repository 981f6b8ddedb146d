// The incidents page over HTTP: open incidents and recently closed ones, read from the store through /v4/incidents,
// names escaped; a page that says why it is empty when incidents are off; and the Snooze an open incident offers.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { taskSubject } from "../../../../src/tell/incidents";

const html = async (t: TestApp, path: string) => {
  const res = await t.request(path);
  return { status: res.status, body: await res.text() };
};

describe("dashboard: incidents", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = createTestApp("");
    await t.app.start();
  });
  afterAll(() => t.close());

  test("open incidents and recently closed ones, each linked to its task", async () => {
    const inc = t.app.incidents!;
    const now = Date.now();
    const touch = (task: string, title: string, eventId: string, at: number, errorClass?: string) =>
      inc.raise({
        subject: taskSubject(task),
        taskId: task,
        title,
        eventId,
        kind: "task.failed",
        summary: `${title} failed`,
        at,
        failedRun: true,
        ...(errorClass ? { errorClass } : {}),
      });
    await touch("task-a", "Reload <Sales>", "e1", now - 60_000, "file");
    await touch("task-a", "Reload <Sales>", "e2", now - 30_000, "file");
    await touch("task-b", "Reload Finance", "e3", now - 20_000);
    await inc.resolve({ subject: taskSubject("task-b"), eventId: "e4", summary: "Reload Finance recovered after 1 failed run", at: now - 10_000 });

    const page = await html(t, "/ui/incidents");
    expect(page.status).toBe(200);
    const [openPart, closedPart] = page.body.split("Closed in the last 7 days");
    expect(openPart).toContain('href="/ui/tasks/task-a"');
    expect(openPart).toContain("Reload &lt;Sales&gt;");
    expect(openPart).toMatch(/<td>2<\/td>/);
    expect(openPart).toContain(">file<");
    expect(openPart).not.toContain("Reload Finance");
    expect(closedPart).toContain('href="/ui/tasks/task-b"');
    expect(closedPart).toContain("Reload Finance recovered after 1 failed run");
    expect((await html(t, "/ui")).body).toContain('href="/ui/incidents"');
  });
});

describe("dashboard: incidents off", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = createTestApp("incidents:\n  enabled: false\n");
    await t.app.start();
  });
  afterAll(() => t.close());

  test("the page says so instead of showing an error", async () => {
    const page = await html(t, "/ui/incidents");
    expect(page.status).toBe(200);
    expect(page.body).toContain("Incidents are off");
  });
});

describe("dashboard: an incident's Snooze", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = createTestApp('notify: { timeZone: Europe/Stockholm }\nactionLinks: { snooze: [30m, 2h], snoozeUntil: "07:30" }\n');
    await t.app.start();
  });
  afterAll(() => t.close());

  test("offers the alert links' choices; the silence a choice posts holds the incident, and the page then says until when", async () => {
    const now = Date.now();
    const id = (
      await t.app.incidents!.raise({
        subject: taskSubject("task-s"),
        taskId: "task-s",
        title: "Reload Stock",
        eventId: "s1",
        kind: "task.failed",
        summary: "Reload Stock failed",
        at: now,
        failedRun: true,
      })
    ).id;
    const before = (await html(t, "/ui/incidents")).body;
    const control = before.slice(before.indexOf('data-role="snooze-action"'), before.indexOf("</button>", before.indexOf('data-role="snooze-action"')));
    const options = [...control.matchAll(/<option value="([^"]*)">([^<]*)<\/option>/g)].map((m) => ({
      body: JSON.parse(m[1]!.replaceAll("&quot;", '"')) as Record<string, string>,
      label: m[2]!,
    }));
    expect(options.map((o) => o.label)).toEqual(["for 30m", "for 2h", "until 07:30 tomorrow"]);
    expect(Object.keys(options[2]!.body)).toEqual(["endsAt"]);
    expect(options[1]!.body).toEqual({ duration: "2h" });
    expect(control).toContain(`data-ids="${id}"`);
    // What the page's script posts for "for 2h".
    const res = await t.request("/v4/silences", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ matcher: { incidentIds: [id] }, reason: "snoozed from the dashboard (Reload Stock)", ...options[1]!.body }),
    });
    expect(res.status).toBe(201);
    const after = (await html(t, "/ui/incidents")).body;
    expect(after).toContain("Snoozed until");
    expect(after).not.toContain('data-role="snooze-action"');
  });
});
