// Planned work told ahead (issue 106) by two Stewards on one PostgreSQL store, both on the stepped clock of the chain
// site (planned-work-site.ts): both look for planned work (whichever holds the watchdog's lease sees Qlik's next
// starts), the notice is claimed in the store and each mail before it is sent: Anna gets one mail, on Thursday at 16:00.
// (Two Stewards on PostgreSQL step about a simulated minute a second here: the test keeps to the afternoon.)
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { CHAIN_SITE } from "../../../helpers/freshness-chain-site";
import { freeTcpPort } from "../../../helpers/free-port";
import { plannedWorkStewardYaml, subscribeAnna } from "../../../helpers/planned-work-site";
import { type PostgresService, startPostgres } from "../../../helpers/services";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { wallLimit } from "../../../helpers/time-limit";
import { type SmtpReceiver, startSmtpReceiver } from "../../tell/notify/receivers";

const at = (s: string) => Date.parse(s);
const dir = createTempDir("steward-planned-work-pg-");
let site: SteppedSite | undefined;
let pg: PostgresService | undefined;
let smtp: SmtpReceiver | undefined;
const stewards: TestApp[] = [];
afterAll(async () => {
  for (const s of stewards) await s.close().catch(() => {});
  await smtp?.stop();
  await site?.sim.stop();
  await pg?.stop();
  dir.remove();
});

test("two Stewards on one PostgreSQL: the subscriber gets the planned work once", { timeout: wallLimit(300_000) }, async () => {
  site = await startSteppedSite(dir.path, at("2026-11-18T00:00:00Z"), CHAIN_SITE);
  const { sim, clock } = site;
  await clock.runUntil(at("2026-11-19T14:30:00Z"));
  smtp = await startSmtpReceiver();
  pg = await startPostgres();
  const url = await pg.createDatabase("planned_work_ahead");
  const ports: number[] = [];
  for (const name of ["alpha", "beta"]) {
    const httpPort = await freeTcpPort();
    ports.push(httpPort);
    const store = `store:\n  postgres: { url: ${url}, instanceName: ${name}, leaseTtlMs: 180000, heartbeatIntervalMs: 60000 }\n`;
    const t = createTestApp(plannedWorkStewardYaml(site, { httpPort, smtpPort: smtp.port, store }), { clock, dir: join(dir.path, name) });
    stewards.push(t);
    await t.app.start();
  }
  sim.settings.udp.targets = stewards.map((s) => ({ host: "127.0.0.1", port: s.app.intake.udp!.address()!.port }));
  const anna = () => smtp!.mails.filter((m) => m.envelopeTo.includes("anna@corp.example"));
  const planned = () => smtp!.mails.filter((m) => /may be late/.test(m.mail.subject ?? ""));

  await clock.runUntil(at("2026-11-19T14:33:00Z"));
  // Asked on beta (which may not hold the watchdog's lease), confirmed through the same link on either.
  await subscribeAnna(clock, `http://127.0.0.1:${ports[1]}`, () => anna()[0]?.mail.text, at("2026-11-19T14:38:00Z"));

  await clock.runUntil(at("2026-11-19T14:55:00Z"));
  expect(planned()).toEqual([]);
  await clock.runUntil(at("2026-11-19T15:06:00Z"));
  expect(planned().map((m) => m.mail.subject)).toEqual(["Sales dashboard may be late on Friday"]);
  // Both keep looking (every 5 min): six more looks each, nothing more.
  await clock.runUntil(at("2026-11-19T15:36:00Z"));
  expect(planned()).toHaveLength(1);
  const sql = stewards[0]!.app.sharedStore.sql;
  expect(await sql.all("SELECT word FROM status_notices WHERE word = 'planned'")).toHaveLength(1);
});
