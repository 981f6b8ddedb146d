// A run whose datagram arrives while PostgreSQL is unreachable is claimed once the store is back and announced,
// without waiting for reconciliation (turned off here): the Steward leading reconciliation may not have seen the
// outage at all when only this node was cut off.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startPostgres, type PostgresService } from "../../../helpers/services";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { IDS, startHarness, type Harness } from "../../hear/intake/harness";
import { wallLimit } from "../../../helpers/time-limit";

let pg: PostgresService;
let dir: TempDir;
let h: Harness;

beforeAll(async () => {
  pg = await startPostgres({ durableCommits: true });
  const url = await pg.createDatabase("claim_retry");
  dir = createTempDir("steward-claim-retry-");
  h = await startHarness({
    dir: dir.path,
    intake: { reconcile: { enabled: false } },
    extraYaml: `store:\n  postgres: { url: ${JSON.stringify(url)}, instanceName: solo, leaseTtlMs: 2000, heartbeatIntervalMs: 300, connectTimeoutMs: 1000 }\n`,
  });
}, wallLimit(60_000));

afterAll(async () => {
  await h?.close();
  await pg?.stop();
  dir?.remove();
});

test("a failure heard while PostgreSQL is down is announced once it is back", { timeout: wallLimit(60_000) }, async () => {
  await pg.halt("fast");
  const executionId = await h.runWhenIdle(IDS.reload, "fail");
  await Bun.sleep(3_000);
  expect(h.events.some((e) => e.executionId === executionId)).toBe(false);
  await pg.resume();
  const e = await h.eventFor(executionId, 30_000);
  expect(e.kind).toBe("task.failed");
  await Bun.sleep(2_000);
  expect(h.events.filter((x) => x.executionId === executionId && x.kind === "task.failed").length).toBe(1);
});
