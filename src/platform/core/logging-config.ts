// Config of the log: level and format (the logger itself is core/logger.ts).
import { z } from "zod";

export const loggingSchema = () =>
  z
    .strictObject({
      level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info").describe("Minimum log level."),
      format: z.enum(["json", "pretty"]).default("json").describe("json for log shippers, pretty for a terminal."),
    })
    .describe("Log level and format; both can be overridden with --log-level and --log-format.");

export type LoggingConfig = z.infer<ReturnType<typeof loggingSchema>>;
