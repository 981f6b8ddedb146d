// A retry a person pressed that does not heal is told as its run ends, on a route with the default `renotify: once`
// (issue 101: "the person who pressed Retry on a failure that did not heal never learned it failed"). On the simulator
// and a stepped clock shared with Steward: Load Sales fails at 02:00 on a refused connection and pages by mail and on
// Teams; at 02:05 the on-call engineer presses the mail's *Retry the task* while the source is still down; the retry's
// run fails at about 02:06. Its failure goes to both channels then, saying the retry failed, long before the source is
// back. Before, renotify held it as the incident's 2nd failure: nothing was sent until the task recovered, and had the
// source stayed down, the person would never have learnt what came of the press.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { closeAll, type TestApp } from "../../../helpers/app";
import { at, daily, QUIET_LOOKS, reloadQueueSiteYaml, reloadTask, startStewardOnSite } from "../../../helpers/reload-queue-site";
import { simControl } from "../../../helpers/sim-control";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { type HttpReceiver, type SmtpReceiver, startHttpReceiver, startSmtpReceiver } from "../../tell/notify/receivers";

const BASE = "https://steward.corp.example";
const RETRY = /https:\/\/steward\.corp\.example(\/act\/incident\/\d+\?a=retry[^\s"<>]+)/;
const SALES = "f7ee0000-0000-4000-8000-000000000001";
const SITE = reloadQueueSiteYaml({
  name: "A retry that did not heal",
  engines: 4,
  engineTimeout: 30,
  apps: ["Load Sales"],
  tasks: [reloadTask("Load Sales", 1, [daily("02:00")], `, id: ${SALES}, maxRetries: 0, scriptError: "Connection refused: crm-db.corp.example:1433"`)],
});

const dir = createTempDir("steward-failed-retry-told-");
let s: SteppedSite | undefined;
let t: TestApp | undefined;
let smtp: SmtpReceiver;
let rx: HttpReceiver;
let pressed = "";
let by0215 = { mails: [] as string[], teams: [] as string[] };

afterAll(async () => {
  await closeAll(t, s?.sim, dir);
  await smtp?.stop();
  await rx?.stop();
});

const mails = () => smtp.mails.map((m) => `${m.mail.subject}\n${m.mail.text ?? ""}`);
const cards = () => rx.requests.filter((r) => r.path === "/teams").map((r) => r.body.replace(/\\\\(.)/g, "$1"));

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
  - { on: [task.failed, task.recovered], to: [mail, teams] }
actionLinks: { publicBaseUrl: "${BASE}" }
remediation: { pollInterval: 10s }
`,
    at("01:30"),
  ));
  await simControl(s.sim, "PATCH", `/tasks/${SALES}`, { outcome: "fail" });
  await s.clock.runUntil(at("02:05"));
  const link = RETRY.exec(mails().find((m) => m.includes("Reload task failed: Load Sales")) ?? "")?.[1] ?? "";
  if (!link) throw new Error(`no retry link in the failure's mail: ${mails().join(" | ")}`);
  const res = await t.request(link, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "retry=0" });
  pressed = await res.text();
  await s.clock.runUntil(at("02:15"));
  by0215 = { mails: mails(), teams: cards() };
}, 240_000);

test("the press started the retry; its run failed on the source still down", () => {
  expect(pressed).toContain("will be started again");
  const runs = s!.finished.filter((r) => r.task === "Load Sales");
  expect(runs.map((r) => r.status)).toEqual([8, 8]);
  expect(runs[1]!.startMs).toBeGreaterThanOrEqual(at("02:05"));
});

test("by 02:15 the retry's failure was told by mail and on Teams, saying the retry failed", () => {
  const told = (texts: string[]) => texts.filter((x) => x.includes("Load Sales") && x.includes("the retry failed.")).length;
  expect({ mail: by0215.mails.length, told: told(by0215.mails) }).toEqual({ mail: 2, told: 1 });
  expect({ teams: by0215.teams.length, told: told(by0215.teams) }).toEqual({ teams: 2, told: 1 });
});
