// Two Stewards on one PostgreSQL store watch one Qlik Cloud tenant: one polls (the `cloud` lease), each failed
// reload is announced once by the pair, and when the polling Steward stops the other takes over without
// announcing anything again or missing the reload that failed in between.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { TaskEvent } from "../../../src/events/types";
import type { Simulator } from "../../../src/sim";
import { createTestApp, type TestApp } from "../../helpers/app";
import { type PostgresService, startPostgres } from "../../helpers/services";
import { createTempDir } from "../../helpers/temp-dir";
import { waitFor } from "../../helpers/wait-for";
import { cloudYaml, runCloudReload, startCloudSim } from "./helpers";

const dir = createTempDir();
let pg: PostgresService;
let sim: Simulator;
const stewards = new Map<string, TestApp>();
const events: Array<{ by: string; e: TaskEvent }> = [];

beforeAll(async () => {
  pg = await startPostgres();
  const url = await pg.createDatabase("cloud_cluster");
  sim = await startCloudSim(join(dir.path, "certs"));
  for (const name of ["alpha", "beta"]) {
    const t = createTestApp(
      `store:\n  postgres:\n    url: ${url}\n    instanceName: ${name}\n    leaseTtlMs: 2000\n    heartbeatIntervalMs: 300\n${cloudYaml(sim)}`,
      { dir: join(dir.path, name) },
    );
    t.app.bus.on("task.failed", (e) => void events.push({ by: name, e: e as TaskEvent }));
    stewards.set(name, t);
  }
  await Promise.all([...stewards.values()].map((s) => s.app.start()));
});

afterAll(async () => {
  for (const s of stewards.values()) await s.close().catch(() => {});
  await sim?.stop();
  await pg?.stop();
  dir.remove();
});

const announced = (id: string) => events.filter((x) => x.e.executionId === id);

test("each failed Cloud reload is announced once by the two Stewards, across a change of the polling Steward", async () => {
  const app = sim.site.apps[0]!;
  const first = await runCloudReload(sim, app.id, "fail", "first failure");
  await waitFor(() => announced(first.id).length > 0, { timeoutMs: 20_000 });
  const leader = announced(first.id)[0]!.by;
  await stewards.get(leader)!.app.stop();
  // Failed while nobody polls: the other Steward picks it up once it holds the lease.
  const second = await runCloudReload(sim, app.id, "fail", "second failure");
  await waitFor(() => announced(second.id).length > 0, { timeoutMs: 20_000 });
  expect(announced(second.id)[0]!.by).not.toBe(leader);
  const polls = sim.requests.list({ source: "cloud", pathContains: "/api/v1/reloads" }).length;
  await waitFor(() => sim.requests.list({ source: "cloud", pathContains: "/api/v1/reloads" }).length >= polls + 3);
  expect(announced(first.id)).toHaveLength(1);
  expect(announced(second.id)).toHaveLength(1);
});
