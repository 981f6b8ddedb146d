// A tenant watched with a machine-to-machine OAuth client instead of an API key: Steward fetches an access token,
// reuses it while it is valid, renews it before it runs out (no 401 on the way), and a wrong secret is one error.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { TaskEvent } from "../../../src/events/types";
import { CLOUD_OAUTH_CLIENT_ID, type Simulator } from "../../../src/sim";
import { createTestApp } from "../../helpers/app";
import { createTempDir } from "../../helpers/temp-dir";
import { waitFor } from "../../helpers/wait-for";
import { cloudYaml, patchCloud, runCloudReload, startCloudSim } from "./helpers";

const dir = createTempDir();
let sim: Simulator;

beforeAll(async () => {
  sim = await startCloudSim(join(dir.path, "certs"));
});
afterAll(async () => {
  await sim?.stop();
  dir.remove();
});

const oauthYaml = (secret: string, name: string) =>
  cloudYaml(sim, { name })
    .replace(/ {6}apiKey: .*\n/, "")
    .replace("      caFile:", `      oauth: { clientId: ${CLOUD_OAUTH_CLIENT_ID}, clientSecret: "${secret}" }\n      caFile:`);

test("an OAuth client's token is fetched, reused and renewed before it expires; reloads come through", async () => {
  await patchCloud(sim, { oauthTokenSeconds: 2 });
  const t = createTestApp(oauthYaml(sim.cloud!.apiKey, "oauth"), { dir: join(dir.path, "oauth") });
  const events: TaskEvent[] = [];
  t.app.bus.on("task.failed", (e) => void events.push(e as TaskEvent));
  await t.app.start();
  try {
    const failed = await runCloudReload(sim, sim.site.apps[0]!.id, "fail", "failed under OAuth");
    await waitFor(() => events.some((e) => e.executionId === failed.id), { timeoutMs: 15_000 });
    const polls = () => sim.requests.list({ source: "cloud", pathContains: "/api/v1/reloads" }).length;
    const from = polls();
    // Past a token's lifetime: it was renewed on the way.
    await waitFor(() => sim.cloud!.tenant.oauthTokensIssued >= 2 && polls() >= from + 10, { timeoutMs: 15_000, what: "a renewed token" });
    expect(sim.cloud!.tenant.oauthTokensIssued).toBeLessThan(polls() / 5);
    expect(sim.requests.list({ source: "cloud" }).filter((r) => r.status === 401)).toHaveLength(0);
  } finally {
    await t.close();
  }
});

test("a wrong client secret is one clear error on /ready", async () => {
  const t = createTestApp(oauthYaml("not-the-secret", "badclient"), { dir: join(dir.path, "badclient") });
  await t.app.start();
  try {
    const detail = await waitFor(async () => {
      const r = (await (await t.request("/ready")).json()) as { components: Record<string, { ok: boolean; detail?: string }> };
      return r.components["qlikCloud:badclient"]?.detail?.includes("refused the OAuth client") ? r.components["qlikCloud:badclient"] : undefined;
    });
    expect(detail.ok).toBe(false);
  } finally {
    await t.close();
  }
});
