// An event whose sentence or facts carry an ISO-8601 instant (Steward's own steward.degraded says since when a part
// fails) reads on the site's clock on the timeline and on its page (issue 74): "Since 2026-11-25 00:20 GMT+5:30",
// never the instant as the event stores it; the JSON payload, folded away, keeps it for machines.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { syntheticSiteEvent } from "../../../../src/tell/notify/samples";
import { createTestApp, type TestApp } from "../../../helpers/app";

const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
let t: TestApp;

beforeAll(async () => {
  t = createTestApp("notify: { timeZone: Asia/Kolkata }\n");
  await t.app.start();
});
afterAll(() => t.close());

test("a degraded Steward's event says since when on the site's clock, on the timeline and its page", async () => {
  const e = syntheticSiteEvent("steward.degraded");
  expect(e.summary).toContain("2026-11-24T18:50:18.000Z");
  await t.app.bus.emit("steward.degraded", e);
  const seq = t.app.dashboard.timeline.entries(1)[0]!.seq;
  const list = await (await t.request("/ui/events")).text();
  const item = /<li data-kind="steward.degraded"[\s\S]*?<\/li>/.exec(list)![0];
  expect(item).toContain("Since 2026-11-25 00:20 GMT+5:30, qrs fails");
  expect(item.replace(/<[^>]+>/g, " ")).not.toMatch(ISO); // a <time> keeps its datetime attribute for machines
  const page = await (await t.request(`/ui/events/${seq}`)).text();
  const facts = /<section class="card" id="event-facts">([\s\S]*?)<\/section>/.exec(page)![1]!;
  expect(facts).toContain("Since 2026-11-25 00:20 GMT+5:30, qrs fails");
  expect(facts).toContain("<dd>2026-11-25 00:20 GMT+5:30</dd>");
  expect(facts.replace(/<[^>]+>/g, " ")).not.toMatch(ISO);
  expect(page).toContain("2026-11-24T18:50:18.000Z"); // in the folded JSON payload
});
