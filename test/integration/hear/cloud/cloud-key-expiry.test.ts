// A Qlik Cloud API key that is about to expire: Steward reads the key's id from the key (a JWT), asks the simulated
// tenant when it expires (GET /api/v1/api-keys/{id}), raises qlikcloud.key_expiring once (not again after a
// restart), shows the date on /v4/cloud/tenants and /ready, and raises nothing for a key far from its end.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { StewardApp } from "../../../../src/app";
import { apiKeyClaims } from "../../../../src/hear/cloud/key-expiry";
import type { SiteEvent } from "../../../../src/platform/events/types";
import { type Simulator, startSimulator } from "../../../../src/sim";
import { cloudConfigYaml, stewardFromFile } from "../../../helpers/cloud-config-file";
import { simControl } from "../../../helpers/sim-control";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { simCertDir } from "../../../helpers/sim-certs";

const dir = createTempDir();
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ certDir: simCertDir(join(dir.path, "sim-certs")), qrsPort: 0, enginePort: 0, controlPort: 0, cloudPort: 0, schedules: false });
});
afterAll(async () => {
  await sim?.stop();
  dir.remove();
});

const DAY = 86_400_000;

function stewardIn(folder: string): { app: StewardApp; expiring: SiteEvent[]; request(path: string): Promise<Response> } {
  const yaml = cloudConfigYaml(sim, { name: "corp", settings: { pollInterval: "150ms", keyExpiryWarning: "14d" } });
  const { app, request } = stewardFromFile(folder, yaml);
  const expiring: SiteEvent[] = [];
  app.bus.on("qlikcloud.key_expiring", (e) => void expiring.push(e as SiteEvent));
  return { app, expiring, request: (path) => request(path) };
}

const tenantState = async (s: ReturnType<typeof stewardIn>) =>
  ((await (await s.request("/v4/cloud/tenants")).json()) as { tenants: Array<{ keyExpiresAt?: string; lastPollAt?: string }> }).tenants[0]!;

test("the simulated tenant's key is shaped like Qlik Cloud's: a JWT naming its key id", () => {
  expect(apiKeyClaims(sim.cloud!.apiKey).id).toMatch(/^[0-9a-f]{24}$/);
});

test("a key that expires in 9 days: one warning, shown on the tenant's state and /ready, not repeated after a restart", async () => {
  const expiry = new Date(Date.now() + 9 * DAY + 3_600_000).toISOString();
  await simControl(sim, "PATCH", "/cloud/settings", { apiKeyExpiry: expiry });
  const folder = join(dir.path, "soon");
  let s = stewardIn(folder);
  await s.app.start();
  try {
    await waitFor(() => s.expiring.length > 0, { what: "qlikcloud.key_expiring" });
    const e = s.expiring[0]!;
    expect(e.title).toBe("Qlik Cloud API key of corp expires in 9 days");
    expect(e.data).toMatchObject({ tenant: "corp", expiresAt: expiry, daysLeft: 9 });
    expect(e.summary).toContain("Make a new key in the tenant");
    expect((await tenantState(s)).keyExpiresAt).toBe(expiry);
    const ready = (await (await s.request("/ready")).json()) as { components: Record<string, { detail?: string }> };
    expect(ready.components["qlik-cloud:corp"]!.detail).toMatch(
      new RegExp(`^last poll \\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z \\(\\d+ s ago\\); API key expires ${expiry.slice(0, 10)}$`),
    );
    // /ready keeps the instant for machines; the overview's health table says it on the site's clock.
    const row = /<tr data-component="qlik-cloud:corp">[\s\S]*?<\/tr>/.exec(await (await s.request("/ui")).text())![0];
    expect(row).toMatch(/last poll \d{4}-\d{2}-\d{2} \d{2}:\d{2} \S+ \(\d+ s ago\)/);
    expect(row).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}/);
  } finally {
    await s.app.stop();
  }
  // The same key and expiry after a restart: polled again, and no second warning.
  s = stewardIn(folder);
  await s.app.start();
  try {
    await waitFor(async () => (await tenantState(s)).keyExpiresAt === expiry, { what: "the expiry read again after the restart" });
    const polled = (await tenantState(s)).lastPollAt;
    await waitFor(async () => (await tenantState(s)).lastPollAt !== polled, { what: "one more poll" });
    expect(s.expiring).toEqual([]);
  } finally {
    await s.app.stop();
  }
});

test("a key with 60 days left raises nothing, and its date is shown", async () => {
  const expiry = new Date(Date.now() + 60 * DAY).toISOString();
  await simControl(sim, "PATCH", "/cloud/settings", { apiKeyExpiry: expiry });
  const s = stewardIn(join(dir.path, "later"));
  await s.app.start();
  try {
    await waitFor(async () => (await tenantState(s)).keyExpiresAt === expiry, { what: "the expiry on the tenant's state" });
    expect(s.expiring).toEqual([]);
  } finally {
    await s.app.stop();
  }
});
