// Public surface of the simulated Qlik Cloud tenant (started by startSimulator with `cloudPort`): its REST API,
// its state and its control-API routes. The API key is written to `cloud-api-key.txt` in the certificate folder.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export { createCloudTenant, CLOUD_STATUSES, CLOUD_RELOAD_TYPES, type CloudTenant, type CloudReload, type CloudSettings, type CloudOutcome } from "./tenant";
export { createCloudServer, parseScimFilter, CLOUD_OAUTH_CLIENT_ID } from "./server";
export { addCloudControlRoutes } from "./control";

export const CLOUD_API_KEY_FILE = "cloud-api-key.txt";

/** The tenant's API key: the one in the certificate folder from an earlier run, or a new one written there. */
export function ensureCloudApiKey(certDir: string): { key: string; file: string } {
  const file = join(certDir, CLOUD_API_KEY_FILE);
  if (existsSync(file)) {
    const key = readFileSync(file, "utf8").trim();
    if (/^[A-Za-z0-9._-]{20,}$/.test(key)) return { key, file };
  }
  // Qlik Cloud API keys are JWTs; any opaque bearer token shows the same to a client.
  const key = `eyJhbGciOiJFUzM4NCJ9.${randomBytes(24).toString("base64url")}.${randomBytes(32).toString("base64url")}`;
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return { key, file };
}
