// Steward's config: the platform's loader bound to the schema the composition root assembles from each feature's
// section (config-schema.ts). Everything that reads a whole config file reads it through this reader.
import { type CollectedConfig as CollectedOf, createConfigReader, type LoadedConfig as LoadedOf } from "../platform/config/load";
import { type Config, configSchema } from "./config-schema";

export type { Config, ConfigInput } from "./config-schema";
export { ConfigSchema, configSchema } from "./config-schema";
export type { LoadOptions } from "../platform/config/load";
export type LoadedConfig = LoadedOf<Config>;
export type CollectedConfig = CollectedOf<Config>;

export const stewardConfigReader = createConfigReader(configSchema);
export const { loadConfigFile, loadConfigFileCollecting, parseConfigText, defaultConfig, configJsonSchema } = stewardConfigReader;
