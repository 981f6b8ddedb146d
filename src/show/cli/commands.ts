// The command line's table of commands and their sub-commands. main.ts refuses anything not listed here, and the
// docs tests check every `steward …` command shown in README.md and docs/ against it.
export const CLI_COMMANDS = {
  run: [],
  demo: [],
  sim: [],
  "appender-xml": [],
  config: ["check", "schema", "explain", "import-butler", "propose", "apply-proposal", "rehearse"],
  alert: ["preview", "test"],
  schedules: ["import"],
  checks: ["run"],
  doctor: [],
  apikey: ["create", "hash"],
  silence: ["list", "add", "show", "end"],
  report: [],
  noise: [],
  service: ["install", "uninstall", "start", "stop", "status", "run"],
  version: [],
} as const satisfies Record<string, readonly string[]>;

export type CliCommand = keyof typeof CLI_COMMANDS;

export function isCliCommand(word: string): word is CliCommand {
  return Object.hasOwn(CLI_COMMANDS, word);
}

/**
 * Why `args` (what follows `steward`) names no command of the table, or undefined when it does. Options and help
 * flags before or instead of a sub-command are left to the command itself.
 */
export function unknownCommand(args: readonly string[]): string | undefined {
  const [command, sub] = args;
  if (command === undefined) return undefined;
  if (!isCliCommand(command)) return `unknown command '${command}'`;
  const subs: readonly string[] = CLI_COMMANDS[command];
  if (subs.length === 0 || sub === undefined || sub.startsWith("-")) return undefined;
  return subs.includes(sub) ? undefined : `${command}: expected ${subs.join(", ")}; got '${sub}'`;
}
