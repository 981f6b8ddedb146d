// The program version: injected at build time (`define`), else read from package.json in development.
import pkg from "../../../package.json" with { type: "json" };

declare const STEWARD_VERSION: string | undefined;

export const VERSION: string = typeof STEWARD_VERSION === "string" ? STEWARD_VERSION : pkg.version;
