// `steward appender-xml [--engine] --target HOST[:PORT] … [--out FILE]`: the Scheduler's LocalLogConfig.xml pointing at
// Steward, or with --engine the Engine's (its reload lines: docs/engine-reloads.md); `--engine --check FILE` says what an
// existing Engine file lacks and what to merge (exit 1 when something is missing).
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { VERSION } from "../../platform/core/version";
import { parseAppenderTarget, renderAppenderXml } from "../../hear/intake/appender-xml";
import { checkEngineAppenderXml, renderAppenderCheck, renderEngineAppenderXml } from "../../hear/engine";
import { COMMAND_HELP, UsageError } from "./usage";

export async function appenderXmlCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      target: { type: "string", multiple: true },
      out: { type: "string" },
      engine: { type: "boolean" },
      check: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    out(COMMAND_HELP["appender-xml"]!);
    return 0;
  }
  let targets;
  try {
    targets = (values.target ?? []).map(parseAppenderTarget);
  } catch (err) {
    throw new UsageError(`appender-xml: ${(err as Error).message}`);
  }
  if (values.check !== undefined) {
    if (!values.engine) throw new UsageError("appender-xml: --check reads the Engine's file; give --engine --check FILE");
    let text: string;
    try {
      text = readFileSync(values.check, "utf8");
    } catch (err) {
      throw new UsageError(`appender-xml: cannot read ${values.check}: ${(err as Error).message}`);
    }
    const check = checkEngineAppenderXml(text, targets);
    out(renderAppenderCheck(values.check, check));
    return check.complete ? 0 : 1;
  }
  if (!targets.length) throw new UsageError("appender-xml: give at least one --target HOST[:PORT] (the address the Sense nodes reach Steward at)");
  const service = values.engine ? "Engine" : "Scheduler";
  const xml = values.engine ? renderEngineAppenderXml(targets, `steward ${VERSION}`) : renderAppenderXml(targets, `steward ${VERSION}`);
  if (values.out) {
    writeFileSync(values.out, xml);
    out(
      `wrote ${values.out}: copy it to %ProgramData%\\Qlik\\Sense\\${service}\\LocalLogConfig.xml on each ${service} node and restart the Qlik Sense ${service} Service`,
    );
  } else out(xml.trimEnd());
  return 0;
}
