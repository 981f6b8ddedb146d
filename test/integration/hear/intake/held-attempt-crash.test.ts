// A Steward that claims a held attempt past its deadline and dies before the announcement is in the outbox (issue 76):
// the attempt is announced once all the same. The crash is made in the store itself, so nothing in Steward knows of
// it: from the moment of the claim, the claimer's writes of the announcement fail (its "outcome unknown" event cannot
// enter the outbox and its claim cannot be given back), as for a process killed right after the claim committed; then
// that Steward is stopped. Before, the claim stayed for ever and the run's failure never paged.
// On SQLite the fault is a TEMP trigger, which lives on the Steward's own connection and goes with it. On PostgreSQL
// (two Stewards) the survivor leaves the claim alone while its claimer lives and takes it over once it is gone. A
// Steward dying after the page is in the outbox but before the attempt is marked announced pages once too: the next
// announcement has the same event id.
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { type PostgresService, startPostgres } from "../../../helpers/services";
import { startSteppedMember } from "../../../helpers/stepped-cluster-member";
import { startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { startSmtpReceiver } from "../../tell/notify/receivers";
import { attemptThenSchedulerDies, expectOnePage, heldRows, holdAttempt, MIN, runFor, SITE, stewardYaml, T0 } from "./held-attempt-harness";

let pg: PostgresService | undefined;
afterAll(async () => {
  await pg?.stop();
});

const DIED = "the Steward died after its claim";

describe("a held attempt claimed by a Steward that dies before announcing it", () => {
  test("SQLite: announced once after the restart", async () => {
    const dir = createTempDir();
    const site = await startSteppedSite(dir.path, T0, SITE);
    const smtp = await startSmtpReceiver();
    const stewardDir = join(dir.path, "steward");
    let t: TestApp | undefined = createTestApp(stewardYaml(site, smtp.port), { clock: site.clock, dir: stewardDir });
    try {
      await t.app.start();
      const id = await attemptThenSchedulerDies(site);
      await holdAttempt(site, t, id);
      const heldAt = site.clock.now();
      const sql = t.app.sharedStore.sql;
      await sql.run(
        `CREATE TEMP TRIGGER died_outbox BEFORE INSERT ON notify_events WHEN NEW.id LIKE '%:outcome-unknown' BEGIN SELECT RAISE(ABORT, '${DIED}'); END`,
      );
      await sql.run(
        `CREATE TEMP TRIGGER died_unclaim BEFORE UPDATE ON intake_held_attempts WHEN OLD.fired_at IS NOT NULL AND NEW.fired_at IS NULL
         BEGIN SELECT RAISE(ABORT, '${DIED}'); END`,
      );
      await site.clock.runUntil(heldAt + 122 * MIN);
      // Claimed, not announced.
      expect((await heldRows(t)).map((r) => [r.fired_at !== null, r.announced_at])).toEqual([[true, null]]);
      expect(smtp.mails).toHaveLength(0);
      await t.close();
      t = createTestApp(stewardYaml(site, smtp.port), { clock: site.clock, dir: stewardDir });
      await t.app.start();
      await runFor(site.clock, 2 * MIN);
      expectOnePage(smtp);
      // Once: later looks and another restart do not page it again.
      await runFor(site.clock, 60 * MIN);
      await t.close();
      t = createTestApp(stewardYaml(site, smtp.port), { clock: site.clock, dir: stewardDir });
      await t.app.start();
      await runFor(site.clock, 60 * MIN);
      expectOnePage(smtp);
    } finally {
      await t?.close();
      await smtp.stop();
      await site.sim.stop();
      dir.remove();
    }
  }, 300_000);

  test("SQLite: a Steward dying after the page is in the outbox, before marking it announced, pages once", async () => {
    const dir = createTempDir();
    const site = await startSteppedSite(dir.path, T0, SITE);
    const smtp = await startSmtpReceiver();
    const stewardDir = join(dir.path, "steward");
    let t: TestApp | undefined = createTestApp(stewardYaml(site, smtp.port), { clock: site.clock, dir: stewardDir });
    try {
      await t.app.start();
      const id = await attemptThenSchedulerDies(site);
      await holdAttempt(site, t, id);
      const heldAt = site.clock.now();
      await t.app.sharedStore.sql.run(
        `CREATE TEMP TRIGGER died_mark BEFORE UPDATE ON intake_held_attempts WHEN NEW.announced_at IS NOT NULL
         BEGIN SELECT RAISE(ABORT, '${DIED}'); END`,
      );
      await site.clock.runUntil(heldAt + 122 * MIN);
      // Paged, not marked: this Steward's later looks announce it again, and the outbox keeps it once.
      expectOnePage(smtp);
      await runFor(site.clock, 5 * MIN);
      expect((await heldRows(t)).map((r) => [r.fired_at !== null, r.announced_at])).toEqual([[true, null]]);
      await t.close();
      t = createTestApp(stewardYaml(site, smtp.port), { clock: site.clock, dir: stewardDir });
      await t.app.start();
      await runFor(site.clock, 60 * MIN);
      expectOnePage(smtp);
      expect((await heldRows(t)).map((r) => r.announced_at !== null)).toEqual([true]);
    } finally {
      await t?.close();
      await smtp.stop();
      await site.sim.stop();
      dir.remove();
    }
  }, 300_000);

  test("PostgreSQL, two Stewards: the survivor announces it once, after its claimer is gone", async () => {
    const dir = createTempDir();
    const site = await startSteppedSite(dir.path, T0, SITE);
    const smtp = await startSmtpReceiver();
    pg ??= await startPostgres();
    const url = await pg.createDatabase(`held_crash_${Date.now()}`);
    const members: TestApp[] = [];
    try {
      members.push(await startSteppedMember(site.clock, url, "alpha", dir.path, { yaml: stewardYaml(site, smtp.port) }));
      const id = await attemptThenSchedulerDies(site);
      await holdAttempt(site, members[0]!, id);
      const heldAt = site.clock.now();
      // The second Steward joins ten minutes before the deadline (as in held-attempt-deadline.test.ts): two members
      // look for each other's work every second, one alone at its heartbeat's pace.
      await site.clock.runUntil(heldAt + 110 * MIN);
      members.push(await startSteppedMember(site.clock, url, "beta", dir.path, { yaml: stewardYaml(site, smtp.port) }));
      const sql = members[0]!.app.sharedStore.sql;
      await sql.run(`CREATE FUNCTION died() RETURNS trigger AS $f$ BEGIN RAISE EXCEPTION '${DIED}'; END $f$ LANGUAGE plpgsql`);
      await sql.run(`CREATE TRIGGER died_outbox BEFORE INSERT ON notify_events FOR EACH ROW WHEN (NEW.id LIKE '%:outcome-unknown') EXECUTE FUNCTION died()`);
      await sql.run(
        `CREATE TRIGGER died_unclaim BEFORE UPDATE ON intake_held_attempts FOR EACH ROW
         WHEN (OLD.fired_at IS NOT NULL AND NEW.fired_at IS NULL) EXECUTE FUNCTION died()`,
      );
      await site.clock.runUntil(heldAt + 122 * MIN);
      const [claim] = await heldRows(members[0]!);
      expect(claim?.fired_by).toBeString();
      expect(claim?.announced_at).toBeNull();
      const claimer = members.find((m) => m.app.cluster.instanceId === claim?.fired_by)!;
      const survivor = members.find((m) => m !== claimer)!;
      expect(survivor).toBeDefined();
      // Both alive: the survivor leaves the living claimer's claim alone for longer than a lease.
      await runFor(site.clock, 10 * MIN);
      expect((await heldRows(survivor)).map((r) => [r.fired_by, r.announced_at])).toEqual([[claim!.fired_by, null]]);
      expect(smtp.mails).toHaveLength(0);
      // The claimer dies; what it could not write stays unwritten.
      await claimer.close();
      members.splice(members.indexOf(claimer), 1);
      await survivor.app.sharedStore.sql.run("DROP TRIGGER died_outbox ON notify_events");
      await survivor.app.sharedStore.sql.run("DROP TRIGGER died_unclaim ON intake_held_attempts");
      await runFor(site.clock, 5 * MIN);
      expectOnePage(smtp);
      await runFor(site.clock, 60 * MIN);
      expectOnePage(smtp);
      expect((await heldRows(survivor)).map((r) => [r.fired_by, r.announced_at !== null])).toEqual([[survivor.app.cluster.instanceId, true]]);
    } finally {
      for (const m of members.reverse()) await m.close();
      await smtp.stop();
      await site.sim.stop();
      dir.remove();
    }
  }, 900_000);
});
