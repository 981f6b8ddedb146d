// A Steward alone in its PostgreSQL cluster skips its looks for other Stewards' work (src/platform/cluster/peer-poll.ts)
// while the peer epoch stands still, and still finds what someone else wrote: a member that starts, queues a delivery
// for a channel only the lone Steward has and stops, all between two of its heartbeats, is seen by the epoch its first
// heartbeat moved; `steward schedules import` into the shared store moves the epoch too, so the imported schedule is
// armed at the next look. On a stepped clock (heartbeat a minute), counted by statement.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createSteppedClock } from "../../../../src/platform/core/stepped-clock";
import { schedulesCommand } from "../../../../src/show/cli/schedules-command";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import type { TestApp } from "../../../helpers/app";
import { type PostgresService, startPostgres } from "../../../helpers/services";
import { countStatements } from "../../../helpers/statement-counts";
import { startSteppedMember } from "../../../helpers/stepped-cluster-member";
import { createTempDir } from "../../../helpers/temp-dir";
import { type HttpReceiver, startHttpReceiver } from "../../tell/notify/receivers";
import { pendingDelivery } from "../../../helpers/pending-delivery";

const MIN = 60_000;
const dir = createTempDir();
let pg: PostgresService | undefined;
let receiver: HttpReceiver | undefined;
const apps: TestApp[] = [];
beforeAll(async () => {
  pg = await startPostgres();
  receiver = startHttpReceiver();
}, 120_000);
afterAll(async () => {
  for (const t of apps) await t.close();
  await receiver?.stop();
  await pg?.stop();
  dir.remove();
});

/** The statements of the looks for other Stewards' work that a lone Steward skips. */
const PEER_LOOKS = [
  "SELECT instance_id, name, host", // the outbox's look at who is alive
  "UPDATE notify_deliveries SET status = 'pending'", // its reset of a dead member's sends
  "SELECT MIN(t) AS t FROM (SELECT MIN(next_attempt_at)", // its pass
  "SELECT (SELECT MIN(due_at) FROM escalations", // the escalation timers
  "SELECT MIN(t) AS due FROM (SELECT MIN(due_at)",
  "SELECT * FROM schedules", // the schedules changed elsewhere
  "SELECT id, seen_at, steward", // the dashboard feed
  "SELECT * FROM intake_pending", // the distribution polls other Stewards added
  "SELECT MIN(next_at) AS at FROM intake_pending",
  "SELECT * FROM api_keys", // keys made through another Steward
  "SELECT execution_id, event, held_at", // failed attempts held for their run's outcome
];

