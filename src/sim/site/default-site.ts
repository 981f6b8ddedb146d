// The default site fixture, embedded as text so `steward sim` works from a compiled binary with no files on disk.
import defaultSiteText from "../../../config/sim-site.yaml" with { type: "text" };

export const DEFAULT_SITE_YAML: string = String(defaultSiteText);
