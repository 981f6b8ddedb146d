// Issue 101, "a re-run that waits for a free engine waits with a limit", on the simulator and a stepped clock shared
// with Steward, on SQLite and PostgreSQL. Node Reload01 runs one reload at a time (queue timeout 20 minutes). At 01:50
// an admin starts a long reload there; Extract orders, due at 02:00, waits in the queue and Qlik cancels it at 02:20.
// The backlog's page goes to mail, Teams and Slack. At 02:25 a person asks over REST to re-run the cancelled runs: the
// queue is empty, the engine busy. With the default remediation.engineWait (60 minutes):
// - busy: the admin's reload holds the engine until 04:30. While it waits, the morning report's "Being done" says
//   "waiting for a free engine on reload01 since 02:25"; about 03:25 the action ends, not started, "every engine of
//   reload01 stayed busy for 60 minutes", told as one action update on each channel that got the page; the morning
//   report lists it as ended; nothing is started after the engine frees.
// - frees: the admin's reload ends at 03:10, within the limit: the re-run starts then, as before.
// - rule: the [queue] rule's re-run gives up the same way: the rule gave up (audited), its hold ends, and it is told as
//   one action update where the page went (no page of the rule says so; before, nobody on call heard of it).
// Before, the action waited for ever, and "Being done" said "waiting for the queue to drain and a free engine".
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { TestApp } from "../../../helpers/app";
import { closeAll } from "../../../helpers/app";
import { at, daily, MIN, QUIET_LOOKS, reloadQueueSiteYaml, reloadTask, startStewardOnSite } from "../../../helpers/reload-queue-site";
import { type PostgresService, startPostgres } from "../../../helpers/services";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { type HttpReceiver, type SmtpReceiver, startHttpReceiver, startSmtpReceiver } from "../../tell/notify/receivers";

const EXTRACT = "f5ee0000-0000-4000-8000-000000000001";
const ADMIN = "f5ee0000-0000-4000-8000-0000000000a1";
const siteOf = (adminMinutes: number) =>
  reloadQueueSiteYaml({
    name: "Engine wait limit",
    engines: 1,
    engineTimeout: 20,
    apps: ["Admin long", "Extract orders"],
    tasks: [reloadTask("Admin long", adminMinutes, [], `, id: ${ADMIN}`), reloadTask("Extract orders", 5, [daily("02:00")], `, id: ${EXTRACT}`)],
  });
const UPDATE = "remediation.action_update";
const GAVE_UP = "every engine of reload01 stayed busy for 60 minutes";

interface Action {
  id: number;
  taskName: string;
  status: string;
  outcome: string | null;
  qlikAnswer: string | null;
  waitingSince: string | null;
  endedAt: string | null;
}
type Report = { sections: Array<{ title: string; lines: Array<{ text: string }> }> };

let pg: PostgresService | undefined;
afterAll(async () => {
  await pg?.stop();
});

const MODES = { busy: 160, frees: 80, rule: 160 } as const;
const CASES = [
  ["sqlite", "busy"],
  ["postgres", "busy"],
  ["sqlite", "frees"],
  ["postgres", "frees"],
  ["sqlite", "rule"],
] as const;

