// Steward's own Engine reload is a run to come for a freshness promise, on the freshness chain site with a stepped
// clock, on each store. Thursday the ERP job checks in on time, Extract and Transform run well, but "Reload Sales
// dashboard" fails at 06:10 (a script error, no retry) and nothing the Scheduler plans reloads Sales before Friday: the
// promise (fresh by 07:00, warn 06:30) is at risk. The on-call engineer presses the failure mail's "Reload the app": the
// Engine reloads Sales for ten minutes. While it runs, the projection (GET /v4/freshness, what /status shows) expects
// Sales at the reload's start plus its usual ten minutes and nothing warns; when it succeeds Sales is fresh at the next
// look (Steward's own job counts, no Engine log needed) and no freshness alert is sent at all. When it fails, the
// warning comes at the next look after the failure ("will not be fresh by 07:00"), not before (it joins the failed
// reload's open cause, as any warning that cause explains). Before, the look after the failure warned at once, however
// the person's reload went, and a reload that succeeded made Sales fresh only once QRS's app list was read again.
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { WatchdogEvent } from "../../../../src/platform/events/types";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { CHAIN_KEY, CHAIN_SITE, chainStewardYaml, SALES_APP, SALES_RELOAD } from "../../../helpers/freshness-chain-site";
import { type PostgresService, startPostgres } from "../../../helpers/services";
import { simControl } from "../../../helpers/sim-control";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { type SmtpReceiver, startSmtpReceiver } from "../../tell/notify/receivers";

const at = (s: string) => Date.parse(s);
const MIN = 60_000;
const BASE = "https://steward.corp.example";
const BROKEN = "Field 'Region' not found in table Orders";
/** The site with the Sales app's Engine reload as given and its Scheduler task not retried by Qlik. */
function site(engineReload: string): string {
  const out = CHAIN_SITE.replace(
    "name: Sales dashboard, owner: CORP\\anna, stream: Sales }",
    `name: Sales dashboard, owner: CORP\\anna, stream: Sales, reload: ${engineReload} }`,
  ).replace("    app: Sales dashboard\n", "    app: Sales dashboard\n    maxRetries: 0\n");
  if (!out.includes(engineReload) || !out.includes("maxRetries: 0")) throw new Error("the chain site changed: the test's site no longer applies");
  return out;
}

let pg: PostgresService | undefined;
afterAll(async () => {
  await pg?.stop();
});

interface Night {
  s: SteppedSite;
  t: TestApp;
  smtp: SmtpReceiver;
  events: WatchdogEvent[];
  pressedAt: number;
  pressed: { status: number; text: string };
  /** GET /v4/freshness's projection of Sales while the person's reload ran. */
  whileRunning: { at: string | null; willMiss: string | null } | null;
  /** What /v4/status/apps/{id} (the business's /status) said of Sales at the same moment. */
  statusWhileRunning: { message: string; promises: Array<{ expectedAt: string | null; willMiss: string | null }> };
  close(): Promise<void>;
}

