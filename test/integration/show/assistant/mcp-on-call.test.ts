// Issue 106: the assistant's on_call tool names who is on duty, with a read key, on a manual clock: the week's person
// a minute before Monday's 09:00 handover in Stockholm, the next one from it, and an override's person.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { createManualClock } from "../../../../src/platform/core/clock";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { unmarkSiteData } from "../../../helpers/site-data";

const reader = generateApiKey();
const clock = createManualClock(Date.parse("2026-11-23T07:59:00Z")); // Monday 08:59 in Stockholm
let t: TestApp;
let client: Client;

beforeAll(async () => {
  t = createTestApp(
    `security:
  apiKeys:
    - { name: key-read, hash: "${hashApiKey(reader)}", scopes: [read] }
mcp: { enabled: true }
oncall:
  primary:
    timeZone: Europe/Stockholm
    people: [anna@corp.example, bo@corp.example]
    handover: { weekday: mon, at: "09:00" }
    firstWeek: "2026-11-02"
    overrides:
      - { person: carl@corp.example, from: "2026-11-27T17:00:00+01:00", until: "2026-11-30T09:00:00+01:00" }
`,
    { clock },
  );
  await t.app.start();
  client = new Client({ name: "steward-test", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${t.app.server!.url().replace(/\/$/, "")}/mcp`), { requestInit: { headers: { "x-api-key": reader } } }),
  );
}, 60_000);

afterAll(async () => {
  await client?.close();
  await t?.close();
});

const onCall = async () => {
  const r = (await client.callTool({ name: "on_call", arguments: {} })) as {
    isError?: boolean;
    structuredContent?: { schedules: Array<Record<string, unknown>> };
  };
  expect(r.isError).toBeFalsy();
  // Names come marked as the site's (issue 75, M1): read here as the texts they hold.
  const s = (unmarkSiteData(r.structuredContent) as { schedules: Array<Record<string, unknown>> }).schedules[0]!;
  return [s.person, s.until, s.next];
};

test("on_call names the person on duty across a handover and an override", async () => {
  expect(await onCall()).toEqual(["anna@corp.example", "2026-11-23T08:00:00.000Z", "bo@corp.example"]);
  await clock.set(Date.parse("2026-11-23T08:00:00Z"));
  expect(await onCall()).toEqual(["bo@corp.example", "2026-11-27T16:00:00.000Z", "carl@corp.example"]);
  await clock.set(Date.parse("2026-11-28T12:00:00Z"));
  expect(await onCall()).toEqual(["carl@corp.example", "2026-11-30T08:00:00.000Z", "anna@corp.example"]);
});
