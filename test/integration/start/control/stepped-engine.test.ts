// Engine calls on a stepped clock: opening a session and each call with a timeout are work in flight, so simulated
// time does not move while the answer is on its way. The simulator's Engine holds the WebSocket upgrade and each
// GetDocList 150 ms of wall time (a slow network), while the clock is asked to run ten simulated minutes: the session
// opens and the answer comes at the simulated time they were asked for. Uncounted, the clock jumps to the
// simulator's next timers in the meantime. A DoReload (no timeout) is not counted: its answer waits for the reload,
// which needs simulated time to pass; counted, the run would stall.
import { afterAll, expect, test } from "bun:test";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { parseConfigText } from "../../../../src/composition/config";
import { createEngineClient } from "../../../../src/platform/qlik/engine-client";
import { getDocList, openDoc } from "../../../../src/platform/qlik/engine-doc";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { wallLimit } from "../../../helpers/time-limit";

const START = Date.parse("2026-03-24T06:00:00Z");
const HOLD_MS = 150;
const dir = createTempDir();
let site: SteppedSite | undefined;
afterAll(async () => {
  await site?.sim.stop();
  dir.remove();
});

test("an Engine session and its calls hold simulated time until answered; a DoReload lets it move", async () => {
  site = await startSteppedSite(dir.path, START);
  const { sim, clock } = site;
  const cfg = parseConfigText(`qlik:\n  host: 127.0.0.1\n  enginePort: ${sim.ports.engine}\n  certDir: ${sim.certDir}\n  timeoutMs: 5000\n`, "t.yaml", "/")
    .config.qlik!;
  const engine = createEngineClient(cfg, { baseDir: "/", log: createSilentLogger(), clock });
  sim.faults.add({ target: "engine", delayMs: HOLD_MS, count: 1 }, clock.now());
  sim.faults.add({ target: "engine", rpcMethod: "GetDocList", delayMs: HOLD_MS }, clock.now());
  expect(clock.pendingTimers()).toBeGreaterThan(0); // the site's schedules: somewhere to jump to

  let openedAt: number | undefined;
  const opening = engine.openSession("").then((s) => {
    openedAt = clock.now();
    return s;
  });
  await clock.runUntil(START + 10 * 60_000);
  const session = await opening;
  try {
    expect(openedAt).toBe(START);

    const asked = clock.now();
    let answeredAt: number | undefined;
    const listing = getDocList(session).then((docs) => {
      answeredAt = clock.now();
      return docs;
    });
    await clock.runUntil(asked + 10 * 60_000);
    expect((await listing).length).toBeGreaterThan(0);
    expect(answeredAt).toBe(asked);

    // The reload takes simulated time: the clock moves on while DoReload waits, and its answer comes when it ends.
    const appId = (await listing)[0]!.qDocId;
    const doc = await openDoc(session, appId, false);
    const began = clock.now();
    let reloadedAt: number | undefined;
    const reloading = session.call<{ qReturn?: boolean }>(doc, "DoReload", [0, false, false], { timeoutMs: 0 }).then((r) => {
      reloadedAt = clock.now();
      return r;
    });
    await clock.runUntil(began + 6 * 3_600_000, { stallMs: wallLimit(10_000) });
    expect((await reloading).qReturn).toBe(true);
    expect(reloadedAt).toBeGreaterThan(began);
  } finally {
    await session.close();
  }
}, 60_000);
