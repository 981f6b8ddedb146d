// `steward run` gives back what only its start needed (runtime.releaseStartupMemory: Bun.shrink, the start's compiled
// code and garbage; about 3 MiB of idle RSS, issue 69) two seconds after the app has started, once; a start that fails
// does not, nor a stop within those seconds. Each case runs runUntilSignal in a fresh process on a stepped clock with
// Bun.shrink counted, then stops it with SIGTERM.
import { afterAll, expect, test } from "bun:test";
import { join, resolve } from "node:path";
import { freshProcessReport } from "../../../helpers/fresh-process-report";
import { createTempDir } from "../../../helpers/temp-dir";

const ROOT = resolve(import.meta.dir, "../../../..");
const tmp = createTempDir();
afterAll(() => tmp.remove());

async function runOnce(name: string, yaml: string, stepMs: number): Promise<{ code: number; events: string[] }> {
  const script = `
    const events = [];
    Bun.shrink = () => events.push("release");
    const { createSteppedClock } = await import(${JSON.stringify(join(ROOT, "src/platform/core/stepped-clock.ts"))});
    const clock = createSteppedClock(Date.UTC(2026, 10, 25, 12));
    const { createApp } = await import(${JSON.stringify(join(ROOT, "src/app.ts"))});
    const { resolveCheckedConfig, runUntilSignal } = await import(${JSON.stringify(join(ROOT, "src/show/cli/run.ts"))});
    const { loggerFor } = await import(${JSON.stringify(join(ROOT, "src/show/cli/logging.ts"))});
    const file = ${JSON.stringify(join(tmp.path, `${name}.yaml`))};
    await Bun.write(file, ${JSON.stringify(yaml)});
    const loaded = resolveCheckedConfig({ config: file });
    const app = createApp(loaded, { log: await loggerFor(loaded.config, {}, loaded.secrets), clock });
    const start = app.start.bind(app);
    let started;
    const up = new Promise((r) => (started = r));
    app.start = async () => { try { await start(); events.push("started"); } finally { started(); } };
    let finished = false;
    const done = runUntilSignal(app, app.log).finally(() => (finished = true));
    await up;
    await clock.runUntil(clock.now() + ${stepMs});
    events.push("stepped " + ${stepMs});
    if (!finished) process.kill(process.pid, "SIGTERM");
    const code = await done;
    console.error("RAN " + JSON.stringify({ code, events }));
    process.exit(0);
  `;
  return freshProcessReport<{ code: number; events: string[] }>(script);
}

const config = (dir: string, udpPort: number) =>
  `dataDir: ${JSON.stringify(join(tmp.path, dir))}\nlogging: { level: silent, format: json }\nhttp: { host: 127.0.0.1, port: 0 }\nudp: { host: 127.0.0.1, port: ${udpPort} }\n`;

test("once the app has started, its start-up memory is released, once", async () => {
  expect(await runOnce("started", config("a", 0), 3_000)).toEqual({ code: 0, events: ["started", "release", "stepped 3000"] });
}, 60_000);

test("a stop within those two seconds releases nothing", async () => {
  expect(await runOnce("stopped", config("c", 0), 1_000)).toEqual({ code: 0, events: ["started", "stepped 1000"] });
}, 60_000);

test("a start that fails releases nothing", async () => {
  // A UDP port that is taken: the intake cannot listen.
  const taken = await import("node:dgram").then(
    (dgram) =>
      new Promise<{ port: number; close(): void }>((done) => {
        const s = dgram.createSocket("udp4");
        s.bind(0, "127.0.0.1", () => done({ port: s.address().port, close: () => s.close() }));
      }),
  );
  try {
    const ran = await runOnce("failed", config("b", taken.port), 3_000);
    expect(ran.code).toBe(1);
    expect(ran.events).toEqual(["stepped 3000"]);
  } finally {
    taken.close();
  }
}, 60_000);
