// One Steward on SQLite in a folder of its own, its time on a manual clock, and a local webhook receiver its
// channels post to: the set-up of the tests that move time by hand to see an escalation fire or a page repeat.
import { createManualClock, type ManualClock } from "../../src/platform/core/clock";
import { startHttpReceiver, type HttpReceiver } from "../integration/tell/notify/receivers";
import { createTestApp, type TestApp } from "./app";
import { createTempDir } from "./temp-dir";

export interface ManualClockApp {
  t: TestApp;
  clock: ManualClock;
  rx: HttpReceiver;
  /** Stops the Steward, removes its folder and stops the receiver. */
  stop(): Promise<void>;
}

/** Starts a Steward at `startMs` with the config `yaml` gives for the receiver's URL. */
export async function startManualClockApp(startMs: number, yaml: (rxUrl: string) => string): Promise<ManualClockApp> {
  const rx = startHttpReceiver();
  const dir = createTempDir();
  const clock = createManualClock(startMs);
  const t = createTestApp(yaml(rx.url), { clock, dir: dir.path });
  const stop = async () => {
    await t.app.stop();
    dir.remove();
    await rx.stop();
  };
  try {
    await t.app.start();
  } catch (err) {
    // The test's afterAll has nothing to stop yet: leave no folder or listening receiver behind.
    await stop();
    throw err;
  }
  return { t, clock, rx, stop };
}
