// Issue 89: five seconds of failures at 5,000 a second from one node (25,000 datagrams) all wait in the overflow on
// the default limits, even when none of them is worked off before the last arrives: a source alone may use the
// overflow up to one share short of its total, and gives that room back as other sources' runs wait there too. Before,
// one source's 4 MiB share held 7,696 runs of the bench's datagram and the rest were dropped (`source_full`).
import { afterEach, expect, test } from "bun:test";
import { failedTaskDatagram } from "../../../../scripts/bench-udp-load";
import { createTestApp, type TestApp } from "../../../helpers/app";

const NODE = { address: "127.0.0.1", port: 50_000 };
const OTHER = { address: "127.0.0.2", port: 50_000 };
let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const metric = (text: string, name: string) =>
  text
    .split("\n")
    .filter((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`))
    .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);

test("25,000 failure datagrams from one source in one turn: every run waits in the overflow and is stored", { timeout: 600_000 }, async () => {
  t = createTestApp("intake:\n  queueSize: 100\n");
  await t.app.start();
  const { intake } = t.app;
  // One turn of the event loop: nothing is worked off before the last datagram arrives.
  for (let i = 0; i < 25_000; i++) intake.handleDatagram(failedTaskDatagram(i, 8901), NODE);
  expect(metric(t.app.metrics.render(), "steward_intake_dropped_total")).toBe(0);
  // Another node still finds room beside the first one's backlog.
  for (let i = 0; i < 200; i++) intake.handleDatagram(failedTaskDatagram(i, 8902), OTHER);
  expect(metric(t.app.metrics.render(), "steward_intake_dropped_total")).toBe(0);
  const emitted = () => intake.counters.emitted.get({ kind: "task.failed", source: "udp" });
  for (let i = 0; i < 60_000 && emitted() < 25_200; i++) await Bun.sleep(10);
  await intake.settled();
  await t.app.store.sql.get("SELECT 1 AS x");
  const seen = await t.app.store.sql.get<{ n: number }>("SELECT COUNT(*) AS n FROM intake_seen WHERE claimed_by IS NULL");
  const runs = await t.app.store.sql.get<{ n: number }>("SELECT COUNT(*) AS n FROM incident_runs");
  expect({ emitted: emitted(), seen: Number(seen?.n), runs: Number(runs?.n), dropped: metric(t.app.metrics.render(), "steward_intake_dropped_total") }).toEqual(
    {
      emitted: 25_200,
      seen: 25_200,
      runs: 25_200,
      dropped: 0,
    },
  );
});
