// Where `steward run` (and the commands that read the same config) find their config file when --config is not
// given: STEWARD_CONFIG, then the platform's place for a service's config, then the working folder; else the
// built-in defaults. The order a Windows service, a systemd unit and a container each expect.
import { existsSync } from "node:fs";
import { join } from "node:path";

export interface ConfigLookup {
  /** The file to read, or undefined for the built-in defaults. */
  file?: string;
  /** Where it came from, for the start log line. */
  via: "--config" | "STEWARD_CONFIG" | "platform" | "working folder" | "defaults";
}

/** The platform's config file: %ProgramData%\Steward\steward.yaml on Windows, /etc/steward/steward.yaml elsewhere. */
export function platformConfigPath(platform: NodeJS.Platform, env: Record<string, string | undefined>): string {
  if (platform === "win32") return `${env.ProgramData ?? env.PROGRAMDATA ?? "C:\\ProgramData"}\\Steward\\steward.yaml`;
  return "/etc/steward/steward.yaml";
}

export function lookupConfig(
  flag: string | undefined,
  o: { env?: Record<string, string | undefined>; platform?: NodeJS.Platform; cwd?: string; exists?: (path: string) => boolean } = {},
): ConfigLookup {
  const env = o.env ?? process.env;
  const exists = o.exists ?? existsSync;
  if (flag) return { file: flag, via: "--config" };
  // Named explicitly: used even if missing, so the error names the file instead of falling back silently.
  if (env.STEWARD_CONFIG) return { file: env.STEWARD_CONFIG, via: "STEWARD_CONFIG" };
  const platformFile = platformConfigPath(o.platform ?? process.platform, env);
  if (exists(platformFile)) return { file: platformFile, via: "platform" };
  const local = join(o.cwd ?? process.cwd(), "steward.yaml");
  if (exists(local)) return { file: local, via: "working folder" };
  return { via: "defaults" };
}
