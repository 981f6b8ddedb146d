// A report no route wants arms no timer (issue 89: it looked again every minute, 120 timers an idle hour for the
// morning and weekly reports): a config reload that adds a route listing it arms it, and the report goes out at its
// time; a reload that takes the route away again disarms it.
import { afterAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createApp, type StewardApp } from "../../../../src/app";
import { loadConfigFile } from "../../../../src/composition/config";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";

const MIN = 60_000;
// Monday 23 November 2026, 06:00 UTC: the morning report is due at 07:00 (the site's zone is UTC here).
const START = Date.parse("2026-11-23T06:00:00Z");
const dir = createTempDir();
const received: Array<{ body: string }> = [];
const clock = createManualClock(START);
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(req) {
    received.push({ body: await req.text() });
    return new Response("ok");
  },
});
let app: StewardApp | undefined;
afterAll(async () => {
  await app?.stop();
  server.stop(true);
  dir.remove();
});

const configWith = (on: string) => `http: { host: 127.0.0.1, port: 0 }
udp: { host: 127.0.0.1, port: 0 }
notify: { timeZone: UTC }
channels:
  hook: { type: webhook, url: "http://127.0.0.1:${server.port}/hook", timeout: 10s }
routes:
  - { name: team, on: [${on}], to: [hook] }
`;

test("a route added by a reload gets the morning report at its time; none is sent once it is taken away", async () => {
  const file = join(dir.path, "steward.yaml");
  writeFileSync(file, configWith("task.failed"));
  app = createApp(loadConfigFile(file), { log: createSilentLogger(), clock });
  await app.start();
  const actor = { kind: "system", name: "test" } as const;

  await clock.advance(30 * MIN);
  writeFileSync(file, configWith("task.failed, report.morning"));
  expect((await app.reloader.reload("test", actor)).applied).toContain("reports");
  await clock.advance(31 * MIN); // past 07:00
  await waitFor(() => received.some((r) => r.body.includes("report.morning")), { what: "the morning report" });
  // The report of 07:00 (the manual clock stands at the end of the step when the webhook gets it).
  const reports = () => received.filter((r) => r.body.includes("report.morning")).map((r) => JSON.parse(r.body).data.to);
  expect(reports()).toEqual(["2026-11-23T07:00:00.000Z"]);

  writeFileSync(file, configWith("task.failed"));
  await app.reloader.reload("test", actor);
  await clock.advance(24 * 60 * MIN); // past Tuesday's 07:00
  await Bun.sleep(200);
  expect(reports()).toHaveLength(1);
}, 60_000);
