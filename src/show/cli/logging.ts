// Builds the root logger from config plus command-line overrides.
import { z } from "zod";
import type { LoggingConfig } from "../../platform/core/logging-config";
import { createLogger, loadPrettyPrinter, type LogFormat, type LogLevel, type Logger } from "../../platform/core/logger";
import type { SecretRegistry } from "../../platform/core/redaction";
import { UsageError } from "./usage";

const LevelSchema = z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]);
const FormatSchema = z.enum(["json", "pretty"]);

export interface LogFlags {
  "log-level"?: string;
  "log-format"?: string;
}

/** `write`: where lines go (stdout by default). The pretty printer is loaded only when the format asks for it. */
export async function loggerFor(
  config: { logging: LoggingConfig } | undefined,
  flags: LogFlags,
  secrets: SecretRegistry,
  write?: (line: string) => void,
): Promise<Logger> {
  const level = pick(LevelSchema, flags["log-level"], "--log-level") ?? config?.logging.level ?? "info";
  const format = pick(FormatSchema, flags["log-format"], "--log-format") ?? config?.logging.format ?? (process.stdout.isTTY ? "pretty" : "json");
  const pretty = format === "pretty" ? await loadPrettyPrinter() : undefined;
  return createLogger({ level: level as LogLevel, format: format as LogFormat, secrets, ...(write ? { write } : {}), ...(pretty ? { pretty } : {}) });
}

function pick<T extends z.ZodType>(schema: T, value: string | undefined, flag: string): z.infer<T> | undefined {
  if (value === undefined) return undefined;
  const r = schema.safeParse(value);
  if (!r.success) throw new UsageError(`${flag}: expected one of ${(schema as unknown as z.ZodEnum).options.join(", ")}, got "${value}"`);
  return r.data;
}
