// `steward config check|schema`.
import { writeFileSync } from "node:fs";
import { loadConfigFile } from "../config/load";
import { configJsonSchema } from "../config/json-schema";
import { UsageError } from "./usage";

export function configCheckCommand(file: string | undefined, out: (s: string) => void): number {
  if (!file) throw new UsageError("config check: missing FILE");
  const loaded = loadConfigFile(file);
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
