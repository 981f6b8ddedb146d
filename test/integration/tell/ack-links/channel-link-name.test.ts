// Issue 88, point 4: a link posted to a Teams or Slack channel (an incoming webhook: no person in it, and a click says
// nothing of who clicked) acts as the person who gives their name on its page, recorded with the channel it came
// through; the name is remembered in that browser for the next link; without a name the link is asked again, unused.
// A mail link stays the person it was made for. Read out of the real Slack and Teams messages (an HTTP receiver).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { waitFor } from "../../../helpers/wait-for";
import { startHttpReceiver, type HttpReceiver } from "../notify/receivers";

const BASE = "https://steward.corp.example:8443";
const LINK = /https:\/\/steward\.corp\.example:8443(\/act\/incident\/\d+\?[^\s"<>\\]+)/g;
const linksOf = (body: unknown) => [...JSON.stringify(body).replaceAll("\\u0026", "&").matchAll(LINK)].map((m) => m[1]!);
const post = (form: Record<string, string>, cookie?: string) => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded", ...(cookie ? { cookie } : {}) },
  body: new URLSearchParams(form).toString(),
});

describe("acknowledging from a Teams or Slack channel names the person", () => {
  let rx: HttpReceiver;
  let t: TestApp;
  let incident: number;
  let slack: string[];
  let teams: string[];

  beforeAll(async () => {
    rx = startHttpReceiver();
    t = createTestApp(`channels:
  teams: { type: teams, webhookUrl: "${rx.url}/teams" }
  slack: { type: slack, webhookUrl: "${rx.url}/slack" }
routes:
  - { on: [task.failed], to: [teams, slack] }
actionLinks:
  publicBaseUrl: ${BASE}/
notify:
  outbox: { initialBackoff: 50ms, maxBackoff: 200ms }
`);
    await t.app.start();
    const e: TaskEvent = { ...syntheticTaskEvent({ outcome: "failed", taskName: "Sales load", taskId: "id-sales" }), source: "udp" };
    const [annotated] = await t.app.incidents!.annotate(e);
    await t.app.bus.emit(annotated!.kind, annotated!);
    incident = annotated!.incident!.id;
    await waitFor(() => rx.requests.length >= 2, { what: "a Teams and a Slack message" });
    slack = linksOf(rx.requests.find((r) => r.path === "/slack")!.body);
    teams = linksOf(rx.requests.find((r) => r.path === "/teams")!.body);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await rx?.stop();
  });

  const row = async () => (await (await t.request(`/v4/incidents/${incident}`)).json()) as { acknowledgedBy: string | null };

  test("the page asks for the name; without one the link is not used; with one the incident is acknowledged by that person", async () => {
    const ack = slack.find((l) => l.includes("a=ack"))!;
    expect(new URLSearchParams(ack.split("?")[1]).get("r")).toBe("channel:slack");
    const page = await (await t.request(ack)).text();
    expect(page).toContain('<input name="name" required');
    expect(page).toContain("your name is recorded as who acted");
    const blank = await t.request(ack, post({ confirm: "ack", name: "  " }));
    expect(blank.status).toBe(400);
    expect(await blank.text()).toContain("Type your name: it is recorded as who acted.");
    expect((await row()).acknowledgedBy).toBeNull();
    const done = await t.request(ack, post({ confirm: "ack", name: " Anna Svensson " }));
    expect(done.status).toBe(200);
    expect(await done.text()).toContain("acknowledged by Anna Svensson (channel:slack)");
    expect(done.headers.get("set-cookie")).toContain("steward_link_name=Anna%20Svensson; Path=/act;");
    expect((await row()).acknowledgedBy).toBe("Anna Svensson (channel:slack)");
    await t.app.audit.flush();
    const audit = (await (await t.request("/v4/audit?action=incident.acknowledge&limit=5")).json()) as {
      entries: Array<{ actor: { kind: string; name: string } }>;
    };
    expect(audit.entries[0]!.actor).toMatchObject({ kind: "link", name: "Anna Svensson (channel:slack)" });
  });

  test("the next channel link in the same browser offers the remembered name; a snooze is that person's silence", async () => {
    const snooze = teams.find((l) => l.includes("a=snooze"))!;
    const page = await (await t.request(snooze, { headers: { cookie: "steward_link_name=Anna%20Svensson" } })).text();
    expect(page).toContain('value="Anna Svensson"');
    expect((await t.request(snooze, post({ choice: "1h", name: "Anna Svensson" }))).status).toBe(200);
    const silences = (await (await t.request("/v4/silences")).json()) as { silences: Array<{ author: string }> };
    expect(silences.silences[0]!.author).toBe("Anna Svensson (channel:teams)");
  });
});
