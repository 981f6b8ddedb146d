// `steward appender-xml [--engine] --target HOST[:PORT] … [--out FILE]`: the Scheduler's LocalLogConfig.xml pointing at
// Steward, or with --engine the Engine's (its reload lines: docs/engine-reloads.md).
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { VERSION } from "../../platform/core/version";
import { parseAppenderTarget, renderAppenderXml } from "../../hear/intake/appender-xml";
import { renderEngineAppenderXml } from "../../hear/engine";
import { COMMAND_HELP, UsageError } from "./usage";

export async function appenderXmlCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      target: { type: "string", multiple: true },
      out: { type: "string" },
      engine: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    out(COMMAND_HELP["appender-xml"]!);
    return 0;
  }
  if (!values.target?.length) throw new UsageError("appender-xml: give at least one --target HOST[:PORT] (the address the Sense nodes reach Steward at)");
  let targets;
  try {
    targets = values.target.map(parseAppenderTarget);
  } catch (err) {
    throw new UsageError(`appender-xml: ${(err as Error).message}`);
  }
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
