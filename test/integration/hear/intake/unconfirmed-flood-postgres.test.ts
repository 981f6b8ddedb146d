// unconfirmed-flood.test.ts across two Stewards on one PostgreSQL: the spoofer floods both (each has its own UDP port,
// and a datagram reaches only the Steward it was sent to). Each Steward bounds what it receives in memory (no store
// write per datagram), so each pages at most perSource runs one by one; the summary page is claimed in the shared
// store, so the site gets ONE summary of the flood, not one per Steward.
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { forgedFailureDatagram } from "../../../../scripts/forged-datagrams";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { startPostgres, type PostgresService } from "../../../helpers/services";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { type HttpReceiver, startHttpReceiver } from "../../tell/notify/receivers";
import { intakeYaml, startHarness, type Harness } from "./harness";

let pg: PostgresService;
let h: Harness | undefined;
let other: TestApp | undefined;
let rx: HttpReceiver | undefined;
const dirs: TempDir[] = [];
beforeAll(async () => {
  pg = await startPostgres();
});
afterEach(async () => {
  await other?.close();
  await h?.close();
  await rx?.stop();
  for (const d of dirs.splice(0)) d.remove();
  h = other = rx = undefined;
});
afterAll(async () => {
  await pg?.stop();
});

const NODE = { address: "127.0.0.1", port: 40_000 };
const INTAKE = { concurrency: 16, enrichment: { lookupTimeoutMs: 300 }, reconcile: { intervalSeconds: 3600, settleSeconds: 0 } };

test("a flood that reaches two Stewards of one PostgreSQL is one summary page for the site", { timeout: 180_000 }, async () => {
  const url = await pg.createDatabase("unconfirmed_flood");
  rx = startHttpReceiver(200);
  const yaml = (name: string) => `
store:
  postgres: { url: ${url}, instanceName: ${name}, leaseTtlMs: 3000, heartbeatIntervalMs: 300 }
channels:
  hook: { type: webhook, url: "${rx!.url}/hook" }
routes:
  - { name: failures, on: [task.failed], to: [hook] }
notify:
  outbox: { initialBackoff: 50ms, maxBackoff: 200ms }
`;
  const a = createTempDir("unconfirmed-flood-pg-a-");
  const b = createTempDir("unconfirmed-flood-pg-b-");
  dirs.push(a, b);
  h = await startHarness({ dir: a.path, intake: INTAKE, extraYaml: yaml("node-a") });
  await h.startPassEnded();
  other = createTestApp(intakeYaml(h.sim, INTAKE, yaml("node-b")), { dir: b.path });
  await other.app.start();
  h.sim.faults.add({ target: "qrs", pathContains: "task", delayMs: 3_000 }, Date.now());
  const stewards = [h.t.app.intake, other.app.intake];
  // The same forged runs to both Stewards, taking turns, as a spoofer aiming at every Steward's port would send them.
  for (let i = 0; i < 100; i++) stewards[i % 2]!.handleDatagram(forgedFailureDatagram(i, 87, 600), NODE);
  const judged = () =>
    stewards.reduce(
      (n, s) =>
        n + s.counters.unconfirmed.get({ qrs: "unavailable", action: "emitted" }) + s.counters.unconfirmed.get({ qrs: "unavailable", action: "over_budget" }),
      0,
    );
  await waitFor(() => judged() >= 100 || undefined, { timeoutMs: 120_000, what: "the 100 forged runs judged by the two Stewards" });

  const hooks = () => rx!.requests.filter((r) => r.path === "/hook");
  const summaries = () => hooks().filter((r) => r.body.includes("task runs from 127.0.0.1 that QRS could not confirm"));
  await waitFor(() => (hooks().length >= 7 && summaries().length >= 1) || undefined, { timeoutMs: 30_000, what: "seven deliveries" });
  await Bun.sleep(1_000);
  // Three one by one from each Steward, and one summary for the site.
  expect(summaries()).toHaveLength(1);
  expect(hooks()).toHaveLength(7);
});