async function playNight(dir: string, backend: "sqlite" | "postgres", engineReload: string, db: string): Promise<Night> {
  const s = await startSteppedSite(dir, at("2026-11-13T00:00:00Z"), site(engineReload));
  await s.clock.runUntil(at("2026-11-19T03:05:00Z"));
  const smtp = await startSmtpReceiver();
  let store = "";
  if (backend === "postgres") {
    pg ??= await startPostgres();
    store = `store:\n  postgres:\n    url: ${await pg.createDatabase(db)}\n    leaseTtlMs: 180000\n    heartbeatIntervalMs: 60000\n`;
  }
  const yaml = chainStewardYaml(s, {
    timeZone: "Europe/Stockholm",
    extra: `channels:
  ops-mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [ops@corp.example] }
routes:
  - { on: [task.failed, app.freshness_warning, app.freshness_breached, app.freshness_recovered], to: [ops-mail] }
actionLinks: { publicBaseUrl: "${BASE}" }
remediation: { pollInterval: 10s, links: [retry, reload] }
`,
  })
    // The Engine's port: the person's reload goes through it.
    .replace(`  qrsPort: ${s.sim.ports.qrs}\n`, `  qrsPort: ${s.sim.ports.qrs}\n  enginePort: ${s.sim.ports.engine}\n`);
  const t = createTestApp(store + yaml, { clock: s.clock, dir: join(dir, "steward") });
  const events: WatchdogEvent[] = [];
  for (const k of ["app.freshness_warning", "app.freshness_breached", "app.freshness_recovered"] as const)
    t.app.bus.on(k, (e) => void events.push(e as WatchdogEvent));
  const starting = t.app.start();
  await s.clock.runUntil(s.clock.now() + 1_000);
  await starting;
  s.sim.settings.udp.targets = [{ host: "127.0.0.1", port: t.app.intake.udp!.address()!.port }];

  // The job checks in at 05:02; the dashboard's reload will fail on a script error.
  await s.clock.runUntil(at("2026-11-19T04:02:00Z"));
  expect((await t.request(`/ping/${CHAIN_KEY}`, { method: "POST", body: "extract done" })).status).toBe(200);
  await simControl(s.sim, "PATCH", `/tasks/${SALES_RELOAD}`, { outcome: "fail", scriptError: BROKEN });

  // 06:10 the dashboard's reload fails; the person presses "Reload the app" as soon as the failure's mail is in.
  await s.clock.runUntil(at("2026-11-19T05:10:00Z"));
  let link = "";
  for (let i = 0; i < 120 && !link; i++) {
    await s.clock.runUntil(s.clock.now() + 5_000);
    const mail = smtp.mails.map((m) => `${m.mail.subject ?? ""}\n${m.mail.text ?? ""}`).find((m) => m.includes("Reload task failed: Reload Sales dashboard"));
    link = /https:\/\/steward\.corp\.example(\/act\/incident\/\d+\?a=reload[^\s"<>]+)/.exec(mail ?? "")?.[1] ?? "";
  }
  if (!link) throw new Error(`no reload link in the failure's mail: ${smtp.mails.map((m) => m.mail.subject).join(" | ")}`);
  const pressedAt = s.clock.now();
  const res = await t.request(link, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "confirm=reload" });
  const pressed = { status: res.status, text: await res.text() };

  // Five minutes into the reload: what the projection says.
  await s.clock.runUntil(pressedAt + 5 * MIN);
  const view = (await (await t.request("/v4/freshness")).json()) as { rows: Array<{ app: { id: string }; expected: Night["whileRunning"] }> };
  const statusWhileRunning = (await (await t.request(`/v4/status/apps/${SALES_APP}`)).json()) as Night["statusWhileRunning"];
  const whileRunning = view.rows.find((r) => r.app.id.toLowerCase() === SALES_APP)?.expected ?? null;
  // Past the warning time and the deadline.
  await s.clock.runUntil(at("2026-11-19T06:05:00Z"));
  return {
    s,
    t,
    smtp,
    events,
    pressedAt,
    pressed,
    whileRunning,
    statusWhileRunning,
    async close() {
      await t.close();
      await s.sim.stop();
      await smtp.stop();
    },
  };
}

const salesReloads = (n: Night) => n.s.sim.engine.reloads.filter((r) => r.appId.toLowerCase() === SALES_APP);
const kinds = (n: Night) => n.events.map((e) => `${e.kind} ${new Date(e.receivedAt).toISOString().slice(11, 16)}`);

for (const backend of ["sqlite", "postgres"] as const)
  describe(`Steward's own Engine reload of a promised app (${backend})`, () => {
    describe("the reload succeeds", () => {
      const dir = createTempDir(`steward-own-reload-ok-${backend}-`);
      let n: Night | undefined;
      afterAll(async () => {
        await n?.close();
        dir.remove();
      });

      test("expected from the reload while it runs, fresh when it ends, no freshness alert", { timeout: 300_000 }, async () => {
        n = await playNight(dir.path, backend, "{ durationMs: 600000 }", "own_reload_ok");
        expect(n.pressed.status).toBe(200);
        const reloads = salesReloads(n);
        expect(reloads.map((r) => r.status)).toEqual(["succeeded"]);
        expect(n.pressedAt).toBeLessThan(at("2026-11-19T05:20:00Z"));
        // The projection counted it: Sales expected at the reload's start plus its usual 10 minutes, no miss.
        expect(n.whileRunning?.willMiss).toBeNull();
        // /status says the same to the business: expected, not "will be late".
        expect(n.statusWhileRunning.promises).toEqual([expect.objectContaining({ expectedAt: n.whileRunning?.at, willMiss: null })]);
        expect(n.statusWhileRunning.message).toContain("New data is expected fresh at about 06:20 CET (promised by 07:00 CET)");
        const expectedAt = Date.parse(n.whileRunning?.at ?? "");
        expect(expectedAt).toBeGreaterThanOrEqual(reloads[0]!.startMs + 10 * MIN - MIN);
        expect(expectedAt).toBeLessThanOrEqual(reloads[0]!.startMs + 10 * MIN + MIN);
        // No warning while it ran, none at 06:30, no breach at 07:00: the reload made Sales fresh.
        expect(kinds(n)).toEqual([]);
        const apps = (await (await n.t.request("/v4/freshness")).json()) as { rows: Array<{ app: { id: string }; state: string }> };
        expect(apps.rows.find((r) => r.app.id.toLowerCase() === SALES_APP)?.state).toBe("fresh");
        expect(n.smtp.mails.map((m) => m.mail.subject ?? "")).not.toContainEqual(expect.stringMatching(/At risk|Late/));
      });
    });

    describe("the reload fails", () => {
      const dir = createTempDir(`steward-own-reload-fail-${backend}-`);
      let n: Night | undefined;
      afterAll(async () => {
        await n?.close();
        dir.remove();
      });

      test("no warning while it runs; the warning at the next look after it failed", { timeout: 300_000 }, async () => {
        n = await playNight(dir.path, backend, `{ durationMs: 600000, outcome: fail, error: "Cannot open file: 'lib://Sales/orders.qvd'" }`, "own_reload_fail");
        expect(n.pressed.status).toBe(200);
        const reloads = salesReloads(n);
        expect(reloads.map((r) => r.status)).toEqual(["failed"]);
        const failedAt = reloads[0]!.stopMs!;
        expect(n.whileRunning?.willMiss).toBeNull();
        expect(n.statusWhileRunning.promises).toEqual([expect.objectContaining({ willMiss: null })]);
        // One warning, after the reload failed, within a look (2 min) and the reloader's write.
        const warnings = n.events.filter((e) => e.kind === "app.freshness_warning");
        expect(warnings).toHaveLength(1);
        const warnedAt = Date.parse(warnings[0]!.receivedAt);
        expect(warnedAt).toBeGreaterThanOrEqual(failedAt);
        expect(warnedAt).toBeLessThanOrEqual(failedAt + 3 * MIN);
        // Certain now: nothing else reloads Sales before 07:00 (its cause, the failed reload, is named).
        expect(String(warnings[0]!.data.atRisk ?? "")).toContain('"Reload Sales dashboard" runs again');
        expect(warnings[0]!.title).toBe("At risk: Sales dashboard will not be fresh by 2026-11-19 07:00 CET");
      });
    });
  });
