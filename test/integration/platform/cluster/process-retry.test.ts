// A run claimed in PostgreSQL just before the database stops, whose processing then fails (its incident work cannot
// reach the store, nor could the outbox take its alert) and whose claim cannot be given up either, is held, never sent
// without its incident, and processed again by the Steward holding the claim as soon as the store is back: its alert is delivered within seconds of the return, once, not when the claim runs out
// (5 minutes). Reconciliation is off, so only the holder can recover the run.
import { afterAll, beforeAll, expect, test } from "bun:test";
import pino from "pino";
import postgres from "postgres";
import { startPostgres, type PostgresService } from "../../../helpers/services";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { startHttpReceiver, type HttpReceiver } from "../../tell/notify/receivers";
import { IDS, startHarness, type Harness } from "../../hear/intake/harness";

let pg: PostgresService;
let dir: TempDir;
let h: Harness;
let rx: HttpReceiver;
let url: string;
/** Steward's log lines (JSON), to see the run held for the store. */
const lines: string[] = [];

beforeAll(async () => {
  pg = await startPostgres({ durableCommits: true });
  url = await pg.createDatabase("process_retry");
  dir = createTempDir("steward-process-retry-");
  rx = startHttpReceiver();
  h = await startHarness({
    dir: dir.path,
    log: pino({ level: "warn" }, { write: (l: string) => void lines.push(l) }),
    intake: { reconcile: { enabled: false }, enrichment: { lookupTimeoutMs: 8000 } },
    extraYaml: `store:
  postgres: { url: ${JSON.stringify(url)}, instanceName: solo, leaseTtlMs: 2000, heartbeatIntervalMs: 300, connectTimeoutMs: 1000 }
channels:
  hook: { type: webhook, url: "${rx.url}/hook" }
routes:
  - { on: [task.failed], to: [hook] }
`,
  });
}, 60_000);

afterAll(async () => {
  await h?.close();
  await pg?.stop();
  rx?.stop();
  dir?.remove();
});

/** True once the run's claim row (claimed_by set) is committed: read on a connection of the test's own. */
async function claimCommitted(executionId: string): Promise<boolean> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql`SELECT 1 FROM intake_seen WHERE execution_id = ${executionId} AND claimed_by IS NOT NULL`;
    return rows.length > 0;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

const deliveriesOf = (executionId: string) => rx.requests.filter((r) => r.path === "/hook" && r.body.includes(executionId));

test("a run claimed just before PostgreSQL stops, whose alert could not be queued, is alerted within seconds of its return", { timeout: 90_000 }, async () => {
  // Enrichment waits on QRS for a few seconds: the window between the claim's commit and the outbox write.
  const fault = h.sim.faults.add({ target: "qrs", delayMs: 3_000, forMs: 60_000 }, Date.now());
  const executionId = await h.runWhenIdle(IDS.reload, "fail");
  await waitFor(() => claimCommitted(executionId), { timeoutMs: 10_000, intervalMs: 50, what: "the run's claim to be committed" });
  await pg.halt("fast");
  h.sim.faults.remove(fault.id);
  // Enrichment ends while the store is down: the run's incident work fails (so does its give-up of the claim), and the
  // run is held here, not sent without its incident.
  await waitFor(() => lines.some((l) => l.includes(executionId) && l.includes("the task run stays claimed here")) || undefined, {
    timeoutMs: 20_000,
    what: "the run held for the store",
  });
  await Bun.sleep(1_500);
  expect(deliveriesOf(executionId)).toHaveLength(0);
  await pg.resume();
  const back = Date.now();
  await waitFor(() => deliveriesOf(executionId).length > 0 || undefined, { timeoutMs: 30_000, what: "the run's alert after the store came back" });
  const delayMs = Date.now() - back;
  expect((await h.eventFor(executionId)).incident?.failures).toBe(1);
  console.log(`alerted ${delayMs} ms after PostgreSQL came back`);
  expect(delayMs).toBeLessThan(30_000);
  await Bun.sleep(2_000);
  expect(deliveriesOf(executionId)).toHaveLength(1);
});
