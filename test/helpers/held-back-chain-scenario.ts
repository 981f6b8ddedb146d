// Issue 102's held-back night (freshness-data-through.test.ts on SQLite, freshness-data-through-postgres.test.ts on
// PostgreSQL: two files, so the suite's workers run them side by side): the held-back site (held-back-chain-site.ts)
// on the simulator with Steward on one stepped clock, a subscriber to Sales dashboard. The first night the chain runs
// and the promise is kept (no mail); the second night its head fails on a script error at 01:38, and the dashboard's
// own 07:00 refresh reloads the same old QVDs after the deadline. /status, read over HTTP all night, never says "up to
// date" while the head has failed; the subscriber gets one "late" mail; once the chain is run again from its head and
// the dashboard reloads after it, "fresh again" cites that reload. The third night is kept again: no mail. The fourth,
// the head fails on a locked QVD and remediation's rule retries it 5 minutes on (the retry heals); the fifth, the
// node has one engine and the head waits 40 minutes for it behind Reload archive: both kept, no alert, no mail (issue
// 102's "Done when" scenario, whole: each of its nights is also a test of its own, freshness-pending-retry.test.ts
// and freshness-queue-wait.test.ts).
import { expect } from "bun:test";
import { join } from "node:path";
import type { WatchdogEvent } from "../../src/platform/events/types";
import { createTestApp, type TestApp } from "./app";
import { freeTcpPort } from "./free-port";
import { ARCHIVE, DASHBOARD_APP, HEAD, HELD_BACK_SITE, heldBackStewardYaml } from "./held-back-chain-site";
import { simControl } from "./sim-control";
import { type PostgresService, startPostgres } from "./services";
import { type SteppedSite, startSteppedSite } from "./stepped-site";
import { createTempDir } from "./temp-dir";
import { waitFor } from "./wait-for";
import { type SmtpReceiver, startSmtpReceiver } from "../integration/tell/notify/receivers";

const at = (s: string) => Date.parse(s);
const KINDS = ["app.freshness_warning", "app.freshness_breached", "app.freshness_recovered"] as const;
const LOCKED = "Cannot open file 'lib://Data/orders.qvd': the file is being used by another process";

let pg: PostgresService | undefined;
/** Stops the PostgreSQL the PostgreSQL run started (the caller's afterAll). */
export const stopHeldBackPostgres = async (): Promise<void> => {
  await pg?.stop();
  pg = undefined;
};

/** A heartbeat each simulated minute, as the chain scenario's PostgreSQL run (freshness-chain-scenario.ts). */
async function postgresStore(): Promise<string> {
  pg ??= await startPostgres();
  const url = await pg.createDatabase(`held_back_${Date.now()}`);
  return `store:\n  postgres:\n    url: ${url}\n    instanceName: alpha\n    leaseTtlMs: 180000\n    heartbeatIntervalMs: 60000\n`;
}

