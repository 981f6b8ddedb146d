// `steward demo`: Steward on the embedded demo configuration (data under ./data/demo of the working folder).
import demoYaml from "../../config/demo.yaml" with { type: "text" };
import { createApp } from "../app";
import { parseConfigText } from "../config/load";
import { loggerFor, type LogFlags } from "./logging";
import { runUntilSignal } from "./run";

export async function demoCommand(flags: LogFlags): Promise<number> {
  const loaded = parseConfigText(demoYaml, "demo.yaml", process.cwd());
  const log = loggerFor(loaded.config, flags, loaded.secrets);
  const app = createApp(loaded, { log });
  const code = runUntilSignal(app, log);
  // The URL is known only once the listener is up.
  setTimeout(() => app.server && app.lifecycle.started && log.info(`Steward demo: open ${app.server.url()}/docs`), 50);
  return code;
}
