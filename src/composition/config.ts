// Steward's config: the platform's loader bound to the schema the composition root assembles from each feature's
// section (config-schema.ts). Everything that reads a whole config file reads it through this reader.
import { type CollectedConfig as CollectedOf, createConfigReader, type LoadedConfig as LoadedOf } from "../platform/config/load";
import { defaultedSection } from "../platform/config/defaulted-section";
import { type Config, configSchema, type PlaceSection } from "./config-schema";
import SECTION_DEFAULTS from "./config-defaults.json" with { type: "json" };

export type { Config, ConfigInput } from "./config-schema";
export { ConfigSchema, configSchema } from "./config-schema";
export type { LoadOptions } from "../platform/config/load";
export type LoadedConfig = LoadedOf<Config>;
export type CollectedConfig = CollectedOf<Config>;

/** Where the defaults of the blocks a file leaves out are kept (scripts/gen-config-reference.ts writes it), from the repository's root. */
export const SECTION_DEFAULTS_FILE = "src/composition/config-defaults.json";

// A block the file leaves out takes its kept defaults without being built: a default config builds about 1,500
// fewer zod schemas at each start and reload (bench/history/issue-78.md, "Idle memory").
const deferred: PlaceSection = (key, build) =>
  defaultedSection(build as () => ReturnType<typeof build>, (SECTION_DEFAULTS as Record<string, unknown>)[key]) as unknown as ReturnType<typeof build>;

export const stewardConfigReader = createConfigReader(() => configSchema(deferred));
export const { loadConfigFile, loadConfigFileCollecting, parseConfigText, defaultConfig, configJsonSchema } = stewardConfigReader;
