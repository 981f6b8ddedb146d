#!/usr/bin/env bun
// Process entry: argv → command. The same file is the entry of the compiled binary.
import { parseArgs } from "node:util";
import { AppError, describeError } from "./platform/core/errors";
import { VERSION } from "./platform/core/version";
import { COMMAND_HELP, MAIN_HELP, UsageError } from "./show/cli/usage";
import { unknownCommand } from "./show/cli/commands";

// Each command's module is loaded when that command runs: `steward run` does not parse and evaluate the
// simulator, the demo (SMTP server, certificate generator), the Butler import or the service installer.
// The specifiers are literals, so the compiled binary still holds every module. The simulator is a product
// feature (`steward sim`); the entry point is the only place outside src/sim and the demo that may reach into it.
const out = (s: string) => console.log(s);
const err = (s: string) => console.error(s);

/** Commands that parse their own arguments (delegated whole). */
const DELEGATED: Record<string, (argv: string[]) => Promise<number>> = {
  alert: async (argv) => (await import("./show/cli/alert")).alertCommand(argv),
  apikey: async (argv) => (await import("./show/cli/apikey")).apikeyCommand(argv, out),
  service: async (argv) => (await import("./show/cli/service")).serviceCommand(argv, { out }),
  schedules: async (argv) => (await import("./show/cli/schedules-command")).schedulesCommand(argv, out),
  checks: async (argv) => (await import("./show/cli/checks-command")).checksCommand(argv, out),
  doctor: async (argv) => (await import("./show/cli/doctor")).doctorCommand(argv, out),
  silence: async (argv) => (await import("./show/cli/silences-command")).silenceCommand(argv, out),
  report: async (argv) => (await import("./show/cli/report-command")).reportCommand(argv, out, err),
  noise: async (argv) => (await import("./show/cli/noise-command")).noiseCommand(argv, { out, err }),
  sim: async (argv) => (await import("./sim/cli")).simCommand(argv),
  "appender-xml": async (argv) => (await import("./show/cli/appender")).appenderXmlCommand(argv, out),
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
  const refused = unknownCommand(argv);
  if (refused !== undefined) throw new UsageError(refused);
  const delegated = DELEGATED[command];
  if (delegated) return delegated(rest);
  if (command === "config" && (rest[0] === "propose" || rest[0] === "apply-proposal"))
    return (await import("./show/cli/noise-command")).proposalCommand(rest, { out, err });
  if (command === "config" && rest[0] === "rehearse") return (await import("./show/cli/rehearse-command")).rehearseCommand(rest.slice(1), { out, err });
  if (command === "config" && rest[0] === "import-butler") return (await import("./show/cli/import-butler")).importButlerCommand(rest.slice(1), out, err);

  const { values, positionals } = parseCommandArgs(command, rest, {
    config: { type: "string", short: "c" },
    // Butler's spelling of --config, so a Butler service definition runs unchanged.
    configfile: { type: "string" },
    "log-level": { type: "string" },
    "log-format": { type: "string" },
    out: { type: "string" },
    cluster: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.configfile !== undefined) {
    if (values.config !== undefined) throw new UsageError(`${command}: give --config or --configfile, not both`);
    values.config = values.configfile;
  }
  if (values.help) {
    out(COMMAND_HELP[command] ?? MAIN_HELP);
    return COMMAND_HELP[command] ? 0 : 2;
  }
  if (values.cluster && command !== "demo")
    throw new UsageError(`${command}: --cluster is an option of demo (a real cluster is configured with store.postgres)`);
  switch (command) {
    case "run":
      if (positionals.length) throw new UsageError(`run: unexpected argument ${positionals[0]}`);
      return (await import("./show/cli/run")).runCommand(values);
    case "demo":
      return (await import("./show/cli/demo")).demoCommand(values, values.cluster === true);
    case "version":
      out(VERSION);
      return 0;
    case "config": {
      const [sub, file] = positionals;
      if (sub === "check") return (await import("./show/cli/config-commands")).configCheckCommand(file, out);
      if (sub === "schema") return (await import("./show/cli/config-commands")).configSchemaCommand(values.out, out);
      if (sub === "explain") return (await import("./show/cli/config-explain")).configExplainCommand(file, out);
      throw new UsageError(`config: expected 'check FILE', 'schema' or 'explain KEY', got ${sub ?? "nothing"}`);
    }
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

type OptionSpec = NonNullable<Parameters<typeof parseArgs>[0]>["options"];

/** parseArgs, with its errors (an unknown option, a missing value) said plainly and the command's usage shown. */
function parseCommandArgs<O extends OptionSpec>(command: string, args: string[], options: O) {
  try {
    return parseArgs({ args, allowPositionals: true, strict: true, options });
  } catch (e) {
    const code = String((e as { code?: unknown }).code ?? "");
    if (!code.startsWith("ERR_PARSE_ARGS")) throw e;
    // Node's texts: "Unknown option '--bogus'", "Option '-c, --config <value>' argument missing".
    const option = /(--[A-Za-z][\w-]*)/.exec((e as Error).message)?.[1] ?? /'(-[^'\s,]+)/.exec((e as Error).message)?.[1];
    const what =
      code === "ERR_PARSE_ARGS_UNKNOWN_OPTION"
        ? `unknown option ${option ?? ""}`.trim()
        : code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE"
          ? `option ${option ?? ""} needs a value`
          : (e as Error).message;
    throw new UsageError(`${command}: ${what}\n\n${COMMAND_HELP[command] ?? MAIN_HELP}`);
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
