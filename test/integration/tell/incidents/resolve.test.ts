// Resolving by hand (issue 79), on SQLite and on PostgreSQL, with a real SMTP server: POST /v4/incidents/{id}/resolve
// closes an open incident as resolved by the caller (audited with where from), its follow-up mail says so and reaches
// only whoever got the page (not a route that takes recoveries alone), a second resolve is 409, an unknown id 404, and
// the task's next failure opens a new incident. POST /v4/causes/{id}/resolve closes a cause and every incident it
// holds, with one recovered page naming who resolved it; a cause holding no incident (a node's Scheduler stopped) gets
// one follow-up saying who resolved it, where its page went and nowhere else, and so does a node's queue backed up.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { IncidentView } from "../../../../src/tell/incidents/routes";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { startPostgres, type PostgresService } from "../../../helpers/services";
import { waitFor } from "../../../helpers/wait-for";
import { emitFailure, failedRun } from "../../../helpers/failed-runs";
import { syntheticServiceEvent, syntheticWatchdogEvent } from "../../../../src/tell/notify/samples";
import { startSmtpReceiver, type SmtpReceiver } from "../notify/receivers";

const KEY = generateApiKey();

for (const backend of ["sqlite", "postgres"] as const) {
  describe(`resolve by hand on ${backend}`, () => {
    let pg: PostgresService | undefined;
    let smtp: SmtpReceiver;
    let t: TestApp;

    beforeAll(async () => {
      smtp = await startSmtpReceiver();
      let store = "";
      if (backend === "postgres") {
        pg = await startPostgres();
        store = `store:\n  postgres:\n    url: ${await pg.createDatabase("resolve_by_hand")}\n    instanceName: node-a\n`;
      }
      const mail = (to: string) => `{ type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [${to}] }`;
      t = createTestApp(`${store}security:
  apiKeys: [{ name: anna, hash: "${hashApiKey(KEY)}", scopes: [admin] }]
channels:
  ops: ${mail("ops@corp.example")}
  managers: ${mail("managers@corp.example")}
routes:
  - { on: [task.failed, task.recovered, service.stopped, scheduler.queue_backlog], to: [ops] }
  - { on: [task.recovered], to: [managers] }
notify:
  outbox: { initialBackoff: 50ms, maxBackoff: 100ms }
`);
      await t.app.start();
    }, 120_000);
    afterAll(async () => {
      await t?.close();
      await smtp?.stop();
      await pg?.stop();
    });

    const api = async <T>(path: string, init: RequestInit = {}) => {
      const res = await t.request(path, { ...init, headers: { "content-type": "application/json", "x-api-key": KEY } });
      return { status: res.status, body: (await res.json()) as T };
    };
    const post = <T>(path: string, body: unknown = {}) => api<T>(path, { method: "POST", body: JSON.stringify(body) });
    const mailsTo = (rcpt: string) => smtp.mails.filter((m) => m.envelopeTo.includes(rcpt));
    const openIncident = async (title: string) =>
      (await api<{ incidents: IncidentView[] }>("/v4/incidents?status=open")).body.incidents.find((i) => i.title === title);

    test("an incident resolved by hand: closed as resolved by the caller, its follow-up mailed where its page went; a later failure opens a new one", async () => {
      await emitFailure(t, failedRun("sales"));
      await waitFor(() => mailsTo("ops@corp.example").length === 1 || undefined, { what: "the failure's page" });
      const incident = (await openIncident("Load sales"))!;

      const done = await post<IncidentView>(`/v4/incidents/${incident.id}/resolve`, { note: "restarted the gateway" });
      expect(done.status).toBe(200);
      expect(done.body).toMatchObject({ id: incident.id, status: "closed", closedSummary: "resolved by anna (API): restarted the gateway" });

      const followUp = await waitFor(() => mailsTo("ops@corp.example")[1], { what: "the follow-up mail" });
      expect(followUp.mail.subject).toContain("task resolved by anna: Load sales after 1 failed run");
      expect(followUp.mail.text).toContain("Resolved by hand by anna (API) after 1 failed run");
      expect(followUp.mail.text).toContain("Note: restarted the gateway");
      expect(followUp.mail.text).not.toMatch(/task recovered/i);

      const audit = await api<{ entries: Array<{ target: string; result: string; details: Record<string, unknown> }> }>("/v4/audit?action=api.write&limit=20");
      expect(audit.body.entries.find((e) => e.target === `POST /v4/incidents/${incident.id}/resolve` && e.details.status === 200)).toMatchObject({
        result: "ok",
        details: { op: "incident.resolve", object: `incident ${incident.id}`, from: "api", note: "restarted the gateway" },
      });

      const again = await post<{ error: string; code: string }>(`/v4/incidents/${incident.id}/resolve`);
      expect(again.status).toBe(409);
      expect(again.body.error).toContain("resolved by anna");
      const unknown = await post<{ error: string }>("/v4/incidents/987654/resolve");
      expect(unknown.status).toBe(404);
      expect(unknown.body.error).toBe("no incident 987654");
      const bad = await post<{ error: string }>(`/v4/incidents/${incident.id}/resolve`, { note: 7 });
      expect(bad.status).toBe(400);
      expect(JSON.stringify(bad.body)).toContain("note");

      await emitFailure(t, failedRun("sales"));
      const next = await waitFor(() => openIncident("Load sales"), { what: "a new incident" });
      expect(next.id).not.toBe(incident.id);
      await waitFor(() => mailsTo("ops@corp.example").length === 3 || undefined, { what: "the new incident's page" });
      // The managers' route takes recoveries only: it got no page, so no follow-up either.
      await Bun.sleep(300);
      expect(mailsTo("managers@corp.example")).toEqual([]);
    });

    test("a cause resolved by hand closes with every incident it holds, and its recovered page names who resolved it", async () => {
      for (const n of ["1", "2", "3"]) await emitFailure(t, failedRun(n, { source: "DWH" }));
      const cause = await waitFor(
        async () => {
          const { causes } = (await api<{ causes: Array<{ id: number; title: string; stillFailing: number }> }>("/v4/causes?status=open")).body;
          return causes.find((c) => c.title === "connection errors from DWH" && c.stillFailing === 3);
        },
        { what: "the cause with three tasks" },
      );
      const before = mailsTo("ops@corp.example").length;
      await waitFor(() => mailsTo("ops@corp.example").length > before || smtp.mails.some((m) => m.mail.subject?.includes(`cause #${cause.id}`)) || undefined, {
        what: "the cause's page",
      });
      const pages = mailsTo("ops@corp.example").length;

      const done = await post<{ cause: { id: number }; incidents: IncidentView[] }>(`/v4/causes/${cause.id}/resolve`, { from: "dashboard" });
      expect(done.status).toBe(200);
      expect(done.body.incidents.map((i) => [i.title, i.status, i.closedSummary]).sort()).toEqual([
        ["Load 1", "closed", "resolved by anna (dashboard)"],
        ["Load 2", "closed", "resolved by anna (dashboard)"],
        ["Load 3", "closed", "resolved by anna (dashboard)"],
      ]);
      const recovered = await waitFor(() => mailsTo("ops@corp.example").find((m) => m.mail.subject?.includes(`Resolved by anna: cause #${cause.id}`)), {
        what: "the cause's recovered page",
      });
      expect(recovered.mail.text).toContain("Resolved by hand by anna (dashboard)");
      await Bun.sleep(300);
      // One page for the cause's end, not one per incident.
      expect(mailsTo("ops@corp.example").length).toBe(pages + 1);
      const closed = await api<{ status: string }>(`/v4/causes/${cause.id}`);
      expect(closed.body.status).toBe("closed");
      expect((await post(`/v4/causes/${cause.id}/resolve`)).status).toBe(409);
      expect((await post("/v4/causes/987654/resolve")).status).toBe(404);
      const audit = await api<{ entries: Array<{ target: string; details: Record<string, unknown> }> }>("/v4/audit?action=api.write&limit=20");
      expect(audit.body.entries.find((e) => e.target === `POST /v4/causes/${cause.id}/resolve` && e.details.status === 200)?.details).toMatchObject({
        op: "cause.resolve",
        from: "dashboard",
      });
    });

    test("a cause holding no incident (a node's Scheduler stopped), resolved by hand: one follow-up where its page went, naming who", async () => {
      const stopped = syntheticServiceEvent({ state: "stopped", host: "sense2.corp.example", service: "QlikSenseSchedulerService" });
      await t.app.bus.emit(stopped.kind, stopped);
      const cause = await waitFor(
        async () => (await api<{ causes: Array<{ id: number; title: string }> }>("/v4/causes?status=open")).body.causes.find((c) => c.title.includes("sense2")),
        { what: "the node's cause" },
      );
      await waitFor(() => mailsTo("ops@corp.example").find((m) => m.mail.subject?.includes(`Open: cause #${cause.id}`)), { what: "the node's page" });
      const before = mailsTo("ops@corp.example").length;

      const done = await post<{ incidents: unknown[] }>(`/v4/causes/${cause.id}/resolve`, { note: "node rebuilt", from: "dashboard" });
      expect(done.status).toBe(200);
      // The stopped service's own incident (issue 84) ends with its cause: closed, no task to recover, no page of its own.
      expect(done.body.incidents).toMatchObject([{ status: "closed", taskId: null }]);
      const followUp = await waitFor(() => mailsTo("ops@corp.example").find((m) => m.mail.subject?.includes(`Resolved by anna: cause #${cause.id}`)), {
        what: "the cause's follow-up",
      });
      expect(followUp.mail.subject).toContain("Qlik services down on sense2: resolved by anna");
      expect(followUp.mail.text).toContain(`anna resolved cause #${cause.id} (Qlik services down on sense2) by hand from the dashboard: node rebuilt`);
      expect(followUp.mail.text).not.toMatch(/service running/i);
      expect((await post(`/v4/causes/${cause.id}/resolve`)).status).toBe(409);
      await Bun.sleep(500);
      // Once, and only where the page went: the managers' route takes recoveries, not the node's page.
      expect(mailsTo("ops@corp.example").length).toBe(before + 1);
      expect(mailsTo("managers@corp.example")).toEqual([]);
    });

    test("a node's queue backed up, resolved by hand from the assistant: one follow-up, not a queue 'back on track'", async () => {
      const backlog = syntheticWatchdogEvent("scheduler.queue_backlog", { host: "sense4.corp.example" });
      await t.app.bus.emit(backlog.kind, backlog);
      const cause = await waitFor(
        async () => (await api<{ causes: Array<{ id: number; title: string }> }>("/v4/causes?status=open")).body.causes.find((c) => c.title.includes("sense4")),
        { what: "the queue's cause" },
      );
      await waitFor(() => mailsTo("ops@corp.example").find((m) => m.mail.subject?.includes(`Open: cause #${cause.id}`)), { what: "the queue's page" });
      const before = mailsTo("ops@corp.example").length;
      expect((await post(`/v4/causes/${cause.id}/resolve`, { from: "mcp" })).status).toBe(200);
      // The backlog's own incident (issue 84) closed with it.
      expect(
        (await api<{ incidents: Array<{ title: string }> }>("/v4/incidents?status=open")).body.incidents.filter((i) => i.title.includes("sense4")),
      ).toEqual([]);
      const followUp = await waitFor(() => mailsTo("ops@corp.example").find((m) => m.mail.subject?.includes(`Resolved by anna: cause #${cause.id}`)), {
        what: "the queue cause's follow-up",
      });
      expect(followUp.mail.text).toContain(`anna resolved cause #${cause.id} (${cause.title}) by hand from the assistant.`);
      expect(followUp.mail.text).not.toMatch(/on track/i);
      await Bun.sleep(500);
      expect(mailsTo("ops@corp.example").length).toBe(before + 1);
    });
  });
}
