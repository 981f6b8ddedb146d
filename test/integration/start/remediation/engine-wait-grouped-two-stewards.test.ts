// Issue 101, "an engine wait that gives up tells one update per re-run", with one Steward per node: two Stewards on one
// PostgreSQL and one stepped clock, each hearing the Scheduler's datagrams, as engine-wait-grouped.test.ts plays it on
// one. Node Reload01 runs one reload at a time (queue timeout 20 minutes); an admin's reload holds the engine from 01:50
// to 04:30; five loads due at 02:00 wait and Qlik cancels them at 02:20. A person asks the first Steward to re-run the
// cancelled runs at 02:25; about 03:25 the wait gives up (remediation.engineWait, 60 minutes). Whichever Steward's
// worker ends the five actions, each channel that got the backlog's page gets one page and one update naming the five
// runs, not one from each Steward (the store-level claim: engine-wait-grouped-claim.test.ts).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { closeAll, type TestApp } from "../../../helpers/app";
import { at, daily, QUIET_LOOKS, reloadQueueSiteYaml, reloadTask, startStewardOnSite } from "../../../helpers/reload-queue-site";
import { type PostgresService, startPostgres } from "../../../helpers/services";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { wallLimit } from "../../../helpers/time-limit";
import { type HttpReceiver, type SmtpReceiver, startHttpReceiver, startSmtpReceiver } from "../../tell/notify/receivers";

const ADMIN = "f5ef0000-0000-4000-8000-0000000000a2";
const LOADS = ["Extract orders", "Load sales", "Load stock", "Load budget", "Load HR"];
const SITE = reloadQueueSiteYaml({
  name: "Engine wait grouped on two Stewards",
  engines: 1,
  engineTimeout: 20,
  apps: ["Admin long", ...LOADS],
  tasks: [reloadTask("Admin long", 160, [], `, id: ${ADMIN}`), ...LOADS.map((n) => reloadTask(n, 5, [daily("02:00")]))],
});
const UPDATE = "remediation.action_update";
const BACKLOG = "scheduler.queue_backlog";
const GAVE_UP = "every engine of reload01 stayed busy for 60 minutes";

type Action = { id: number; taskName: string; status: string; outcome: string | null };

const dir = createTempDir("steward-engine-wait-two-");
let pg: PostgresService;
let s: SteppedSite | undefined;
let one: TestApp | undefined;
let two: TestApp | undefined;
let rx: HttpReceiver;
let smtp: SmtpReceiver;
let actions: Action[] = [];

afterAll(async () => {
  await two?.close();
  await closeAll(one, s?.sim, dir);
  await rx?.stop();
  await smtp?.stop();
  await pg?.stop();
});

beforeAll(async () => {
  rx = startHttpReceiver();
  smtp = await startSmtpReceiver();
  pg = await startPostgres();
  const url = await pg.createDatabase("engine_wait_two");
  s = await startSteppedSite(dir.path, at("01:30"), SITE);
  const { sim, clock } = s;
  const config = (name: string) => `store:
  postgres: { url: "${url}", instanceName: ${name}, leaseTtlMs: 180000, heartbeatIntervalMs: 60000 }
${QUIET_LOOKS}notify: { timeZone: UTC }
channels:
  ops-mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [qlik-ops@corp.example] }
  ops-teams: { type: teams, webhookUrl: "${rx.url}/teams" }
  ops-hook: { type: webhook, url: "${rx.url}/hook" }
routes:
  - { on: [${BACKLOG}, task.on_track], to: [ops-mail, ops-teams, ops-hook] }
`;
  ({ t: one } = await startStewardOnSite(s, join(dir.path, "one"), config("sense1"), at("01:30")));
  ({ t: two } = await startStewardOnSite(s, join(dir.path, "two"), config("reload01"), at("01:30"), { besides: true }));
  await clock.runUntil(at("01:50"));
  sim.tasks.start(ADMIN, { user: "CORP\\anna" });
  await clock.runUntil(at("02:25"));
  const { causes } = (await (await one.request("/v4/causes")).json()) as { causes: Array<{ id: number; title: string }> };
  const causeId = causes.find((c) => c.title === "reload queue backed up on reload01")?.id ?? 0;
  expect((await one.request(`/v4/causes/${causeId}/rerun-cancelled`, { method: "POST" })).status).toBe(202);
  await clock.runUntil(at("04:00"));
  actions = ((await (await two.request(`/v4/causes/${causeId}/actions`)).json()) as { actions: Action[] }).actions;
}, wallLimit(600_000));

const hookBodies = () => rx.requests.filter((r) => r.path === "/hook").map((r) => JSON.parse(r.body) as { kind: string; remediationLines?: string[] });

test("two Stewards: the backlog paged each channel once, and the wait that gave up ended the five actions, not started", () => {
  expect(smtp.mails.filter((m) => m.raw.includes(`X-Steward-Event: ${BACKLOG}`)).length).toBe(1);
  expect(hookBodies().filter((b) => b.kind === BACKLOG).length).toBe(1);
  expect(actions.map((a) => a.taskName).sort()).toEqual([...LOADS].sort());
  expect(actions.every((a) => a.status === "failed" && a.outcome === GAVE_UP)).toBe(true);
});

test("two Stewards: one action update on each channel that got the page, naming the five runs in chain order", () => {
  const order = actions.map((a) => a.taskName).join(", ");
  const mails = smtp.mails.filter((m) => m.raw.includes(`X-Steward-Event: ${UPDATE}`)).map((m) => m.mail.text ?? "");
  const teams = rx.requests.filter((r) => r.path === "/teams" && r.body.replace(/\\/g, "").includes(GAVE_UP));
  const hooks = hookBodies().filter((b) => b.kind === UPDATE);
  expect([mails.length, teams.length, hooks.length]).toEqual([1, 1, 1]);
  for (const text of [mails[0]!, (hooks[0]!.remediationLines ?? []).join("\n")])
    expect(text).toContain(`5 runs not started, ${GAVE_UP}: ${order} (in chain order)`);
});
