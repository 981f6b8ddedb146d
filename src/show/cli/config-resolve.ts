// Which config a command runs on (--config, STEWARD_CONFIG, the usual places, else the built-in defaults), read
// without the app: a CLI command that only needs the config (its zone, its http address) does not load every wing.
import { defaultConfig, loadConfigFile, type LoadedConfig } from "./steward-config";
import { lookupConfig } from "./config-lookup";
import type { LogFlags } from "./logging";

export interface RunFlags extends LogFlags {
  config?: string;
}

export function resolveConfig(flags: RunFlags): LoadedConfig {
  const found = lookupConfig(flags.config);
  return found.file ? loadConfigFile(found.file) : defaultConfig();
}