for (const [backend, mode] of CASES)
  describe(`a re-run's wait for a free engine has a limit (${backend}, ${mode})`, () => {
    const dir = createTempDir(`steward-engine-wait-limit-${backend}-${mode}-`);
    let s: SteppedSite | undefined;
    let t: TestApp | undefined;
    let rx: HttpReceiver;
    let smtp: SmtpReceiver;
    let causeId = 0;
    let waiting: Action | undefined;
    let doingAt0300: string[] = [];
    let actions: Action[] = [];
    let doneAfter: string[] = [];
    let heldAt0300: unknown;
    let heldAfter: unknown;
    let gaveUpAudit: Array<{ actor: { name: string }; target: string }> = [];

    afterAll(async () => {
      await closeAll(t, s?.sim, dir);
      await rx?.stop();
      await smtp?.stop();
    });

    beforeAll(async () => {
      rx = startHttpReceiver();
      smtp = await startSmtpReceiver();
      s = await startSteppedSite(dir.path, at("01:30"), siteOf(MODES[mode]));
      const { sim, clock } = s;
      const url = backend === "postgres" ? await (pg ??= await startPostgres()).createDatabase(`engine_wait_limit_${mode}`) : "";
      const rule = mode === "rule" ? "remediation:\n  rules:\n    - { name: queue-reruns, errorClasses: [queue] }\n" : "";
      ({ t } = await startStewardOnSite(
        s,
        dir.path,
        `${url ? `store:\n  postgres: { url: "${url}", leaseTtlMs: 180000, heartbeatIntervalMs: 60000 }\n` : ""}${QUIET_LOOKS}notify: { timeZone: UTC }
reports:
  morning: { at: "06:00", days: [sun, mon, tue, wed, thu, fri, sat], timeZone: UTC }
channels:
  ops-mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [qlik-ops@corp.example] }
  ops-teams: { type: teams, webhookUrl: "${rx.url}/teams" }
  ops-slack: { type: slack, webhookUrl: "${rx.url}/slack" }
routes:
  - { on: [scheduler.queue_backlog, task.on_track], to: [ops-mail, ops-teams, ops-slack] }
${rule}`,
        at("01:30"),
      ));
      await clock.runUntil(at("01:50"));
      // The admin's long reload, started from the QMC: it holds Reload01's one engine.
      sim.tasks.start(ADMIN, { user: "CORP\\anna" });
      await clock.runUntil(at("02:25"));
      const { causes } = (await (await t.request("/v4/causes")).json()) as { causes: Array<{ id: number; title: string }> };
      causeId = causes.find((c) => c.title === "reload queue backed up on reload01")?.id ?? 0;
      if (mode !== "rule") expect((await t.request(`/v4/causes/${causeId}/rerun-cancelled`, { method: "POST" })).status).toBe(202);
      const actionsNow = async () => ((await (await t!.request(`/v4/causes/${causeId}/actions`)).json()) as { actions: Action[] }).actions;
      const report = async (to: string) =>
        ((await (await t!.request(`/v4/report?from=2026-03-03T00:00:00Z&to=2026-03-03T${to}:00Z`)).json()) as Report).sections
          .find((x) => x.title === "Being done")
          ?.lines.map((l) => l.text) ?? [];
      const heldBy = async () => {
        const { incidents } = (await (await t!.request("/v4/incidents?status=open")).json()) as {
          incidents: Array<{ taskId: string | null; heldBy?: unknown }>;
        };
        return incidents.find((i) => i.taskId?.toLowerCase() === EXTRACT)?.heldBy ?? null;
      };
      await clock.runUntil(at("03:00"));
      waiting = (await actionsNow()).find((a) => a.taskName === "Extract orders");
      doingAt0300 = await report("03:00");
      heldAt0300 = await heldBy();
      await clock.runUntil(at("04:40"));
      actions = await actionsNow();
      doneAfter = await report("04:40");
      heldAfter = await heldBy();
      const audit = (await (await t.request("/v4/audit?action=remediation.gave_up")).json()) as { entries?: typeof gaveUpAudit; items?: typeof gaveUpAudit };
      gaveUpAudit = audit.entries ?? audit.items ?? [];
    }, 300_000);

    const extractRunsAfterCancel = () => [...s!.sim.repo.executions.values()].filter((e) => e.taskId === EXTRACT && e.createdMs > at("02:21"));

    test("the night: the queue cancelled Extract orders while the admin's reload held the engine, and the backlog paged", () => {
      expect(causeId).toBeGreaterThan(0);
      expect(smtp.mails.filter((m) => m.raw.includes("X-Steward-Event: scheduler.queue_backlog")).length).toBe(1);
    });

    test("while it waits, the action says since when, and Being done says waiting for a free engine since then", () => {
      expect(waiting).toMatchObject({ status: "pending", qlikAnswer: "waiting for a free engine on reload01: 1 of 1 busy" });
      const since = Date.parse(waiting!.waitingSince!);
      expect(since).toBeGreaterThanOrEqual(at("02:20"));
      expect(since).toBeLessThan(at("02:35"));
      const line = doingAt0300.find((l) => l.includes("Extract orders"));
      expect(line).toMatch(/waiting for a free engine on reload01 since (Tue 3 Mar )?02:[23]\d/);
      if (mode === "rule") expect(heldAt0300).toMatchObject({ rule: "queue-reruns" });
    });

    if (mode === "frees")
      test("the engine freed within the limit: the re-run started then and ran, as before", () => {
        const a = actions.find((x) => x.taskName === "Extract orders");
        expect(a).toMatchObject({ status: "ended", outcome: "succeeded" });
        expect(a!.qlikAnswer).toContain("once reload01 had a free engine");
        const runs = extractRunsAfterCancel();
        expect(runs.length).toBe(1);
        expect(runs[0]!.createdMs).toBeGreaterThanOrEqual(at("03:10"));
        expect(mailUpdates(smtp).filter((m) => m.raw.includes("stayed busy"))).toEqual([]);
      });
    else {
      test("past the limit the action ended, not started, every engine busy for 60 minutes; nothing started later", () => {
        const a = actions.find((x) => x.taskName === "Extract orders")!;
        expect(a).toMatchObject({ status: "failed", outcome: GAVE_UP });
        const ended = Date.parse(a.endedAt!);
        expect(ended - Date.parse(a.waitingSince!)).toBeGreaterThanOrEqual(60 * MIN);
        expect(ended - Date.parse(a.waitingSince!)).toBeLessThan(62 * MIN);
        // The engine freed at 04:30: nothing of Extract orders was started, before or after.
        expect(extractRunsAfterCancel()).toEqual([]);
        expect(doneAfter.some((l) => l.includes("Extract orders") && l.includes(`not started: ${GAVE_UP}`))).toBe(true);
        expect(doneAfter.some((l) => l.includes("waiting for a free engine"))).toBe(false);
      });

      if (mode === "busy")
        test("the outcome is one action update on each channel that got the backlog's page, naming who asked and why", () => {
          const mails = mailUpdates(smtp).map((m) => m.mail.text ?? "");
          const teams = postsTo(rx, "/teams").filter((b) => b.includes(GAVE_UP));
          const slack = postsTo(rx, "/slack").filter((b) => b.includes(GAVE_UP));
          expect([mails.length, teams.length, slack.length]).toEqual([1, 1, 1]);
          expect(mails[0]).toContain(GAVE_UP);
          expect(mails[0]).toContain("Re-run after the queue drained, asked by");
          expect(teams[0]).toContain("FAILED");
        });
      else
        test("the rule's re-run giving up is the rule giving up: audited, its hold ended, told once where the page went", () => {
          expect(gaveUpAudit.map((e) => [e.actor.name, e.target.toLowerCase()])).toEqual([["rule:queue-reruns", EXTRACT]]);
          expect(heldAfter).toBeNull();
          // No page of the rule says it gave up: the on-call hear it as for a person's re-run, once per channel.
          const mails = mailUpdates(smtp).map((m) => m.mail.text ?? "");
          const teams = postsTo(rx, "/teams").filter((b) => b.includes(GAVE_UP));
          expect([mails.length, teams.length]).toEqual([1, 1]);
          expect(mails[0]).toContain("asked by rule:queue-reruns (from a remediation rule): not started, every engine of reload01 stayed busy");
        });
    }
  });

const postsTo = (rx: HttpReceiver, path: string) => rx.requests.filter((r) => r.path === path).map((r) => r.body.replace(/\\(.)/g, "$1"));
const mailUpdates = (smtp: SmtpReceiver) => smtp.mails.filter((m) => m.raw.includes(`X-Steward-Event: ${UPDATE}`));
