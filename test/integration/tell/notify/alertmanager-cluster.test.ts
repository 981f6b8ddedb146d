// The alertmanager channel in a cluster (two Stewards sharing PostgreSQL) against a real Prometheus Alertmanager
// (resolve_timeout 5s): one Steward at a time re-sends the open alerts (the alert-resend lease), and when it stops the
// other takes the lease and carries on from the store, so the alert stays firing past resolve_timeout.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { alertmanagerAlerts, type GettableAlert, startAlertmanager } from "../../../helpers/alertmanager";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { startPostgres, type PostgresService, type TestService } from "../../../helpers/services";
import { waitFor } from "../../../helpers/wait-for";

const RESOLVE_TIMEOUT_S = 5;

describe("alertmanager re-sender in a cluster", () => {
  let pg: PostgresService;
  let am: TestService;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    pg = await startPostgres();
    am = await startAlertmanager({ resolveTimeout: `${RESOLVE_TIMEOUT_S}s` });
    const url = await pg.createDatabase("alertmanager_cluster");
    for (const name of ["node-a", "node-b"]) {
      const t = createTestApp(`store:
  postgres: { url: "${url}", instanceName: ${name}, leaseTtlMs: 2000, heartbeatIntervalMs: 300 }
channels:
  am: { type: alertmanager, urls: ["${am.url}"], resendEvery: 2s }
routes:
  - { on: [task.failed], to: [am] }
notify:
  outbox: { initialBackoff: 50ms, maxBackoff: 100ms }
`);
      apps.push(t);
      await t.app.start();
    }
  }, 120_000);
  afterAll(async () => {
    for (const t of apps.reverse()) await t.close().catch(() => {});
    await am?.stop();
    await pg?.stop();
  });

  const alertOf = async (task: string): Promise<GettableAlert | undefined> => (await alertmanagerAlerts(am)).find((a) => a.labels.task === task);
  const holders = () => apps.filter((t) => t.app.cluster.holds("alert-resend"));

  test("one Steward re-sends; when it stops, the other carries on and the alert stays firing", async () => {
    const failed: TaskEvent = { ...syntheticTaskEvent({ outcome: "failed", taskName: "Finance daily", taskId: "task-finance" }), source: "udp" };
    const [annotated] = await apps[1]!.app.incidents!.annotate(failed);
    await apps[1]!.app.bus.emit(annotated!.kind, annotated!);
    const first = await waitFor(() => alertOf("Finance daily"), { what: "the alert" });
    const [holder] = await waitFor(() => (holders().length === 1 ? holders() : undefined), { what: "one holder of the alert-resend lease" });
    const other = apps.find((t) => t !== holder)!;
    await holder!.app.stop();
    await waitFor(() => other.app.cluster.holds("alert-resend"), { what: "the other Steward taking the lease" });
    await Bun.sleep((RESOLVE_TIMEOUT_S + 3) * 1_000);
    const later = await alertOf("Finance daily");
    expect(later?.status.state).toBe("active");
    expect(later!.fingerprint).toBe(first.fingerprint);
  }, 60_000);
});
