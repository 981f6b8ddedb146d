// End to end, on both stores: a reload in the simulated site succeeds three times, fails five times, then succeeds. With a
// route that renotifies on the 1st and every 3rd failure, every channel (e-mail over SMTP, Slack, Teams, webhook,
// MQTT on Mosquitto, SIGNL4) gets the 1st and 3rd failures and one task.recovered; there is one incident, closed
// with its summary; the webhook body of the third failure says consecutiveFailures 3 and the last success time.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import mqtt, { type MqttClient } from "mqtt";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { startMosquitto, startPostgres, type PostgresService, type TestService } from "../../../helpers/services";
import { type MailedHarness, startMailedHarness } from "../../../helpers/mailed-harness";
import { waitFor } from "../../../helpers/wait-for";
import { IDS, type Harness } from "../../hear/intake/harness";
import { startHttpReceiver, type HttpReceiver, type SmtpReceiver } from "../notify/receivers";
import { replaceGeneratedBlock, updateDocsExamples, writeDocsFile } from "../../../helpers/docs-examples";
import { wallLimit } from "../../../helpers/time-limit";

let broker: TestService;
let pg: PostgresService;
beforeAll(async () => {
  [broker, pg] = await Promise.all([startMosquitto(), startPostgres()]);
}, wallLimit(60_000));
afterAll(async () => {
  await broker?.stop();
  await pg?.stop();
});

