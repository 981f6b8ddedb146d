// Issue 101, "an engine wait that gives up tells one update per re-run", on the simulator and a stepped clock shared
// with Steward, on SQLite and PostgreSQL (two Stewards claiming it: engine-wait-grouped-claim.test.ts). Node Reload01 runs one reload at a time (queue timeout
// 20 minutes). At 01:50 an admin starts a reload there that holds the engine until 04:30; five loads due at 02:00 wait
// in the queue and Qlik cancels them at 02:20. The backlog's page goes to mail, Teams, Slack and a webhook. At 02:25 a
// person asks over REST to re-run the cancelled runs: five actions, the first waiting for a free engine. About 03:25
// the wait gives up (remediation.engineWait, 60 minutes) and ends all five, not started. Each channel that got the page
// gets one action update naming the five runs in chain order and why. Before, each action sent its own: five posts
// per channel for one press.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { closeAll, type TestApp } from "../../../helpers/app";
import { at, daily, QUIET_LOOKS, reloadQueueSiteYaml, reloadTask, startStewardOnSite } from "../../../helpers/reload-queue-site";
import { type PostgresService, startPostgres } from "../../../helpers/services";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { type HttpReceiver, type SmtpReceiver, startHttpReceiver, startSmtpReceiver } from "../../tell/notify/receivers";

const ADMIN = "f5ef0000-0000-4000-8000-0000000000a1";
const LOADS = ["Extract orders", "Load sales", "Load stock", "Load budget", "Load HR"];
const SITE = reloadQueueSiteYaml({
  name: "Engine wait grouped",
  engines: 1,
  engineTimeout: 20,
  apps: ["Admin long", ...LOADS],
  tasks: [reloadTask("Admin long", 160, [], `, id: ${ADMIN}`), ...LOADS.map((n) => reloadTask(n, 5, [daily("02:00")]))],
});
const UPDATE = "remediation.action_update";
const GAVE_UP = "every engine of reload01 stayed busy for 60 minutes";

type Action = { id: number; taskName: string; status: string; outcome: string | null };

let pg: PostgresService | undefined;
afterAll(async () => {
  await pg?.stop();
});

/** A Teams or Slack post's text as a person reads it (their Markdown escapes dropped). */
const postsTo = (rx: HttpReceiver, path: string) => rx.requests.filter((r) => r.path === path).map((r) => r.body.replace(/\\/g, ""));
const hookUpdates = (rx: HttpReceiver) =>
  rx.requests
    .filter((r) => r.path === "/hook")
    .map((r) => JSON.parse(r.body) as { kind: string; remediationLines?: string[]; runs?: Array<{ taskName: string }> })
    .filter((b) => b.kind === UPDATE);
const mailUpdates = (smtp: SmtpReceiver) => smtp.mails.filter((m) => m.raw.includes(`X-Steward-Event: ${UPDATE}`));

for (const backend of ["sqlite", "postgres"] as const)
  describe(`an engine wait that gives up tells one update per re-run (${backend})`, () => {
    const dir = createTempDir(`steward-engine-wait-grouped-${backend}-`);
    let s: SteppedSite | undefined;
    let t: TestApp | undefined;
    let rx: HttpReceiver;
    let smtp: SmtpReceiver;
    let actions: Action[] = [];

    afterAll(async () => {
      await closeAll(t, s?.sim, dir);
      await rx?.stop();
      await smtp?.stop();
    });

    beforeAll(async () => {
      rx = startHttpReceiver();
      smtp = await startSmtpReceiver();
      s = await startSteppedSite(dir.path, at("01:30"), SITE);
      const { sim, clock } = s;
      const url = backend === "postgres" ? await (pg ??= await startPostgres()).createDatabase("engine_wait_grouped") : "";
      const config = `${url ? `store:\n  postgres: { url: "${url}", leaseTtlMs: 180000, heartbeatIntervalMs: 60000 }\n` : ""}${QUIET_LOOKS}notify: { timeZone: UTC }
channels:
  ops-mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [qlik-ops@corp.example] }
  ops-teams: { type: teams, webhookUrl: "${rx.url}/teams" }
  ops-slack: { type: slack, webhookUrl: "${rx.url}/slack" }
  ops-hook: { type: webhook, url: "${rx.url}/hook" }
routes:
  - { on: [scheduler.queue_backlog, task.on_track], to: [ops-mail, ops-teams, ops-slack, ops-hook] }
`;
      ({ t } = await startStewardOnSite(s, dir.path, config, at("01:30")));
      await clock.runUntil(at("01:50"));
      sim.tasks.start(ADMIN, { user: "CORP\\anna" });
      await clock.runUntil(at("02:25"));
      const { causes } = (await (await t.request("/v4/causes")).json()) as { causes: Array<{ id: number; title: string }> };
      const causeId = causes.find((c) => c.title === "reload queue backed up on reload01")?.id ?? 0;
      expect((await t.request(`/v4/causes/${causeId}/rerun-cancelled`, { method: "POST" })).status).toBe(202);
      await clock.runUntil(at("04:00"));
      actions = ((await (await t.request(`/v4/causes/${causeId}/actions`)).json()) as { actions: Action[] }).actions;
    }, 300_000);

    test("the backlog paged each channel once, and the wait that gave up ended the five actions, not started", () => {
      expect(smtp.mails.filter((m) => m.raw.includes("X-Steward-Event: scheduler.queue_backlog")).length).toBe(1);
      expect(actions.map((a) => a.taskName).sort()).toEqual([...LOADS].sort());
      expect(actions.every((a) => a.status === "failed" && a.outcome === GAVE_UP)).toBe(true);
    });

    test("one action update on each channel that got the page, naming the five runs in chain order and why", () => {
      const order = actions.map((a) => a.taskName);
      const mails = mailUpdates(smtp).map((m) => m.mail.text ?? "");
      const teams = postsTo(rx, "/teams").filter((b) => b.includes(GAVE_UP));
      const slack = postsTo(rx, "/slack").filter((b) => b.includes(GAVE_UP));
      const hooks = hookUpdates(rx);
      expect([mails.length, teams.length, slack.length, hooks.length]).toEqual([1, 1, 1, 1]);
      const hookText = (hooks[0]!.remediationLines ?? []).join("\n");
      for (const text of [mails[0]!, teams[0]!, slack[0]!, hookText]) {
        expect(text).toContain(GAVE_UP);
        expect(text).toContain(`5 runs not started, ${GAVE_UP}: ${order.join(", ")} (in chain order)`);
      }
      expect(mails[0]).toContain("Re-run after the queue drained, asked by");
      expect(hooks[0]!.runs?.map((r) => r.taskName)).toEqual(order);
    });
  });
