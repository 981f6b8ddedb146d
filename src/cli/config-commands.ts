// `steward config check|schema`.
import { writeFileSync } from "node:fs";
import { loadConfigFile } from "../config/load";
import { configJsonSchema } from "../config/json-schema";
import { UsageError } from "./usage";
import { checkNotifyConfig } from "../notify/check";
import { AppError } from "../core/errors";

export function configCheckCommand(file: string | undefined, out: (s: string) => void): number {
  if (!file) throw new UsageError("config check: missing FILE");
  const loaded = loadConfigFile(file);
  // Templates are compiled and rendered against sample events here, so a template error shows up now.
  const problems = checkNotifyConfig(loaded.config, loaded.baseDir);
  if (problems.length > 0) throw new AppError("CONFIG_INVALID", problems.map((p) => `${file}: ${p}`).join("\n"), { details: problems });
  out(`${file}: valid (data directory ${loaded.config.dataDir})`);
  return 0;
}

export function configSchemaCommand(outFile: string | undefined, out: (s: string) => void): number {
  const text = `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
  if (outFile) {
    writeFileSync(outFile, text);
    out(`wrote ${outFile}`);
  } else out(text.trimEnd());
  return 0;
}
