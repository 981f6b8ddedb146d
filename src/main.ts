#!/usr/bin/env bun
// Process entry: argv → command. The same file is the entry of the compiled binary.
import { parseArgs } from "node:util";
import { AppError, describeError } from "./core/errors";
import { VERSION } from "./core/version";
import { configCheckCommand, configSchemaCommand } from "./cli/config-commands";
import { demoCommand } from "./cli/demo";
import { runCommand } from "./cli/run";
import { alertCommand } from "./cli/alert";
import { apikeyCommand } from "./cli/apikey";
import { serviceCommand } from "./cli/service";
import { importButlerCommand } from "./cli/import-butler";
import { COMMAND_HELP, MAIN_HELP, UsageError } from "./cli/usage";
import { schedulesCommand } from "./scheduler/cli";
// The simulator is a product feature (`steward sim`); the entry point is the only place outside src/sim and
// the demo that may reach into it.
import { simCommand } from "./sim/cli";
import { appenderXmlCommand } from "./cli/appender";

const out = (s: string) => console.log(s);
const err = (s: string) => console.error(s);

/** Commands that parse their own arguments (delegated whole). */
const DELEGATED: Record<string, (argv: string[]) => Promise<number>> = {
  alert: alertCommand,
  apikey: (argv) => apikeyCommand(argv, out),
  service: (argv) => serviceCommand(argv, { out }),
  schedules: (argv) => schedulesCommand(argv, out),
  sim: simCommand,
  "appender-xml": (argv) => appenderXmlCommand(argv, out),
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    out(command === "help" && rest[0] && COMMAND_HELP[rest[0]] ? COMMAND_HELP[rest[0]]! : MAIN_HELP);
    return command === undefined ? 2 : 0;
  }
  if (command === "--version" || command === "-v") {
    out(VERSION);
    return 0;
  }
  const delegated = DELEGATED[command];
  if (delegated) return delegated(rest);
  if (command === "config" && rest[0] === "import-butler") return importButlerCommand(rest.slice(1), out, err);

  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    strict: true,
    options: {
      config: { type: "string", short: "c" },
      "log-level": { type: "string" },
      "log-format": { type: "string" },
      out: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    out(COMMAND_HELP[command] ?? MAIN_HELP);
    return COMMAND_HELP[command] ? 0 : 2;
  }
  switch (command) {
    case "run":
      if (positionals.length) throw new UsageError(`run: unexpected argument ${positionals[0]}`);
      return runCommand(values);
    case "demo":
      return demoCommand(values);
    case "version":
      out(VERSION);
      return 0;
    case "config": {
      const [sub, file] = positionals;
      if (sub === "check") return configCheckCommand(file, out);
      if (sub === "schema") return configSchemaCommand(values.out, out);
      throw new UsageError(`config: expected 'check FILE' or 'schema', got ${sub ?? "nothing"}`);
    }
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

export function exitCodeFor(e: unknown): number {
  if (e instanceof UsageError || (e instanceof TypeError && "code" in e && String((e as { code: unknown }).code).startsWith("ERR_PARSE_ARGS"))) return 2;
  if (e instanceof AppError && e.code === "CONFIG_INVALID") return 2;
  return 1;
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      const code = exitCodeFor(e);
      if (code === 2 && !(e instanceof AppError)) err(`steward: ${describeError(e)}\nRun 'steward --help' for usage.`);
      else err(e instanceof AppError ? e.message : `steward: ${describeError(e)}`);
      process.exit(code);
    },
  );
}
