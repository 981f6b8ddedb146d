// The incidents page over HTTP: open incidents and recently closed ones, read from the store through /v4/incidents,
// names escaped; and a page that says why it is empty when incidents are off.
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
