// `steward demo`: the simulator, Steward on the embedded demo configuration and a capture inbox in one
// process (data under ./data/demo of the working folder); narrates live until Ctrl-C, then stops cleanly.
// `--cluster`: two Stewards on a private PostgreSQL; k (or SIGUSR2) stops the leader, s (or SIGUSR2 again) restarts it.
import demoYaml from "../../../config/demo.yaml" with { type: "text" };
import { describeError } from "../../platform/core/errors";
import { startDemo, type RunningDemo } from "../demo/run-demo";
import { createDemoTerminal, type DemoTerminal } from "../demo/terminal";
import { installLastResortGuard } from "../../platform/core/last-resort";
import type { Logger } from "../../platform/core/logger";
import { loggerFor, type LogFlags } from "./logging";

/** The demo's Stewards run in this process: the last-resort guard logs through the latest one's logger. */
function guarded(log: Logger): Logger {
  installLastResortGuard(log);
  return log;
}

export async function demoCommand(flags: LogFlags, cluster = false): Promise<number> {
  const terminal = createDemoTerminal({ write: (line) => console.log(line), colour: process.stdout.isTTY === true && !process.env.NO_COLOR });
  const demo = await startDemo({
    yaml: demoYaml,
    baseDir: process.cwd(),
    terminal,
    cluster,
    // Steward's own warnings are told in the story's one-line form (not pino-pretty's block of fields), unless
    // the person asked for a log format.
    logger: async (loaded) =>
      guarded(
        flags["log-format"]
          ? await loggerFor(loaded.config, flags, loaded.secrets)
          : await loggerFor({ logging: { ...loaded.config.logging, format: "json" } }, flags, loaded.secrets, (line) => terminal.log(line)),
      ),
  });
  return new Promise<number>((resolve) => {
    let offControls = () => {};
    const stop = async (signal: string) => {
      offControls();
      terminal.print(`\n${signal}: stopping the demo …`);
      try {
        await demo.stop();
        terminal.print("Demo stopped.");
        resolve(0);
      } catch (err) {
        terminal.print(`error while stopping: ${describeError(err)}`);
        resolve(1);
      }
    };
    process.once("SIGINT", () => void stop("SIGINT"));
    process.once("SIGTERM", () => void stop("SIGTERM"));
    if (cluster) offControls = clusterControls(demo, terminal, () => void stop("SIGINT"));
  });
}

/** k: stop the leading Steward; s: start it again; SIGUSR2: one, then the other. Returns what undoes them. */
function clusterControls(demo: RunningDemo, term: DemoTerminal, interrupt: () => void): () => void {
  const report = (p: Promise<string | undefined>, none: string) =>
    void p.then(
      (name) => name ?? term.note(none),
      (err: unknown) => term.note(`failed: ${describeError(err)}`),
    );
  const stopLeader = () => report(demo.stopLeader(), "no Steward leads right now");
  const startStopped = () => report(demo.startStopped(), "both Stewards are running");
  // Without a terminal (or from another shell) the signal toggles: it stops the leader, the next one restarts it.
  const onSignal = () => (demo.nodes.some((n) => !n.app()) ? startStopped() : stopLeader());
  process.on("SIGUSR2", onSignal);
  const stdin = process.stdin;
  const keys = stdin.isTTY === true;
  const onKey = (data: Buffer | string) => {
    const key = data.toString();
    // Raw mode turns Ctrl-C into a byte instead of SIGINT.
    if (key === "\u0003") interrupt();
    else if (key === "k") stopLeader();
    else if (key === "s") startStopped();
  };
  if (keys) {
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on("data", onKey);
  }
  return () => {
    process.off("SIGUSR2", onSignal);
    if (keys) {
      stdin.off("data", onKey);
      stdin.setRawMode(false);
      stdin.pause();
    }
  };
}
