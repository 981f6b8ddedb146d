// A Steward built from a config file on disk for the Qlik Cloud tests that reload or restart it (a rotated key, a key
// about to expire, a promise on an automation): the simulated tenant's entry under qlikCloud.tenants, the file written
// with loopback listeners on free ports, and the app's REST API called in process.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createApp, type StewardApp } from "../../src/app";
import { loadConfigFile } from "../../src/composition/config";
import type { Clock } from "../../src/platform/core/clock";
import { createSilentLogger } from "../../src/platform/core/logger";
import { inProcessEnv } from "../../src/platform/http/types";
import type { Simulator } from "../../src/sim";
import { seedStore } from "./store-template";

/**
 * A steward.yaml whose only tenant is the simulator's, named `name`, with `key` (the simulator's own by default) and
 * each of `settings` as a further key of the tenant (pollInterval, lookBack, automations…); `rest` follows it.
 */
export function cloudConfigYaml(sim: Simulator, o: { name: string; key?: string; settings?: Record<string, string>; rest?: string }): string {
  const settings = Object.entries(o.settings ?? {}).map(([k, v]) => `      ${k}: ${v}\n`);
  return `dataDir: ./data
http: { host: 127.0.0.1, port: 0 }
udp: { host: 127.0.0.1, port: 0 }
qlikCloud:
  tenants:
    - name: ${o.name}
      url: ${sim.urls.cloud}
      apiKey: ${o.key ?? sim.cloud!.apiKey}
      caFile: ${join(sim.certDir, "root.pem")}
${settings.join("")}${o.rest ?? ""}`;
}

export interface FileSteward {
  app: StewardApp;
  /** The config file: rewrite it and POST /v4/admin/reload to apply it. */
  file: string;
  request(path: string, init?: RequestInit): Promise<Response>;
}

/** Writes `yaml` to `<folder>/steward.yaml` (the folder made if missing) and builds the app from it, silent, on `clock`. */
export function stewardFromFile(folder: string, yaml: string, clock?: Clock): FileSteward {
  mkdirSync(folder, { recursive: true });
  const file = join(folder, "steward.yaml");
  writeFileSync(file, yaml);
  const loaded = loadConfigFile(file);
  seedStore(loaded.config.dataDir); // a migrated store copied in, when the folder has none (store-template.ts)
  const app = createApp(loaded, { log: createSilentLogger(), ...(clock ? { clock } : {}) });
  return { app, file, request: (path, init) => Promise.resolve(app.http.hono.request(path, init, inProcessEnv())) };
}
