// A retried run whose outcome comes while its held attempt cannot be removed from the store (the disk is full, or the
// store refuses the write for another reason) is not announced as "outcome unknown" when the attempt's deadline
// passes: Steward remembers the run and removes the row at its next look once the store takes writes again. Before,
// the failed delete was logged (once per run: a flood on a full disk) and forgotten, and two hours later the run was
// announced as failed, outcome unknown, although its retry had succeeded.
import { expect, test } from "bun:test";
import type { SteppedSite } from "../../../helpers/stepped-site";
import type { TestApp } from "../../../helpers/app";
import { join } from "node:path";
import { createTestApp } from "../../../helpers/app";
import { startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { startSmtpReceiver } from "../../tell/notify/receivers";
import { heldRows, holdAttempt, MIN, runFor, SITE, stewardYaml, T0, TASK } from "./held-attempt-harness";

const REFUSED = "the store refuses the delete";

/** Starts the task to fail once and then succeed, holds its first attempt in `t`, and returns the run's id. */
async function heldThenRetried(site: SteppedSite, t: TestApp): Promise<string> {
  const started = site.sim.tasks.start(TASK, { outcome: { failThenSucceed: 1 } });
  const id = started.executionId!;
  const inRetry = () => [...site.sim.repo.executions.values()].some((r) => r.executionID === id && r.status === 10);
  while (!inRetry()) await runFor(site.clock, 500);
  await holdAttempt(site, t, id);
  return id;
}

test("the retry succeeds while the held row cannot be deleted: removed at a later look, never announced as outcome unknown", async () => {
  const dir = createTempDir();
  const site = await startSteppedSite(dir.path, T0, SITE);
  const smtp = await startSmtpReceiver();
  const t = createTestApp(stewardYaml(site, smtp.port), { clock: site.clock, dir: join(dir.path, "steward") });
  try {
    await t.app.start();
    const started = site.sim.tasks.start(TASK, { outcome: { failThenSucceed: 1 } });
    const id = started.executionId!;
    const inRetry = () => [...site.sim.repo.executions.values()].some((r) => r.executionID === id && r.status === 10);
    while (!inRetry()) await runFor(site.clock, 500);
    await holdAttempt(site, t, id);
    const sql = t.app.sharedStore.sql;
    await sql.run(`CREATE TEMP TRIGGER refuse_delete BEFORE DELETE ON intake_held_attempts BEGIN SELECT RAISE(ABORT, '${REFUSED}'); END`);
    // The retry succeeds; reconciliation with QRS hears the run's end within its pass.
    const ended = () => [...site.sim.repo.executions.values()].some((r) => r.executionID === id && r.status === 7);
    while (!ended()) await runFor(site.clock, 5_000);
    await runFor(site.clock, 10 * MIN);
    expect((await heldRows(t)).map((r) => r.execution_id)).toEqual([id.toLowerCase()]);
    await sql.run("DROP TRIGGER refuse_delete");
    // Past the attempt's deadline: the row was removed by a look, and nothing was announced.
    await runFor(site.clock, 125 * MIN);
    expect(await heldRows(t)).toEqual([]);
    const unknown = await sql.all<{ id: string }>("SELECT id FROM notify_events WHERE id LIKE '%:outcome-unknown'");
    expect(unknown).toEqual([]);
    expect(smtp.mails.filter((m) => /outcome unknown/.test(m.mail.text ?? ""))).toEqual([]);
  } finally {
    await t.close();
    await smtp.stop();
    await site.sim.stop();
    dir.remove();
  }
}, 180_000);

// The same, with a restart between the outcome and the deadline (what Steward remembered in memory is gone): the look
// at the deadline finds the run's outcome among the runs seen, and removes the row without a page.
test("the retry succeeds while the held row cannot be deleted, then Steward restarts: the deadline's look finds the outcome, no page", async () => {
  const dir = createTempDir();
  const site = await startSteppedSite(dir.path, T0, SITE);
  const smtp = await startSmtpReceiver();
  const stewardDir = join(dir.path, "steward");
  let t = createTestApp(stewardYaml(site, smtp.port), { clock: site.clock, dir: stewardDir });
  try {
    await t.app.start();
    const id = await heldThenRetried(site, t);
    await t.app.sharedStore.sql.run(`CREATE TEMP TRIGGER refuse_delete BEFORE DELETE ON intake_held_attempts BEGIN SELECT RAISE(ABORT, '${REFUSED}'); END`);
    const ended = () => [...site.sim.repo.executions.values()].some((r) => r.executionID === id && r.status === 7);
    while (!ended()) await runFor(site.clock, 5_000);
    await runFor(site.clock, 10 * MIN);
    expect((await heldRows(t)).map((r) => r.execution_id)).toEqual([id.toLowerCase()]);
    await t.close(); // the TEMP trigger goes with its connection
    t = createTestApp(stewardYaml(site, smtp.port), { clock: site.clock, dir: stewardDir });
    await t.app.start();
    await runFor(site.clock, 125 * MIN);
    expect(await heldRows(t)).toEqual([]);
    expect(await t.app.sharedStore.sql.all("SELECT id FROM notify_events WHERE id LIKE '%:outcome-unknown'")).toEqual([]);
    expect(smtp.mails.filter((m) => /outcome unknown/.test(m.mail.text ?? ""))).toEqual([]);
  } finally {
    await t.close();
    await smtp.stop();
    await site.sim.stop();
    dir.remove();
  }
}, 180_000);
