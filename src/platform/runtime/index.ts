// Picks the runtime implementation once, at start. Nothing outside src/platform/runtime names Bun or Deno: the rest
// of Steward asks `runtime` (test/unit/platform/runtime/boundary.test.ts keeps it that way).
import type { Runtime } from "./types";

export type {
  ClientTls,
  RequestContext,
  Runtime,
  RuntimeName,
  ServeOptions,
  ServedHttp,
  ServerSocket,
  SpawnResult,
  Win32EventSource,
  Win32ServiceApi,
} from "./types";

const onDeno = typeof (globalThis as { Deno?: unknown }).Deno === "object";

// Only the running runtime's module is evaluated, so nothing Bun-only is loaded under Deno (and vice versa).
export const runtime: Runtime = onDeno ? (await import("./deno/index")).denoRuntime : (await import("./bun/index")).bunRuntime;

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The whole of standard input as text (`steward apikey … --stdin`). */
export async function readStdinText(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}
