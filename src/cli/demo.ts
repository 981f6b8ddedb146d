// `steward demo`: the simulator, Steward on the embedded demo configuration and a capture inbox in one
// process (data under ./data/demo of the working folder); narrates live until Ctrl-C, then stops cleanly.
import demoYaml from "../../config/demo.yaml" with { type: "text" };
import { describeError } from "../core/errors";
import { startDemo } from "../demo/run-demo";
import { createDemoTerminal } from "../demo/terminal";
import { loggerFor, type LogFlags } from "./logging";

export async function demoCommand(flags: LogFlags): Promise<number> {
  const terminal = createDemoTerminal({ write: (line) => console.log(line), colour: process.stdout.isTTY === true && !process.env.NO_COLOR });
  const demo = await startDemo({ yaml: demoYaml, baseDir: process.cwd(), terminal, logger: (loaded) => loggerFor(loaded.config, flags, loaded.secrets) });
  return new Promise<number>((resolve) => {
    const stop = async (signal: string) => {
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
  });
}
