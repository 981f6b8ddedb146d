// The case (the scenario of freshness-chain-stepped.test.ts, on SQLite, and
// freshness-chain-stepped-postgres.test.ts, on PostgreSQL: two files, so that the suite's workers run them side by side) on the Qlik Sense simulator with Steward on one stepped clock (no wall-clock waits), on both
// stores: Sales dashboard is promised fresh by 07:00 (warn 06:30, Mon–Fri, Europe/Stockholm); its chain starts with
// the ERP extract checking in at 05:00, then three Qlik tasks chained by task-event triggers: Extract orders (05:10,
// 20 min) → Transform orders (30 min) → Reload Sales dashboard (10 min). Wednesday goes as planned. Thursday the extract
// does not check in (the Qlik chain runs anyway, on yesterday's data): one warning as soon as the breach is certain
// (05:54, not 06:30: the job's usual lag alone then passes 07:00) naming the job and the
// other app it feeds, one breach at 07:00, one recovery once the job checks in and the chain, started again,
// completes. Friday the job checks in but Transform fails at 06:00: the warning, at once, names that run; restarted, the breach says
// when Sales will be fresh from the chain and the usual durations; then one recovery. On the on-call mail route each
// night is one cause's page and its recovery: the warning and the breach join the cause that made Sales late (the
// missed check-in, the failed run) as its symptoms and page nobody again (issue 67: one notice per promise and night).
// On both stores, with identical events. On PostgreSQL every statement is a round trip to another process during
// which simulated time stands still: a Steward alone in its cluster sends about 25 a simulated minute here (the
// heartbeat's one, its one claim of all leases, the looks for other Stewards' work at the heartbeat's pace, this
// scenario's judges). Steward runs Wednesday to Friday, no weekend between: each simulated day on PostgreSQL is
// several seconds of CPU (test/integration/platform/cluster/alone-statements.test.ts counts an idle Steward's statements).
import { messageTime } from "../../src/platform/core/time-text";
import { expect } from "bun:test";
import { join } from "node:path";
import type { WatchdogEvent } from "../../src/platform/events/types";
import { createTestApp, type TestApp } from "./app";
import { type PostgresService, startPostgres } from "./services";
import { type SteppedSite, startSteppedSite } from "./stepped-site";
import { createTempDir } from "./temp-dir";
import { CHAIN_KEY as KEY, CHAIN_SITE as SITE, chainStewardYaml, TRANSFORM, SALES_APP, EXTRACT } from "./freshness-chain-site";
import { type SmtpReceiver, startSmtpReceiver } from "../integration/tell/notify/receivers";

const MIN = 60_000;
const at = (s: string) => Date.parse(s);

/** The on-call route: the failures, the check-ins and the freshness alerts, to one mailbox. */
const ROUTE = (port: number) => `channels:
  ops-mail: { type: email, smtp: { host: 127.0.0.1, port: ${port}, security: none }, from: steward@corp.example, to: [ops@corp.example] }
routes:
  - { on: [task.failed, task.recovered, checkin.missed, checkin.recovered, app.freshness_warning, app.freshness_breached, app.freshness_recovered], to: [ops-mail] }
`;

const KINDS = ["checkin.missed", "checkin.recovered", "app.freshness_warning", "app.freshness_breached", "app.freshness_recovered"] as const;

let pg: PostgresService | undefined;
/** Stops the PostgreSQL the PostgreSQL run started (the caller's afterAll). */
export const stopChainPostgres = async (): Promise<void> => {
  await pg?.stop();
  pg = undefined;
};

/**
 * On PostgreSQL: a heartbeat each simulated minute (the longest allowed), so the looks a cluster makes for other
 * Stewards' work come at that pace (src/platform/cluster/peer-poll.ts).
 */
async function postgresStore(): Promise<string> {
  pg ??= await startPostgres();
  const url = await pg.createDatabase(`freshness_chain_${Date.now()}`);
  return `store:\n  postgres:\n    url: ${url}\n    instanceName: alpha\n    leaseTtlMs: 180000\n    heartbeatIntervalMs: 60000\n`;
}

