// A held attempt claimed by a Steward that is SIGKILLed between its claim and its announcement (issue 76): no graceful
// stop, so its heartbeat row stays and nothing of it says it is gone but its lease running out. Two Stewards as their
// own processes on one PostgreSQL (lease 3 s), beside the simulator on the wall clock, a real SMTP receiver. A reload
// task with two Scheduler retries fails its first attempt, the appender reports it, alpha holds it, the Scheduler dies.
// The deadline (minutes at the least) is not what this test is about: the test moves the held row's due time into the
// past and restarts alpha, whose first look claims it. Its write of the announcement waits on a row the test holds open
// in the outbox (the same event id), so the claim is committed and the page is not; then alpha is killed and the test
// gives the row up. beta leaves the claim alone while alpha lives, takes it over about a lease after alpha's lease
// ended (before, at its next look, up to a minute on), and the run's failure pages once, "outcome unknown".
import { afterAll, beforeAll, expect, test } from "bun:test";
import postgres from "postgres";
import type { Simulator } from "../../../../src/sim";
import { type ClusterMember, type MemberPorts, memberPorts, memberYaml, startClusterSimulator, startMember } from "../../../helpers/cluster-stewards";
import { startPostgres, type PostgresService } from "../../../helpers/services";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { startSmtpReceiver, type SmtpReceiver } from "../../tell/notify/receivers";
import { sendDatagram } from "./harness";
import { attemptDatagram, SITE, TASK } from "./held-attempt-harness";
import { wallLimit } from "../../../helpers/time-limit";

const dir = createTempDir("steward-held-sigkill-");
const LEASE_MS = 3_000;

let pg: PostgresService;
let sql: postgres.Sql;
let sim: Simulator;
let smtp: SmtpReceiver;
let ports: MemberPorts[];
let url: string;
/** When each mail was acknowledged, by this process's clock. */
const mailedAt: number[] = [];
const members = new Map<string, ClusterMember>();

beforeAll(async () => {
  pg = await startPostgres();
  url = await pg.createDatabase("held_sigkill");
  sql = postgres(url, { max: 2, onnotice: () => {} });
  smtp = await startSmtpReceiver({ beforeAccept: async () => void mailedAt.push(Date.now()) });
  // The site's Scheduler sends no datagram of its own here: the test sends the attempt's, as the appender would.
  sim = await startClusterSimulator(dir.path, SITE);
  ports = await memberPorts(["alpha", "beta"]);
}, wallLimit(60_000));

afterAll(async () => {
  for (const m of members.values()) await m.proc.stop("SIGKILL", 1_000);
  await sql?.end({ timeout: 1 });
  await smtp?.stop();
  await sim?.stop();
  await pg?.stop();
  dir.remove();
});

async function startSteward(p: MemberPorts): Promise<ClusterMember> {
  const body = `channels:
  mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [ops@corp.example] }
routes:
  - { name: on-call, on: [task.failed, task.aborted, task.recovered], to: [mail] }
notify:
  outbox: { initialBackoff: 200ms, maxBackoff: 1s }
`;
  // The claimer's write waits on the test's row for as long as the test holds it: the default statement timeout
  // (10 s) would cancel it and the claimer would give its claim back.
  const m = await startMember(dir.path, p, memberYaml({ url, ports: p, sim, leaseMs: LEASE_MS, statementTimeoutMs: 60_000, body }));
  members.set(p.name, m);
  return m;
}

interface HeldRow {
  execution_id: string;
  event: string;
  fired_by: string | null;
  announced_at: number | null;
}
const heldRows = () => sql<HeldRow[]>`SELECT execution_id, event, fired_by, announced_at FROM intake_held_attempts`;

/** Runs the task to its first failed attempt (QRS: Retry), kills the Scheduler there, and returns the run's id. */
async function attemptThenSchedulerDies(): Promise<string> {
  // Attempts of 3 s: the Retry between two attempts lasts 300 ms, long enough to stop the Scheduler in it.
  const started = sim.tasks.start(TASK, { outcome: "fail", durationMs: 3_000 });
  expect(started.started).toBe(true);
  const id = started.executionId!;
  await waitFor(() => [...sim.repo.executions.values()].some((r) => r.executionID === id && r.status === 10) || undefined, {
    what: "the run in Retry",
    intervalMs: 5,
  });
  expect(sim.tasks.crash(TASK)).toBe(true);
  return id;
}

