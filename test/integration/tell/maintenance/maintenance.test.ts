// Maintenance windows end to end, on one Steward with SQLite and on two Stewards sharing PostgreSQL: inside a window
// alerts are recorded as suppressed (the window named), every dashboard page shows the banner, a restart inside the
// window keeps it, and at its end one maintenance.summary goes to the route that asks for it (not twice with two
// Stewards), listing what is still open; no failure alert is sent.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { offsetClock, systemClock } from "../../../../src/platform/core/clock";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { startPostgres, type PostgresService } from "../../../helpers/services";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { replaceGeneratedBlock, updateDocsExamples, writeDocsFile } from "../../../helpers/docs-examples";
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from "../notify/receivers";

/**
 * Long enough to stay open however slowly two Stewards start on a loaded machine (9 s of wall time did not, beside
 * four busy loops): the test ends it by moving the Stewards' clock past its end.
 */
const WINDOW_MS = 120_000;

for (const backend of ["sqlite", "postgres"] as const) {
  describe(`maintenance windows on ${backend}`, () => {
    let rx: HttpReceiver;
    let smtp: SmtpReceiver;
    let pg: PostgresService | undefined;
    let dirA: TempDir;
    let a: TestApp;
    let b: TestApp;
    let yaml: (name: string) => string;
    const apps: TestApp[] = [];
    let endsAt = 0;
    /** The Stewards' clock: the wall's, moved on past the window's end by the second test. */
    let skippedMs = 0;
    const clock = offsetClock(systemClock, () => skippedMs);

    beforeAll(async () => {
      rx = startHttpReceiver();
      smtp = await startSmtpReceiver();
      dirA = createTempDir();
      let store = "";
      if (backend === "postgres") {
        pg = await startPostgres();
        store = `store:\n  postgres:\n    url: ${await pg.createDatabase("maintenance")}\n    instanceName: NAME\n    leaseTtlMs: 2000\n    heartbeatIntervalMs: 300\n`;
      }
      const start = new Date(Date.now() - 60_000).toISOString();
      endsAt = Date.now() + WINDOW_MS;
      yaml = (name) => `${store.replace("NAME", name)}channels:
  hook: { type: webhook, url: "${rx.url}/hook" }
  ops-mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [qlik-ops@corp.example] }
routes:
  - { name: failures, on: [task.failed], to: [hook], renotify: every }
  - { name: summaries, on: [maintenance.summary], to: [hook, ops-mail] }
maintenance:
  windows:
    - { name: dw-patching, reason: "DW upgrade", start: "${start}", end: "${new Date(endsAt).toISOString()}", matcher: { taskNames: ["Sales*"] } }
`;
      a = createTestApp(yaml("node-a"), { dir: dirA.path, clock });
      apps.push(a);
      await a.app.start();
      if (backend === "postgres") {
        b = createTestApp(yaml("node-b"), { clock });
        apps.push(b);
        await b.app.start();
      } else b = a;
    });
    afterAll(async () => {
      for (const t of apps.reverse()) await t.close().catch(() => {});
      dirA.remove();
      await rx.stop();
      await smtp.stop();
      await pg?.stop();
    });

    const fail = async (t: TestApp, name: string) => {
      const e = syntheticTaskEvent({ outcome: "failed", taskName: name, taskId: `id-${name.replace(/\W/g, "")}` });
      await t.app.bus.emit(e.kind, e);
    };

    test("inside the window alerts are held with the window named, every page shows the banner, a restart keeps it", async () => {
      await fail(a, "Sales load");
      await fail(a, "HR load"); // outside the window's matcher: sent
      await waitFor(() => rx.requests.length >= 1, { what: "the alert outside the window" });
      const list = (await (await b.request("/v4/deliveries?status=suppressed&limit=10")).json()) as { deliveries: Array<{ reason: string }> };
      expect(list.deliveries).toHaveLength(1);
      expect(list.deliveries[0]!.reason).toContain("maintenance window dw-patching (task names Sales*)");

      const active = (await (await b.request("/v4/maintenance")).json()) as { active: Array<{ window: string; reason: string }> };
      expect(active.active).toMatchObject([{ window: "dw-patching", reason: "DW upgrade" }]);
      for (const page of ["/ui", "/ui/deliveries", "/ui/silences"]) {
        const html = await (await b.request(page)).text();
        expect(html).toContain("Maintenance window active, alerts held: <b>dw-patching</b> (DW upgrade)");
      }

      await a.app.stop();
      a = createTestApp(yaml("node-a"), { dir: dirA.path, clock });
      apps.push(a);
      await a.app.start();
      if (backend === "sqlite") b = a;
      await fail(a, "Sales extract");
      await Bun.sleep(300);
      expect(rx.requests.map((r) => (JSON.parse(r.body) as { taskName?: string }).taskName)).toEqual(["HR load"]);
    });

    test("at its end one summary goes to the route that asks for it, naming what is still open", async () => {
      // The window ends: its end passes on both Stewards' clock, and each one's maintenance pass runs (every 5 s).
      skippedMs = endsAt - Date.now() + 1_000;
      for (const t of new Set([a, b])) await t.app.alertGates.maintenance.service.tick();
      await waitFor(() => rx.requests.length >= 2, { what: "the window's summary" });
      await waitFor(() => smtp.mails.length >= 1, { what: "the window's summary mailed" });
      // Each Steward's next pass (every 5 s; run now, not waited for) would send a second one now.
      for (const t of new Set([a, b])) await t.app.alertGates.maintenance.service.tick();
      await Bun.sleep(300);
      expect(rx.requests).toHaveLength(2);
      const summary = JSON.parse(rx.requests[1]!.body) as { kind: string; title: string; summary: string; data: Record<string, unknown> };
      expect(summary.kind).toBe("maintenance.summary");
      expect(summary.title).toBe("Maintenance window dw-patching ended: 2 alerts held, 2 still open");
      expect(summary.summary).toContain("2 alerts were held: 2 task.failed.");
      expect(summary.summary).toContain("Still open at its end: Sales load (task.failed); Sales extract (task.failed).");
      expect(summary.data).toMatchObject({ window: "dw-patching", held: 2, stillOpen: 2 });
      expect(((await (await b.request("/v4/maintenance")).json()) as { active: unknown[] }).active).toEqual([]);
      expect(await (await b.request("/ui")).text()).not.toContain("Maintenance window active");
      expect(smtp.mails).toHaveLength(1);
      const mail = smtp.mails[0]!.mail;
      expect(mail.subject).toBe("[Qlik Sense] Maintenance window dw-patching ended: 2 alerts held, 2 still open");
      expect(String(mail.text)).toContain("Still open:");
      // docs/silences-and-maintenance.md shows this mail.
      if (updateDocsExamples && backend === "sqlite") {
        replaceGeneratedBlock(
          "docs/silences-and-maintenance.md",
          "maintenance-mail",
          `\`\`\`text\nSubject: ${mail.subject}\n\n${String(mail.text).trimEnd()}\n\`\`\``,
        );
        writeDocsFile("docs/examples/maintenance-summary.html", String(mail.html));
      }
    });
  });
}
