// A failed attempt held for its run's outcome whose outcome never comes (issue 76): the Qlik Sense simulator and
// Steward on one stepped clock, a real SMTP receiver. A reload task with two Scheduler retries fails its first
// attempt; the site's appender reports the attempt (QRS shows the run in Retry), so Steward holds it; then the
// Scheduler dies: no further attempt, no final result, QRS keeps the run in Retry for ever. Before, nothing ever paged.
// Now the held failure pages once, intake.retryOutcome.deadlineMinutes (2 h) after the attempt, "failed, outcome
// unknown", whatever Steward restarts in between; on a cluster of two Stewards sharing PostgreSQL, once.
import { afterAll, describe, expect, test } from "bun:test";
import { type PostgresService, startPostgres } from "../../../helpers/services";
import { expectOnePage, heldRows, MIN, runFor, withOneSteward, withTwoMembers } from "./held-attempt-harness";

let pg: PostgresService | undefined;
afterAll(async () => {
  await pg?.stop();
});

describe("a held attempt whose run's outcome never comes (simulator, stepped clock)", () => {
  test(
    "SQLite: one page two hours after the attempt, across restarts",
    () =>
      withOneSteward(async ({ site, smtp, id, heldAt, steward, restart }) => {
        // Held: not a page, within the deadline.
        await site.clock.runUntil(heldAt + 119 * MIN);
        expect(smtp.mails).toHaveLength(0);
        // Steward restarts: what is held is in the store.
        await restart();
        expect((await heldRows(steward())).map((r) => [r.execution_id, r.fired_at])).toEqual([[id.toLowerCase(), null]]);
        await site.clock.runUntil(heldAt + 122 * MIN);
        expectOnePage(smtp);
        const incidents = (await (await steward().request("/v4/incidents")).json()) as { incidents: Array<{ lastSummary: string }> };
        expect(incidents.incidents.map((i) => i.lastSummary)).toEqual([
          expect.stringMatching(/^failed, outcome unknown: the Scheduler reported no final result within 2 h/),
        ]);
        // Once: hours on, and after another restart, no second page.
        await runFor(site.clock, 3 * 60 * MIN);
        await restart();
        await runFor(site.clock, 60 * MIN);
        expectOnePage(smtp);
      }),
    300_000,
  );

  test(
    "PostgreSQL, two Stewards: the deadline pages once",
    () =>
      withTwoMembers(
        async () => {
          pg ??= await startPostgres();
          return pg.createDatabase(`held_attempts_${Date.now()}`);
        },
        async ({ site, smtp, heldAt, members }) => {
          await site.clock.runUntil(heldAt + 119 * MIN);
          expect(smtp.mails).toHaveLength(0);
          await site.clock.runUntil(heldAt + 125 * MIN);
          expectOnePage(smtp);
          await runFor(site.clock, 60 * MIN);
          expectOnePage(smtp);
          expect((await heldRows(members[1]!)).map((r) => r.announced_at === null)).toEqual([false]);
        },
      ),
    900_000,
  );
});
