// On a stepped clock, time must not move while a datagram or a QRS answer is on its way: a run that ended at 02:00
// is reported at 02:00, however slow the network or the machine. Here every datagram is held 150 ms of wall time by
// a relay between the simulator's Scheduler and Steward (a slow network), and in the second test QRS answers each
// execution-result read 150 ms late too. Were either not counted as in flight, the clock would jump to the next
// timer (seconds or hours later) in the meantime and the events would carry later simulated times, or none at all.
import { afterAll, expect, test } from "bun:test";
import { createSocket } from "node:dgram";
import { join } from "node:path";
import { closeAll, createTestApp, type TestApp } from "../../../helpers/app";
import { type SteppedSite, sendDatagramsTo, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { qlikYaml } from "../../start/scheduler/sim-setup";
import { wallLimit } from "../../../helpers/time-limit";

const START = Date.parse("2026-03-24T00:00:00Z");
/**
 * Until 02:55: the default site's runs every ten minutes, the four that end at one instant at 02:00 (two failed attempts
 * that go on to a retry, one failure) and the three around 01:00, about twenty runs in all. The hours after repeat the same kinds (they doubled
 * the test's CPU and its wall time, the relay holding each datagram 150 ms), and 02:55 falls between two runs' ends.
 */
const RUN_MS = (2 * 60 + 55) * 60_000;
const HOLD_MS = 150;
const dir = createTempDir();
const open: Array<{ t: TestApp; site: SteppedSite; relay: ReturnType<typeof createSocket> }> = [];
afterAll(async () => {
  for (const o of open) {
    o.relay.close();
    await closeAll(o.t, o.site.sim, { path: "", remove: () => {} });
  }
  dir.remove();
});

/** The default site until 02:55, its datagrams through a slow relay; each run's end and when Steward reported it. */
async function slowNetworkRun(name: string, slowQrs: boolean) {
  const site = await startSteppedSite(join(dir.path, name), START);
  const { sim, clock } = site;
  // Reconciliation off: a run Steward did not hear of by datagram is not reported at all.
  const t = createTestApp(`${qlikYaml(sim)}intake:\n  reconcile:\n    enabled: false\n`, { clock, dir: join(dir.path, name, "steward") });
  const relay = createSocket("udp4");
  open.push({ t, site, relay });
  const reported: Array<{ at: number; executionId: string }> = [];
  t.app.bus.onAny((kind, payload) => {
    const e = payload as { run?: { executionId?: string }; executionId?: string };
    const executionId = e.run?.executionId ?? e.executionId;
    if (/^task\.(succeeded|failed|aborted)$/.test(kind) && executionId) reported.push({ at: clock.now(), executionId: executionId.toLowerCase() });
  });
  const starting = t.app.start();
  await clock.runUntil(START);
  await starting;
  const stewardPort = t.app.intake.udp!.address()!.port;
  await new Promise<void>((resolve) => relay.bind(0, "127.0.0.1", resolve));
  relay.on("message", (msg) => void Bun.sleep(HOLD_MS).then(() => relay.send(msg, stewardPort, "127.0.0.1")));
  sendDatagramsTo(site, { host: "127.0.0.1", port: relay.address().port }, () => t.app.intake.counters.received.get());
  if (slowQrs) sim.faults.add({ target: "qrs", pathContains: "executionresult", delayMs: HOLD_MS }, clock.now());
  await clock.runUntil(START + RUN_MS);
  const ended = [...sim.repo.executions.values()].filter((e) => e.stopMs !== undefined && e.stopMs > START && e.status !== 0);
  return { ended, reported };
}

/** Per execution (its retries share the id; Steward reports the session once it ends): when it ended, in order. */
const endedAt = (ended: Array<{ executionID: string; stopMs?: number }>) => {
  const last = new Map<string, number>();
  for (const e of ended) last.set(e.executionID.toLowerCase(), Math.max(last.get(e.executionID.toLowerCase()) ?? 0, e.stopMs!));
  return [...last].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]));
};
const reportedAt = (reported: Array<{ at: number; executionId: string }>) =>
  reported.map((r) => [r.executionId, r.at] as [string, number]).sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]));

test(
  "a datagram held on its way: Steward reports each run at the simulated time it ended",
  async () => {
    const { ended, reported } = await slowNetworkRun("datagrams", false);
    expect(ended.length).toBeGreaterThanOrEqual(3);
    expect(ended.filter((e) => e.status !== 7).length).toBeGreaterThanOrEqual(3);
    expect(reportedAt(reported)).toEqual(endedAt(ended));
  },
  wallLimit(120_000),
);

test(
  "a slow QRS too: the enrichment's reads are awaited before time moves",
  async () => {
    const { ended, reported } = await slowNetworkRun("slow-qrs", true);
    expect(ended.length).toBeGreaterThanOrEqual(3);
    expect(ended.filter((e) => e.status !== 7).length).toBeGreaterThanOrEqual(3);
    expect(reportedAt(reported)).toEqual(endedAt(ended));
  },
  wallLimit(120_000),
);