/** One run of the three nights on `store`; throws at the first assertion that fails. */
export async function freshnessChainScenario(store: "sqlite" | "postgres"): Promise<void> {
  const dir = createTempDir();
  let site: SteppedSite | undefined;
  let t: TestApp | undefined;
  let smtp: SmtpReceiver | undefined;
  try {
    // The simulator alone from Friday the 13th: five days of the chain for the watchdog to learn durations from.
    site = await startSteppedSite(dir.path, at("2026-11-13T00:00:00Z"), SITE);
    const { sim, clock } = site;
    const stewardStart = at("2026-11-18T03:00:00Z");
    await clock.runUntil(stewardStart);
    const storeYaml = store === "postgres" ? await postgresStore() : "";
    smtp = await startSmtpReceiver();
    t = createTestApp(`${storeYaml}${chainStewardYaml(site, { timeZone: "Europe/Stockholm", extra: ROUTE(smtp.port) })}`, {
      clock,
      dir: join(dir.path, "steward"),
    });
    const events: WatchdogEvent[] = [];
    for (const k of KINDS) t.app.bus.on(k, (e) => void events.push(e as WatchdogEvent));
    // Time stands still while Steward starts (connecting to PostgreSQL and migrating are work in flight too).
    await t.app.start();
    sim.settings.udp.targets = [{ host: "127.0.0.1", port: t.app.intake.udp!.address()!.port }];
    const base = t.app.server!.url().replace(/\/$/, "");
    const ping = async () => expect((await fetch(`${base}/ping/${KEY}`, { method: "POST", body: "extract done" })).status).toBe(200);
    const seen = () => events.map((e) => `${e.kind}@${e.receivedAt.slice(0, 16)}`);
    const subjects = () => smtp!.mails.map((m) => m.mail.subject ?? "");
    /** The freshness condition of Sales listed in the cause of this title (one symptom: the warning, then the breach). */
    const freshnessSymptomOf = async (title: string) => {
      const list = (await (await fetch(`${base}/v4/causes?limit=50`)).json()) as { causes: Array<{ id: number; title: string }> };
      const cause = list.causes.find((c) => c.title === title);
      expect(cause?.title).toBe(title);
      const detail = (await (await fetch(`${base}/v4/causes/${cause!.id}`)).json()) as { symptoms: Array<{ subject: string; kind: string }> };
      return detail.symptoms.find((x) => x.subject === `watch:freshness:sales-morning:${SALES_APP}`);
    };

    // Wednesday: the job checks in at 05:02, the chain runs 05:10–06:10 (Stockholm, UTC+1): fresh, nothing said.
    await clock.runUntil(at("2026-11-18T04:02:00Z"));
    await ping();
    await clock.runUntil(at("2026-11-19T04:00:00Z"));
    expect(seen()).toEqual([]);
    const wednesdaySales = site.finished.filter((r) => r.task === "Reload Sales dashboard" && r.startMs >= stewardStart);
    expect(wednesdaySales.length).toBeGreaterThanOrEqual(1);

    // Thursday: no check-in. The chain runs on yesterday's extract; that does not make Sales fresh.
    await clock.runUntil(at("2026-11-19T06:10:00Z"));
    // The warning comes as soon as the breach is certain (issue 67), not at warnAt (05:30Z): from 04:52Z, even a
    // check-in now would leave Sales fresh only after 07:00 (it usually is 1 h 8 min after it), seen at the next look.
    expect(seen()).toEqual(["checkin.missed@2026-11-19T04:16", "app.freshness_warning@2026-11-19T04:54", "app.freshness_breached@2026-11-19T06:00"]);
    const [missed, warning, breach] = events;
    expect(missed!.condition.openedAt).toBe("2026-11-19T04:15:00.000Z");
    expect(warning!.condition.openedAt).toBe("2026-11-19T04:54:00.000Z");
    expect(warning!.title).toBe("At risk: Sales dashboard will not be fresh by 2026-11-19 07:00 CET");
    expect(warning!.summary).toContain(
      'The promise cannot be kept: Sales dashboard will not be fresh by 2026-11-19 07:00 CET ("erp-extract" has not checked in',
    );
    // Times in the sentences are the site's (notify.timeZone), the data keeps ISO.
    expect(warning!.summary).toContain('job "erp-extract" has not checked in (due 2026-11-19 05:00 CET)');
    expect(warning!.data.deadline).toBe("2026-11-19T06:00:00.000Z");
    expect(warning!.summary).toContain('The late job also feeds "Finance".');
    expect(warning!.summary).toContain('Sales dashboard is usually fresh 1 h 8 min after "erp-extract" checks in.');
    expect(warning!.app).toMatchObject({ id: SALES_APP, name: "Sales dashboard" });
    expect(breach!.summary).toContain("was not fresh by 2026-11-19 07:00 CET");
    // Late, the job checks in and the chain is started again from its head.
    await ping();
    expect(sim.tasks.start(EXTRACT).started).toBe(true);
    await clock.runUntil(at("2026-11-19T08:00:00Z"));
    expect(events.slice(3).map((e) => e.kind)).toEqual(["checkin.recovered", "app.freshness_recovered"]);
    // The chain started at 06:10Z ends with Sales at 07:10Z; judged every 2 minutes.
    const recovered = events.at(-1)!;
    expect(recovered.summary).toContain("reloaded successfully at 2026-11-19 08:10 CET");
    expect(Date.parse(recovered.receivedAt) - at("2026-11-19T07:10:00Z")).toBeLessThanOrEqual(2 * MIN);
    // One notice per promise and night, joined to the cause that made it late (issue 67): on the route, Thursday is
    // the missed check-in's page and its recovery; the warning and the breach are that cause's symptom, not pages.
    expect(subjects()).toEqual([
      expect.stringMatching(/^\[Qlik Sense\] \[Open: cause #\d+, job "erp-extract" did not deliver\] Job did not check in: erp-extract$/),
      expect.stringMatching(/^\[Qlik Sense\] \[Recovered: cause #\d+, job "erp-extract" did not deliver\] Fresh again: Sales dashboard$/),
    ]);
    expect(await freshnessSymptomOf('job "erp-extract" did not deliver')).toMatchObject({
      kind: "app.freshness_breached",
      firstAt: "2026-11-19T04:54:00.000Z",
      lastAt: "2026-11-19T06:00:00.000Z",
    });

    // Friday: the job checks in on time, but Transform fails once.
    events.length = 0;
    await clock.runUntil(at("2026-11-20T04:02:00Z"));
    await ping();
    const patch = await fetch(`http://127.0.0.1:${sim.ports.control}/tasks/${TRANSFORM}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ outcome: { failThenSucceed: 1 } }),
    });
    expect(patch.status).toBe(200);
    await clock.runUntil(at("2026-11-20T05:40:00Z"));
    // Transform failed at 05:00Z with nothing planned to run it again: the breach is certain, said at that look.
    expect(seen()).toEqual(["app.freshness_warning@2026-11-20T05:00"]);
    expect(events[0]!.title).toStartWith("At risk: Sales dashboard");
    expect(events[0]!.summary).toContain('the run of "Transform orders" in its chain failed at 2026-11-20 06:00 CET');
    expect(events[0]!.summary).toContain('Sales dashboard will not be fresh until "Transform orders" runs again and succeeds');
    expect(events[0]!.data.expectedAt).toBeUndefined();
    // Restarted at 06:40 local: it runs 30 min, then Sales 10: fresh at about 07:20 (06:20Z).
    expect(sim.tasks.start(TRANSFORM).started).toBe(true);
    await clock.runUntil(at("2026-11-20T06:05:00Z"));
    expect(seen()).toEqual(["app.freshness_warning@2026-11-20T05:00", "app.freshness_breached@2026-11-20T06:00"]);
    // The usual durations are learned from the runs' start and stop (a few seconds of start-up less): about 06:20Z.
    const expected = Date.parse(String(events[1]!.data.expectedAt));
    expect(Math.abs(expected - at("2026-11-20T06:20:00Z"))).toBeLessThan(MIN);
    expect(events[1]!.summary).toContain(
      `Sales dashboard will be fresh at about ${messageTime(expected, "Europe/Stockholm")} ("Transform orders" → "Reload Sales dashboard", from the triggers and the usual durations).`,
    );
    expect(events[1]!.data.chain).toBe("Transform orders → Reload Sales dashboard");
    await clock.runUntil(at("2026-11-20T07:00:00Z"));
    expect(events.map((e) => e.kind)).toEqual(["app.freshness_warning", "app.freshness_breached", "app.freshness_recovered"]);
    // Friday on the route: the failure's page and its recovery; the warning and the breach joined that cause.
    expect(subjects().slice(2)).toEqual([
      expect.stringMatching(
        /^\[Qlik Sense\] \[Open: cause #\d+, Transform orders failed: the tasks after it do not run\] Reload task failed: Transform orders/,
      ),
      expect.stringMatching(/^\[Qlik Sense\] \[Recovered: cause #\d+, Transform orders failed: the tasks after it do not run\] Fresh again: Sales dashboard$/),
    ]);
    expect(await freshnessSymptomOf("Transform orders failed: the tasks after it do not run")).toMatchObject({
      kind: "app.freshness_breached",
      firstAt: "2026-11-20T05:00:00.000Z",
      lastAt: "2026-11-20T06:00:00.000Z",
    });
  } finally {
    await t?.close();
    await smtp?.stop();
    await site?.sim.stop();
    dir.remove();
  }
}