/** One run of the three nights on `store`; throws at the first assertion that fails. */
export async function heldBackScenario(store: "sqlite" | "postgres"): Promise<void> {
  const dir = createTempDir();
  let site: SteppedSite | undefined;
  let t: TestApp | undefined;
  let smtp: SmtpReceiver | undefined;
  try {
    // Four nights of the chain before Steward starts, for the usual durations.
    site = await startSteppedSite(dir.path, at("2026-11-13T00:00:00Z"), HELD_BACK_SITE);
    const { sim, clock } = site;
    await clock.runUntil(at("2026-11-17T08:00:00Z"));
    smtp = await startSmtpReceiver();
    const httpPort = await freeTcpPort();
    const storeYaml = store === "postgres" ? await postgresStore() : "";
    t = createTestApp(`${storeYaml}${heldBackStewardYaml(site, { httpPort, smtpPort: smtp.port })}`, { clock, dir: join(dir.path, "steward") });
    const events: WatchdogEvent[] = [];
    for (const k of KINDS) t.app.bus.on(k, (e) => void events.push(e as WatchdogEvent));
    await t.app.start();
    sim.settings.udp.targets = [{ host: "127.0.0.1", port: t.app.intake.udp!.address()!.port }];
    const base = `http://127.0.0.1:${httpPort}`;
    const anna = () => smtp!.mails.filter((m) => m.envelopeTo.includes("anna@corp.example"));
    const notices = () =>
      anna()
        .slice(1)
        .map((m) => m.mail.subject ?? "");
    const status = async () => {
      const r = await fetch(`${base}/v4/status/apps/${DASHBOARD_APP}`);
      expect(r.status).toBe(200);
      return (await r.json()) as { state: string; message: string; dataAsOf: string | null };
    };
    const page = async () => (await fetch(`${base}/status`)).text();

    // Anna subscribes to Sales dashboard (once the judge has read the promised apps from QRS) and confirms.
    await clock.runUntil(at("2026-11-17T08:05:00Z"));
    const asked = await fetch(`${base}/status/subscriptions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "anna@corp.example", appId: DASHBOARD_APP }),
    });
    expect(asked.status).toBe(202);
    await clock.runUntil(at("2026-11-17T08:10:00Z"));
    const confirmation = await waitFor(() => anna()[0], { what: "the confirmation mail" });
    const confirm = /(http:\/\/\S+\/status\/subscriptions\/confirm\?\S+)/.exec(confirmation.mail.text ?? "")?.[1];
    expect((await fetch(confirm!, { method: "POST" })).status).toBe(200);

    // Wednesday night: the chain runs 01:30–02:02, the promise is kept, the 07:00 refresh changes nothing.
    await clock.runUntil(at("2026-11-18T05:45:00Z"));
    expect((await status()).state).toBe("fresh");
    await clock.runUntil(at("2026-11-18T07:10:00Z"));
    expect((await status()).state).toBe("fresh");
    expect(events).toEqual([]);

    // Thursday night: the head fails on a script error at 01:38.
    const patch = await fetch(`http://127.0.0.1:${sim.ports.control}/tasks/${HEAD}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ outcome: { failThenSucceed: 1 } }),
    });
    expect(patch.status).toBe(200);
    const states: string[] = [];
    // /status read through the night, past the deadline and past the dashboard's own 07:00 refresh (07:04).
    for (const step of ["01:45", "03:00", "05:35", "06:05", "07:10", "09:00"]) {
      await clock.runUntil(at(`2026-11-19T${step}:00Z`));
      const s = await status();
      states.push(`${step} ${s.state}`);
      expect(s.message).not.toContain("up to date");
      expect(await page()).not.toContain("Sales dashboard is up to date");
    }
    expect(states.map((s) => s.split(" ")[1])).not.toContain("fresh");
    expect(states.at(-1)).toBe("09:00 late");
    const refreshed = site.finished.filter((r) => r.task === "Reload Sales dashboard" && r.startMs >= at("2026-11-19T06:59:00Z"));
    expect(refreshed).toHaveLength(1);
    expect(refreshed[0]!.status).toBe(7);
    // The breach says why the refresh did not make it fresh.
    const breach = events.find((e) => e.kind === "app.freshness_breached")!;
    expect(breach.data.deadline).toBe("2026-11-19T06:00:00.000Z");
    const late = events.filter((e) => e.kind !== "app.freshness_recovered");
    expect(String(late.at(-1)!.data.why)).toContain('the run of "Extract sales" in its chain failed at 2026-11-19 01:38 UTC');

    // One "late" mail for the night, in the business's words.
    const lateMails = await waitFor(() => (notices().length >= 1 ? notices() : undefined), { what: "the late mail" });
    expect(lateMails).toEqual([expect.stringMatching(/^Sales dashboard (will be|is) late today$/)]);

    // 09:00: someone runs the chain again from its head; the dashboard reloads after the model, at about 09:32.
    expect(sim.tasks.start(HEAD).started).toBe(true);
    await clock.runUntil(at("2026-11-19T09:50:00Z"));
    const recovered = events.at(-1)!;
    expect(recovered.kind).toBe("app.freshness_recovered");
    const reload = site.finished.filter((r) => r.task === "Reload Sales dashboard").at(-1)!;
    expect(reload.startMs).toBeGreaterThan(at("2026-11-19T09:20:00Z"));
    const reloadAt = new Date(reload.stopMs).toISOString().slice(11, 16);
    expect(recovered.data.freshFrom).toBe(new Date(reload.stopMs).toISOString());
    expect(recovered.summary).toContain(`reloaded successfully at 2026-11-19 ${reloadAt}`);
    expect(recovered.summary).toContain('after its chain ran ("Extract sales" → "Transform sales")');
    const fresh = await waitFor(() => anna()[2], { what: "the fresh-again mail" });
    expect(fresh.mail.subject).toBe(`Sales dashboard is fresh again (data as of ${reloadAt})`);
    expect(fresh.mail.text).toContain(`it was reloaded at ${reloadAt}, after the loads it depends on ran.`);
    expect(fresh.mail.text).not.toMatch(/Extract|Transform|task/);
    const now = await status();
    expect(now.state).toBe("fresh");
    expect(now.message).toContain(`is up to date (data as of ${reloadAt} UTC, loaded after the loads it depends on ran)`);
    const feed = await (await fetch(`${base}/status/feed.atom`)).text();
    expect(feed).toContain(`it was reloaded at ${reloadAt}, after the loads it depends on ran.`);

    // Friday night: kept again, the 07:00 refresh after it: nothing more said.
    await clock.runUntil(at("2026-11-20T07:10:00Z"));
    expect((await status()).state).toBe("fresh");
    expect(events.map((e) => e.kind).filter((k) => k !== "app.freshness_recovered")).toHaveLength(late.length);
    expect(notices()).toHaveLength(2);

    // Saturday night: the head fails at 01:38 on a locked QVD; the rule retries it at 01:43, the retry heals, the
    // chain follows: kept, and nothing said (before, a failed head was "the chain stopped": a false "late" mail).
    await fetch(`http://127.0.0.1:${sim.ports.control}/tasks/${HEAD}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ outcome: { failThenSucceed: 1 }, scriptError: LOCKED }),
    });
    await clock.runUntil(at("2026-11-21T07:10:00Z"));
    const saturday = site.finished.filter((r) => r.startMs >= at("2026-11-21T01:00:00Z") && r.startMs < at("2026-11-21T06:00:00Z"));
    expect(saturday.map((r) => `${r.task}:${r.status}`)).toEqual(["Extract sales:8", "Extract sales:7", "Transform sales:7", "Reload Sales dashboard:7"]);
    expect((await status()).state).toBe("fresh");

    // Sunday night: one engine on the node (Qlik cancels a run that waits over an hour), Reload archive (45 min) takes it
    // at 01:25; the head waits for it until 02:10 and the chain follows: kept, and nothing said (before, a run waiting
    // for an engine was a stopped chain after 5 minutes).
    await simControl(sim, "PATCH", "/nodes/Central/scheduler", { maxConcurrentEngines: 1, engineTimeout: 60 });
    await clock.runUntil(at("2026-11-22T01:25:00Z"));
    expect(sim.tasks.start(ARCHIVE).started).toBe(true);
    await clock.runUntil(at("2026-11-22T07:10:00Z"));
    const head = site.finished.find((r) => r.task === "Extract sales" && r.startMs >= at("2026-11-22T01:00:00Z"))!;
    expect(head.status).toBe(7);
    expect(head.startMs).toBeGreaterThanOrEqual(at("2026-11-22T02:09:00Z"));
    expect((await status()).state).toBe("fresh");
    // Two nights kept: no freshness alert and nothing more to Anna than the one "late" and its "fresh again".
    expect(events.filter((e) => Date.parse(e.receivedAt) >= at("2026-11-21T00:00:00Z"))).toEqual([]);
    expect(notices()).toHaveLength(2);
  } finally {
    await t?.close();
    await smtp?.stop();
    await site?.sim.stop();
    dir.remove();
  }
}