test("alone, a Steward skips its looks for others' work; a member that queues a delivery and stops between two heartbeats is still served", async () => {
  const clock = createSteppedClock(Date.parse("2026-05-04T00:00:00Z"));
  const counts = countStatements(clock);
  const url = await pg!.createDatabase("alone_looks");
  const hook = `channels:\n  hook: { type: webhook, url: "${receiver!.url}/hook", timeout: 10s }\nroutes:\n  - { name: ops, on: [task.failed], to: [hook] }\n`;
  const alpha = await startSteppedMember(clock, url, "alpha", dir.path, { yaml: hook });
  apps.push(alpha);
  await clock.runUntil(clock.now() + 2 * MIN);
  expect(alpha.app.cluster.alone()).toBe(true);

  counts.start();
  await clock.runUntil(clock.now() + 60 * MIN);
  // Each look for others' work: at most once in the hour (the outbox's and the escalations' hourly pass, which is
  // also their safety net for this Steward's own work). They were 60 each (one a heartbeat): 660 of 991 statements.
  const looks = Object.fromEntries(PEER_LOOKS.map((s) => [s, counts.of(s)]));
  if (Object.values(looks).some((n) => n > 1)) console.log(counts.table());
  expect(Object.entries(looks).filter(([, n]) => n > 1)).toEqual([]);
  expect(counts.total()).toBeLessThan(420);

  // Beta starts, queues an alert for the channel only alpha has, and stops: all before alpha's next heartbeat.
  const beta = await startSteppedMember(clock, url, "beta", dir.path);
  apps.push(beta);
  const event = syntheticTaskEvent({ outcome: "failed", taskName: "Reload Sales", nowMs: clock.now() });
  const now = clock.now();
  await beta.app.notify.outbox.transaction(async (tx) => {
    await tx.saveEvent(event, now);
    await tx.insert(pendingDelivery(event.id, now, { channel: "hook", route: "ops" }));
  });
  await beta.close();
  apps.splice(apps.indexOf(beta), 1);
  expect(receiver!.requests).toHaveLength(0);
  // Alpha's next heartbeat finds no other member, but the epoch beta's first heartbeat moved: one look sends it.
  const sentBy = clock.now() + MIN + 1_000;
  await clock.runUntil(sentBy);
  expect(alpha.app.cluster.alone()).toBe(true);
  expect(receiver!.requests.map((r) => r.path)).toEqual(["/hook"]);
  const rows = await alpha.app.notify.list({ limit: 10 });
  expect(rows.map((r) => [r.channel, r.status])).toEqual([["hook", "delivered"]]);
  expect(rows[0]!.deliveredAt).toBeLessThanOrEqual(sentBy);

  // Gamma holds a failed attempt whose deadline is ten minutes off, and stops: alpha's look after its next heartbeat
  // finds it not due yet, reads when it is, and announces it then (outcome unknown), on alpha's channel.
  const gamma = await startSteppedMember(clock, url, "gamma", dir.path);
  apps.push(gamma);
  const attempt = syntheticTaskEvent({ outcome: "failed", taskName: "Reload Finance", nowMs: clock.now() });
  const dueAt = clock.now() + 10 * MIN;
  await gamma.app.sharedStore.sql.run("INSERT INTO intake_held_attempts (execution_id, task_id, event, held_at, due_at) VALUES (?, ?, ?, ?, ?)", [
    attempt.executionId.toLowerCase(),
    attempt.task.id.toLowerCase(),
    JSON.stringify(attempt),
    clock.now(),
    dueAt,
  ]);
  await gamma.close();
  apps.splice(apps.indexOf(gamma), 1);
  counts.start();
  await clock.runUntil(dueAt - 1_000);
  expect(receiver!.requests).toHaveLength(1);
  // A look after the heartbeat that saw gamma's epoch (two if that heartbeat also saw gamma), none more until the deadline.
  expect(counts.of("SELECT execution_id, event, held_at")).toBeGreaterThanOrEqual(1);
  expect(counts.of("SELECT execution_id, event, held_at")).toBeLessThanOrEqual(2);
  await clock.runUntil(dueAt + MIN + 1_000);
  expect(receiver!.requests).toHaveLength(2);
  expect(receiver!.requests[1]!.body).toContain("Reload Finance");
}, 300_000);

test("alone, a schedule `steward schedules import` writes to the shared store is armed at the lone Steward's next look", async () => {
  // Simulated time a few minutes behind the machine's: the import plans the next fire by the machine's clock.
  const clock = createSteppedClock(Math.floor(Date.now() / MIN) * MIN - 5 * MIN);
  const counts = countStatements(clock);
  const url = await pg!.createDatabase("alone_import");
  const alpha = await startSteppedMember(clock, url, "alpha", join(dir.path, "import"));
  apps.push(alpha);
  await clock.runUntil(clock.now() + 2 * MIN);
  expect(alpha.app.cluster.alone()).toBe(true);
  counts.start();
  await clock.runUntil(clock.now() + 10 * MIN);
  // Nothing changed: the schedules were not read again.
  expect(counts.of("SELECT * FROM schedules")).toBe(0);

  const file = join(dir.path, "butler-schedules.yaml");
  writeFileSync(
    file,
    "butlerSchedule:\n  - { name: Every minute, cronSchedule: '0 * * * * *', timezone: UTC, qlikSenseTaskId: 7552d9fc-d1bb-4975-9a38-18357de531ea, id: every-minute }\n",
  );
  const config = join(dir.path, "import.yaml");
  writeFileSync(config, `dataDir: ./import-cli-data\nstore:\n  postgres: { url: ${JSON.stringify(url)}, instanceName: cli, connectTimeoutMs: 5000 }\n`);
  const out: string[] = [];
  expect(await schedulesCommand(["import", file, "--config", config], (s) => out.push(s))).toBe(0);
  expect(out.join("\n")).toContain("1 imported");

  // The next heartbeat sees the epoch the import moved, the next look arms the schedule, and it fires within a minute.
  await clock.runUntil(clock.now() + 3 * MIN + 1_000);
  expect(counts.of("SELECT * FROM schedules")).toBeGreaterThanOrEqual(1);
  const s = await alpha.app.scheduler!.get("every-minute");
  expect(s?.lastRun).toBeDefined();
}, 300_000);
