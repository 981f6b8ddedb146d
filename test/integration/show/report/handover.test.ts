// Issue 88, point 4: the morning report's handover. Two task incidents open: one acknowledged from its Slack link by a
// named person, one nobody holds and that was snoozed from its Teams link for an hour; a silence ending in three days
// (not within the next 24 hours). The report (GET /v4/report, the morning report's facts) opens with the handover:
// what nobody holds first, who holds the rest and since when, and the snooze that ends within the day.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { waitFor } from "../../../helpers/wait-for";
import { startHttpReceiver, type HttpReceiver } from "../../tell/notify/receivers";

const LINK = /https:\/\/steward\.corp\.example(\/act\/incident\/\d+\?[^\s"<>\\]+)/g;
const linksOf = (body: unknown) => [...JSON.stringify(body).replaceAll("\\u0026", "&").matchAll(LINK)].map((m) => m[1]!);
const post = (form: Record<string, string>) => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(form).toString(),
});

let rx: HttpReceiver;
let t: TestApp;
const ids: number[] = [];

async function fail(name: string): Promise<number> {
  const e: TaskEvent = { ...syntheticTaskEvent({ outcome: "failed", taskName: name, taskId: `id-${name.replace(/\W/g, "")}` }), source: "udp" };
  const [annotated] = await t.app.incidents!.annotate(e);
  await t.app.bus.emit(annotated!.kind, annotated!);
  return annotated!.incident!.id;
}

beforeAll(async () => {
  rx = startHttpReceiver();
  t = createTestApp(`channels:
  teams: { type: teams, webhookUrl: "${rx.url}/teams" }
  slack: { type: slack, webhookUrl: "${rx.url}/slack" }
routes:
  - { on: [task.failed], to: [teams, slack] }
actionLinks:
  publicBaseUrl: https://steward.corp.example/
notify:
  outbox: { initialBackoff: 50ms, maxBackoff: 200ms }
`);
  await t.app.start();
  ids.push(await fail("Sales load"));
  await waitFor(() => rx.requests.length >= 2, { what: "the first failure's Teams and Slack messages" });
  ids.push(await fail("HR load"));
  await waitFor(() => rx.requests.length >= 4, { what: "the second failure's Teams and Slack messages" });
}, 60_000);
afterAll(async () => {
  await t?.close();
  await rx?.stop();
});

const linkFor = (path: string, incident: number, action: string) =>
  rx.requests
    .filter((r) => r.path === path)
    .flatMap((r) => linksOf(r.body))
    .find((l) => l.startsWith(`/act/incident/${incident}?`) && l.includes(`a=${action}`))!;

test("the morning report's handover: open incidents, who holds them, the snoozes ending within a day", async () => {
  const [sales, hr] = ids as [number, number];
  expect((await t.request(linkFor("/slack", sales, "ack"), post({ confirm: "ack", name: "Anna Svensson" }))).status).toBe(200);
  expect((await t.request(linkFor("/teams", hr, "snooze"), post({ choice: "1h", name: "Bo Ek" }))).status).toBe(200);
  const longer = await t.request("/v4/silences", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ matcher: { taskNames: ["Finance*"] }, reason: "Finance DW move", duration: "72h" }),
  });
  expect(longer.status).toBe(201);

  const report = (await (await t.request("/v4/report")).json()) as { sections: Array<{ title: string; lines: Array<{ text: string; tone?: string }> }> };
  const handover = report.sections[0]!;
  expect(handover.title).toBe("Handover");
  const texts = handover.lines.map((l) => l.text);
  expect(texts[0]).toBe("2 open incidents (1 that nobody holds); 1 snooze ending in the next 24 hours");
  // Nobody holds HR load: first, in the failing tone.
  expect(texts[1]).toMatch(new RegExp(`^Incident #${hr}: .*HR load.* \\(open since .+\\): nobody holds it$`));
  expect(handover.lines[1]!.tone).toBe("fail");
  expect(texts[2]).toMatch(new RegExp(`^Incident #${sales}: .*Sales load.* \\(open since .+\\): held by Anna Svensson \\(channel:slack\\) since .+$`));
  expect(texts[3]).toMatch(
    /^Snooze ends .+: silence #\d+ by Bo Ek \(channel:teams\) \(snoozed from the alert's link \(.*HR load.*\)\); its alerts come back then$/,
  );
  expect(texts).toHaveLength(4);
  expect(texts.join("\n")).not.toContain("Finance DW move");
});