for (const backend of ["sqlite", "postgres"] as const) {
  describe(`a task failing five times then succeeding (${backend})`, () => {
    let h: Harness;
    let m: MailedHarness | undefined;
    let smtp: SmtpReceiver;
    let slack: HttpReceiver;
    let teams: HttpReceiver;
    let hook: HttpReceiver;
    let signl4: HttpReceiver;
    let sub: MqttClient;
    const got: Array<{ topic: string; payload: string }> = [];
    const prefix = `e2e-${backend}`;

    beforeAll(async () => {
      [slack, teams, hook, signl4] = [startHttpReceiver(), startHttpReceiver(), startHttpReceiver(), startHttpReceiver()];
      sub = await mqtt.connectAsync(broker.url, { clientId: `incidents-e2e-${backend}` });
      sub.on("message", (topic, payload) => got.push({ topic, payload: payload.toString() }));
      await sub.subscribeAsync([`${prefix}/#`, "qliksense/#"], { qos: 1 });
      const store = backend === "postgres" ? `store:\n  postgres: { url: "${await pg.createDatabase(`incidents_e2e_${process.pid}`)}" }\n` : "";
      m = await startMailedHarness(`steward-incidents-${backend}-`, {
        extraYaml: (mail) => `
${store}
channels:
${mail}
  slack: { type: slack, webhookUrl: "${slack.url}/slack" }
  teams: { type: teams, webhookUrl: "${teams.url}/teams" }
  hook: { type: webhook, url: "${hook.url}/hook" }
  bus: { type: mqtt, url: "${broker.url}", qos: 1, structured: { prefix: ${prefix} } }
  pager: { type: signl4, url: "${signl4.url}/signl4" }
routes:
  - { name: on-call, on: [task.failed, task.aborted, task.recovered], to: [mail, slack, teams, hook, bus, pager], taskIds: [${IDS.reload}], renotify: { nth: 3 } }
`,
      });
      ({ h, smtp } = m);
    }, wallLimit(60_000));
    afterAll(async () => {
      await m?.close();
      await sub?.endAsync();
      for (const r of [slack, teams, hook, signl4]) await r?.stop();
    });

    test("one incident, the 1st and 3rd failures and one task.recovered on every channel", { timeout: wallLimit(60_000) }, async () => {
      const runs: TaskEvent[] = [];
      const runOnce = async (outcome: "succeed" | "fail", durationMs?: number) => {
        const id = await h.runWhenIdle(IDS.reload, outcome, durationMs === undefined ? undefined : { durationMs });
        runs.push(await h.eventFor(id, 15_000));
      };
      // Three successes give the task a usual duration, so the failures can say how long it usually takes.
      for (const ms of [1_200, 1_500, 1_300]) await runOnce("succeed", ms);
      for (let i = 0; i < 5; i++) await runOnce("fail");
      await runOnce("succeed");
      await waitFor(() => h.events.find((e) => e.kind === "task.recovered"), { what: "task.recovered on the bus", timeoutMs: 15_000 });

      // Every channel: failures 1 and 3, then the recovery.
      await waitFor(
        () => smtp.mails.length >= 3 && slack.requests.length >= 3 && teams.requests.length >= 3 && hook.requests.length >= 3 && signl4.requests.length >= 3,
        {
          what: "3 messages on every HTTP channel and 3 mails",
          timeoutMs: 30_000,
        },
      );
      await waitFor(
        async () => ((await (await h.t.request("/v4/deliveries?status=pending,sending,grouping")).json()) as { deliveries: unknown[] }).deliveries.length === 0,
        {
          what: "the outbox to be empty",
          timeoutMs: 30_000,
        },
      );
      await waitFor(() => got.filter((m) => m.topic.startsWith(`${prefix}/`)).length >= 3, { what: "3 structured MQTT messages", timeoutMs: 15_000 });
      expect(smtp.mails.length).toBe(3);
      for (const r of [slack, teams, hook, signl4]) expect(r.requests.length).toBe(3);

      const failures = runs.slice(3, 8);
      const third = failures[2]!;
      expect(failures.map((e) => e.history?.consecutiveFailures)).toEqual([1, 2, 3, 4, 5]);
      expect(failures.every((e) => e.history?.usualDurationMs !== undefined && e.history.usualDurationMs >= 1_000)).toBe(true);

      // E-mail: subjects, and the third failure's story in one line with its likely cause.
      expect(smtp.mails.map((m) => m.mail.subject)).toEqual([
        "[Qlik Sense] Reload task failed: Reload Sales dashboard (Sales dashboard)",
        "[Qlik Sense] Reload task failed: Reload Sales dashboard (Sales dashboard)",
        "[Qlik Sense] Reload task recovered: Reload Sales dashboard after 5 failed runs",
      ]);
      expect(smtp.mails[1]!.mail.text).toContain("3rd failure in a row · failing since ");
      expect(smtp.mails[1]!.mail.text).toContain("Likely cause (missing file): A file or folder the script reads is missing");
      expect(smtp.mails[2]!.mail.text).toMatch(/Recovered after 5 failed runs over \d+ s\./);

      // Webhook: the third failure's body says 3 in a row and when the task last worked; Butler's fields unchanged.
      const bodies = hook.requests.map((r) => JSON.parse(r.body) as Record<string, unknown>);
      expect(bodies.map((b) => [b.kind, b.consecutiveFailures])).toEqual([
        ["task.failed", 1],
        ["task.failed", 3],
        ["task.recovered", 0],
      ]);
      expect(bodies[1]).toMatchObject({
        event: "Qlik Sense reload failed",
        executionId: third.executionId,
        consecutiveFailures: 3,
        lastSuccessAt: runs[2]!.execution!.stopTime,
        failingSince: failures[0]!.execution!.stopTime,
        errorClass: "file",
        incident: { status: "open", failures: 3 },
        startedBy: { kind: "scheduler", user: "INTERNAL\\sa_scheduler" },
      });
      expect(bodies[2]).toMatchObject({ event: "Qlik Sense reload recovered", incident: { status: "closed", failures: 5 } });
      // Every field of the recorded Butler 16.0.4 webhook is still there under its name; Steward's are added.
      const butler = Object.keys(
        (JSON.parse(readFileSync(join(import.meta.dir, "../../../fixtures/butler-16.0.4/outputs.json"), "utf8")) as { webhook: Array<Record<string, unknown>> })
          .webhook[0]!,
      );
      for (const b of bodies.slice(0, 2)) expect(butler.filter((k) => !(k in b))).toEqual([]);

      // Slack and Teams: the recovery headline; the third failure's message carries the story line.
      const slackBodies = slack.requests.map((r) => JSON.parse(r.body) as { text: string; blocks: Array<{ text?: { text: string } }> });
      expect(slackBodies[2]!.text).toStartWith("Reload task recovered: Reload Sales dashboard");
      expect(JSON.stringify(slackBodies[1]!.blocks)).toContain("3rd failure in a row");
      expect(teams.requests[2]!.body).toContain("Reload task recovered: Reload Sales dashboard");

      // MQTT: Butler's failure topic and Steward's structured topics.
      const topics = got.map((m) => m.topic);
      expect(topics.filter((t) => t === "qliksense/task_failure").length).toBe(2);
      expect(topics.filter((t) => t.startsWith(`${prefix}/`))).toEqual([
        `${prefix}/sense1.test.example/task/failed/reload`,
        `${prefix}/sense1.test.example/task/failed/reload`,
        `${prefix}/sense1.test.example/task/recovered/reload`,
      ]);
      const recoveredMsg = JSON.parse(got.find((m) => m.topic.endsWith("/task/recovered/reload"))!.payload) as TaskEvent;
      expect(recoveredMsg.incident).toMatchObject({ status: "closed", failures: 5 });

      // SIGNL4: one incident id, opened (1st and 3rd failure) and resolved once.
      const s4 = signl4.requests.map((r) => JSON.parse(r.body) as Record<string, string>);
      expect(s4.map((b) => [b["X-S4-ExternalID"], b["X-S4-Status"]])).toEqual([
        [IDS.reload, "new"],
        [IDS.reload, "new"],
        [IDS.reload, "resolved"],
      ]);

      // One incident, closed, with its summary; failures 2, 4 and 5 were suppressed on every channel by renotify.
      const list = (await (await h.t.request("/v4/incidents")).json()) as { incidents: Array<Record<string, unknown>> };
      expect(list.incidents.length).toBe(1);
      expect(list.incidents[0]).toMatchObject({ status: "closed", failures: 5, taskId: IDS.reload, errorClass: "file" });
      expect(String(list.incidents[0]!.closedSummary)).toMatch(/^recovered after 5 failed runs over \d+ s$/);
      const suppressed = (await (await h.t.request("/v4/deliveries?status=suppressed&limit=100")).json()) as { deliveries: Array<{ reason: string }> };
      expect(suppressed.deliveries.length).toBe(3 * 6);
      expect(suppressed.deliveries.every((d) => d.reason.startsWith("renotify: incident "))).toBe(true);

      // docs/incident-examples.md shows this run's third-failure mail and Slack message and the recovery mail.
      if (updateDocsExamples && backend === "sqlite") {
        const mail = smtp.mails[1]!.mail;
        const fence = (lang: string, body: string) => `\`\`\`${lang}\n${body.trimEnd()}\n\`\`\``;
        replaceGeneratedBlock("docs/incident-examples.md", "mail", fence("text", `Subject: ${mail.subject}\n\n${mail.text}`));
        replaceGeneratedBlock(
          "docs/incident-examples.md",
          "recovered-mail",
          fence("text", `Subject: ${smtp.mails[2]!.mail.subject}\n\n${smtp.mails[2]!.mail.text}`),
        );
        replaceGeneratedBlock("docs/incident-examples.md", "slack", fence("json", JSON.stringify(JSON.parse(slack.requests[1]!.body), null, 2)));
        replaceGeneratedBlock("docs/incident-examples.md", "webhook", fence("json", JSON.stringify(bodies[1], null, 2)));
        writeDocsFile("docs/examples/task-failed-3rd.html", String(mail.html));
      }
    });
  });
}
