// A failed attempt held for its run's outcome whose outcome never comes (issue 76): the Qlik Sense simulator and
// Steward on one stepped clock, a real SMTP receiver. A reload task with two Scheduler retries fails its first
// attempt; the site's appender reports the attempt (QRS shows the run in Retry), so Steward holds it; then the
// Scheduler dies: no further attempt, no final result, QRS keeps the run in Retry for ever. Before, nothing ever paged.
// Now the held failure pages once, intake.retryOutcome.deadlineMinutes (2 h) after the attempt, "failed, outcome
// unknown", whatever Steward restarts in between; on a cluster of two Stewards sharing PostgreSQL, once.
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

describe("a held attempt whose run's outcome never comes (simulator, stepped clock)", () => {
  test("SQLite: one page two hours after the attempt, across restarts", async () => {
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
      // Held: not a page, within the deadline.
      await site.clock.runUntil(heldAt + 119 * MIN);
      expect(smtp.mails).toHaveLength(0);
      // Steward restarts: what is held is in the store.
      await t.close();
      t = createTestApp(stewardYaml(site, smtp.port), { clock: site.clock, dir: stewardDir });
      await t.app.start();
      expect((await heldRows(t)).map((r) => [r.execution_id, r.fired_at])).toEqual([[id.toLowerCase(), null]]);
      await site.clock.runUntil(heldAt + 122 * MIN);
      expectOnePage(smtp);
      const incidents = (await (await t.request("/v4/incidents")).json()) as { incidents: Array<{ lastSummary: string }> };
      expect(incidents.incidents.map((i) => i.lastSummary)).toEqual([
        expect.stringMatching(/^failed, outcome unknown: the Scheduler reported no final result within 2 h/),
      ]);
      // Once: hours on, and after another restart, no second page.
      await runFor(site.clock, 3 * 60 * MIN);
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

  test("PostgreSQL, two Stewards: the deadline pages once", async () => {
    const dir = createTempDir();
    const site = await startSteppedSite(dir.path, T0, SITE);
    const smtp = await startSmtpReceiver();
    pg ??= await startPostgres();
    const url = await pg.createDatabase(`held_attempts_${Date.now()}`);
    const members: TestApp[] = [];
    try {
      members.push(await startSteppedMember(site.clock, url, "alpha", dir.path, { yaml: stewardYaml(site, smtp.port) }));
      const id = await attemptThenSchedulerDies(site);
      await holdAttempt(site, members[0]!, id);
      const heldAt = site.clock.now();
      // The second Steward joins ten minutes before the deadline: two members look for each other's work every
      // second (a step of the stepped clock and a statement each), one alone at its heartbeat's pace, and the two
      // hours of the hold cost most of the file's time with both.
      await site.clock.runUntil(heldAt + 110 * MIN);
      members.push(await startSteppedMember(site.clock, url, "beta", dir.path, { yaml: stewardYaml(site, smtp.port) }));
      await site.clock.runUntil(heldAt + 119 * MIN);
      expect(smtp.mails).toHaveLength(0);
      await site.clock.runUntil(heldAt + 125 * MIN);
      expectOnePage(smtp);
      await runFor(site.clock, 60 * MIN);
      expectOnePage(smtp);
      expect((await heldRows(members[1]!)).map((r) => r.announced_at === null)).toEqual([false]);
    } finally {
      for (const m of members.reverse()) await m.close();
      await smtp.stop();
      await site.sim.stop();
      dir.remove();
    }
  }, 900_000);
});