test("the Steward that claimed a held attempt is SIGKILLed before announcing it: the other pages it once, about a lease after the claimer's lease ended", {
  timeout: wallLimit(120_000),
}, async () => {
  let alpha = await startSteward(ports[0]!);
  const id = await attemptThenSchedulerDies();
  await sendDatagram(attemptDatagram(sim, id, Date.now()), ports[0]!.udp);
  const [held] = await waitFor(async () => ((await heldRows()).length === 1 ? await heldRows() : undefined), { what: "the attempt held" });
  expect(held!.execution_id).toBe(id.toLowerCase());
  const eventId = `${(JSON.parse(held!.event) as { executionId: string }).executionId}:outcome-unknown`;
  await alpha.proc.stop("SIGTERM", 10_000);

  const holder = await sql.reserve();
  try {
    // The outbox row the announcement writes, held open by the test: the claimer's write waits on it.
    await holder`BEGIN`;
    await holder`INSERT INTO notify_events (id, kind, payload, received_at, stored_at) VALUES (${eventId}, 'task.failed', '{}', '', 0)`;
    await sql`UPDATE intake_held_attempts SET due_at = 0`;
    // A Steward's first look is at its start: alpha, started again, claims.
    alpha = await startSteward(ports[0]!);
    const [claimed] = await waitFor(async () => ((await heldRows())[0]?.fired_by ? await heldRows() : undefined), { what: "alpha's claim" });
    expect(claimed!.fired_by!.startsWith("alpha-")).toBe(true);
    await waitFor(
      async () =>
        (
          await sql`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'steward alpha'
            AND wait_event_type = 'Lock' AND query ILIKE '%notify_events%'`
        ).length > 0 || undefined,
      { what: "alpha's announcement to wait for the test's outbox row" },
    );
    // beta's first look finds the claim of a live Steward; both alive for more than two leases: it stays alpha's.
    const beta = await startSteward(ports[1]!);
    await Bun.sleep(2 * LEASE_MS + 1_000);
    expect((await heldRows()).map((r) => [r.fired_by, r.announced_at])).toEqual([[claimed!.fired_by, null]]);
    expect(smtp.mails).toHaveLength(0);

    process.kill(alpha.proc.pid, "SIGKILL");
    await alpha.proc.exited;
    members.delete("alpha");
    await holder`ROLLBACK`;
    // Killed: its heartbeat row stays, and it is alive to the others until a lease after its last beat.
    const [beat] = await sql<Array<{ heartbeat_at: number }>>`SELECT heartbeat_at FROM cluster_members WHERE instance_id = ${claimed!.fired_by!}`;
    expect(beat).toBeDefined();
    const leaseEnded = Number(beat!.heartbeat_at) + LEASE_MS;

    await waitFor(() => smtp.mails.length > 0 || undefined, { what: "the page sent by beta", timeoutMs: 90_000 });
    // Not before alpha's lease ended; about a lease after (beta looks again a lease after it found the claim alive),
    // not at its next look a minute on; loosely bounded for a loaded machine.
    expect(mailedAt[0]!).toBeGreaterThanOrEqual(leaseEnded);
    expect(mailedAt[0]! - leaseEnded).toBeLessThan(LEASE_MS + 10_000);
    expect(smtp.mails.map((m) => m.mail.subject)).toEqual([expect.stringContaining("Reload task failed: Reload Sales dashboard")]);
    expect(smtp.mails[0]!.mail.text).toMatch(/Failed, outcome unknown: the Scheduler reported no final result within 2 h of the failed attempt/);
    await waitFor(async () => ((await heldRows())[0]?.announced_at ? true : undefined), { what: "the attempt marked announced" });
    expect((await heldRows())[0]!.fired_by!.startsWith("beta-")).toBe(true);
    expect(beta.proc.output()).toContain("a held attempt claimed by a Steward that stopped before announcing it is taken over");
    // A second page would come now (beta looks every lease while a claim is pending, its outbox retries within a second).
    await Bun.sleep(3_000);
    expect(smtp.mails).toHaveLength(1);
  } finally {
    await holder`ROLLBACK`.catch(() => undefined);
    holder.release();
  }
});
