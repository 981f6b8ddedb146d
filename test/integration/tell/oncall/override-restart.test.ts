// Issue 106: an override made over REST lives in the store, so a Steward restarted during it pages its person from
// its very first alert (read at start, not only at the first look at who is on duty), with a real mail at a local
// SMTP receiver on a manual clock.
import { afterAll, expect, test } from "bun:test";
import { createManualClock } from "../../../../src/platform/core/clock";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { rotaYaml } from "../../../helpers/rota-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { type SmtpReceiver, startSmtpReceiver } from "../notify/receivers";

const dir = createTempDir();
let smtp: SmtpReceiver | undefined;
let running: TestApp | undefined;
afterAll(async () => {
  await running?.app.stop();
  await smtp?.stop();
  dir.remove();
});

test("a Steward restarted during a REST override pages the override's person at its first alert", async () => {
  smtp = await startSmtpReceiver();
  const yaml = `${rotaYaml()}channels:
  mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [ops@corp.example] }
routes:
  - { on: [task.failed], to: [mail], recipients: { onCall: primary } }
`;
  const clock = createManualClock(Date.parse("2026-11-26T09:00:00Z")); // Thursday 10:00 in bo's week
  running = createTestApp(yaml, { clock, dir: dir.path });
  await running.app.start();
  const made = await running.request("/v4/oncall/overrides", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ schedule: "primary", person: "carl@corp.example", from: "2026-11-26T10:00:00Z", until: "2026-11-26T18:00:00Z" }),
  });
  expect(made.status).toBe(201);
  await running.app.stop();
  running = undefined;

  await clock.set(Date.parse("2026-11-26T12:00:00Z"));
  running = createTestApp(yaml, { clock, dir: dir.path });
  await running.app.start();
  const e: TaskEvent = { ...syntheticTaskEvent({ outcome: "failed", taskName: "Payroll load", taskId: "id-payroll", nowMs: clock.now() }), source: "udp" };
  const [annotated] = await running.app.incidents!.annotate(e);
  await running.app.bus.emit(annotated!.kind, annotated!);
  // The override's own notices (to carl and bo) are mailed too: only the page is looked at here.
  const page = () => smtp!.mails.filter((m) => (m.mail.subject ?? "").includes("Payroll load"));
  await waitFor(() => page().length >= 2, { what: "the mails about Payroll load", timeoutMs: 30_000 });
  expect(
    page()
      .flatMap((m) => m.envelopeTo)
      .sort(),
  ).toEqual(["carl@corp.example", "ops@corp.example"]);
}, 90_000);
