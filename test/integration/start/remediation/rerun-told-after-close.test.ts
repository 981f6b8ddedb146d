// A person's re-run of the queue's cancelled runs, pressed after the queue's cause closed, is told where the cause's
// page went (issue 101: "every action's outcome is told where the page went"). On the simulator and a stepped clock
// shared with Steward: two 67-minute reloads take both engines of Reload01 at 02:00; Qlik cancels Extract orders and
// Load stock at 02:30 and the queue's cause closes with them. The on-call engineer presses
// the backlog mail's *Re-run the cancelled runs* at 02:32; both run again once an engine frees (03:07). Each run's
// recovery goes to the mail and the Teams channel that got the cause's page, saying who re-ran it and that it
// succeeded. Before, both recoveries were held ("follows up a page this channel did not receive"): the cause had
// closed, so nothing decided them, and the person never learnt what came of the press.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { closeAll, type TestApp } from "../../../helpers/app";
import { at, daily, QUIET_LOOKS, reloadQueueSiteYaml, reloadTask, startStewardOnSite } from "../../../helpers/reload-queue-site";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { type HttpReceiver, type SmtpReceiver, startHttpReceiver, startSmtpReceiver } from "../../tell/notify/receivers";

const BASE = "https://steward.corp.example";
const RERUN = /https:\/\/steward\.corp\.example(\/act\/cause\/\d+\?a=rerun[^\s"<>]+)/;
const SITE = reloadQueueSiteYaml({
  name: "Re-run told after the cause closed",
  engines: 2,
  engineTimeout: 30,
  apps: ["Long A", "Long B", "Extract orders", "Load stock"],
  tasks: [
    reloadTask("Long A", 67, [daily("02:00")]),
    reloadTask("Long B", 67, [daily("02:00")]),
    reloadTask("Extract orders", 5, [daily("02:00")]),
    reloadTask("Load stock", 5, [daily("02:00")]),
  ],
});

const dir = createTempDir("steward-rerun-told-");
let s: SteppedSite | undefined;
let t: TestApp | undefined;
let smtp: SmtpReceiver;
let rx: HttpReceiver;
let pressed = { status: 0, body: "" };

afterAll(async () => {
  await closeAll(t, s?.sim, dir);
  await smtp?.stop();
  await rx?.stop();
});

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  rx = startHttpReceiver();
  s = await startSteppedSite(dir.path, at("01:30"), SITE);
  ({ t } = await startStewardOnSite(
    s,
    dir.path,
    `${QUIET_LOOKS}channels:
  mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [anna@corp.example] }
  teams: { type: teams, webhookUrl: "${rx.url}/teams" }
routes:
  - { on: [scheduler.queue_backlog, task.on_track, task.failed, task.recovered], to: [mail, teams] }
actionLinks: { publicBaseUrl: "${BASE}" }
`,
    at("01:30"),
  ));
  await s.clock.runUntil(at("02:32"));
  const page = smtp.mails.find((m) => /\[(Open|Recovered): cause #\d+, reload queue/.test(m.mail.subject ?? "") && RERUN.test(m.mail.text ?? ""));
  const link = RERUN.exec(page?.mail.text ?? "")?.[1] ?? "";
  if (!link) throw new Error(`no re-run link in the queue's mails: ${smtp.mails.map((m) => m.mail.subject).join(" | ")}`);
  const res = await t.request(link, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "confirm=rerun",
  });
  pressed = { status: res.status, body: await res.text() };
  await s.clock.runUntil(at("03:40"));
}, 240_000);

const RERUN_LINE = (task: string) =>
  new RegExp(`${task}.*[\\s\\S]*Re-run after the queue drained, asked by anna@corp\\.example \\(from the alert's link\\) at [^;]+; the re-run succeeded\\.`);

test("the night: the cause closed at 02:30 with both cancellations; the press re-ran both once an engine freed", () => {
  expect(pressed.status).toBe(200);
  const again = s!.finished.filter((r) => r.startMs >= at("03:07") && ["Extract orders", "Load stock"].includes(r.task));
  expect(again.map((r) => [r.task, r.status])).toEqual([
    ["Extract orders", 7],
    ["Load stock", 7],
  ]);
});

test("each re-run's outcome is told by mail and on Teams, where the closed cause's page went", () => {
  const mails = smtp.mails.map((m) => `${m.mail.subject}\n${m.mail.text ?? ""}`);
  const cards = rx.requests.filter((r) => r.path === "/teams").map((r) => r.body.replace(/\\\\(.)/g, "$1"));
  for (const task of ["Extract orders", "Load stock"]) {
    expect({ task, mail: mails.filter((m) => m.includes(`recovered: ${task}`) && RERUN_LINE(task).test(m)).length }).toEqual({ task, mail: 1 });
    expect({ task, teams: cards.filter((c) => c.includes(`recovered: ${task}`) && c.includes("the re-run succeeded.")).length }).toEqual({ task, teams: 1 });
  }
});
