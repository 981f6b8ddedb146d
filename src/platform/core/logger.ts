// The pino root logger. In-process destinations only (pino transports run in worker threads, which do not
// work inside `bun build --compile` binaries). Every line passes through the secret mask before it is written.
import pino, { type Logger, type DestinationStream } from "pino";
import type PinoPretty from "pino-pretty";
import { Writable } from "node:stream";
import { SECRET_KEY_PATTERN, REDACTED, type SecretRegistry } from "./redaction";

export type { Logger } from "pino";
export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
export type LogFormat = "json" | "pretty";
export type PrettyPrinter = typeof PinoPretty;

/**
 * pino-pretty, loaded only for a logger that prints for a person: a service logs JSON, and the printer's thirty
 * modules held 3.5 MiB of an idle compiled binary's memory (issue 69's idle row).
 */
export async function loadPrettyPrinter(): Promise<PrettyPrinter> {
  return (await import("pino-pretty")).default;
}

export interface LoggerOptions {
  level: LogLevel;
  format: LogFormat;
  secrets: SecretRegistry;
  /** Where lines go; defaults to stdout. Tests pass a collector. */
  write?: (line: string) => void;
  /** With format "pretty": the printer (loadPrettyPrinter()). */
  pretty?: PrettyPrinter;
}

export function createLogger(options: LoggerOptions): Logger {
  const write = options.write ?? ((line: string) => void process.stdout.write(line));
  const masked: DestinationStream = { write: (line: string) => write(options.secrets.mask(line)) };
  if (options.format === "pretty" && !options.pretty) throw new Error("createLogger: the pretty format needs its printer (await loadPrettyPrinter())");
  const destination = options.format === "pretty" && options.pretty ? prettyStream(options.pretty, masked) : masked;
  return pino(
    {
      level: options.level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        // Secret-named fields are masked by key as well, for values that were never registered.
        logMethod(args, method) {
          const [first] = args;
          if (first && typeof first === "object" && !(first instanceof Error)) {
            args[0] = maskSecretKeys(first as Record<string, unknown>) as never;
          }
          method.apply(this, args as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}

function prettyStream(pretty: PrettyPrinter, out: DestinationStream): DestinationStream {
  const sink = new Writable({
    write(chunk, _enc, done) {
      out.write(String(chunk));
      done();
    },
  });
  return pretty({ destination: sink, sync: true, colorize: process.stdout.isTTY === true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname" });
}

export function maskSecretKeys(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => maskSecretKeys(v, depth + 1));
  if (value instanceof Error || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEY_PATTERN.test(k) && (typeof v === "string" || typeof v === "number") ? REDACTED : maskSecretKeys(v, depth + 1);
  }
  return out;
}

/** A logger that drops everything; for tests and tools that have nothing to say. */
export function createSilentLogger(): Logger {
  return pino({ level: "silent" });
}
