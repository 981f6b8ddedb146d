// The dashboard's Resolve buttons in Chromium (issue 79): signed in with an admin key, Resolve beside an incident's
// Acknowledge asks first (cancelled: nothing happens), then closes it as resolved by the key from the dashboard; a
// cause's Resolve closes the cause with every incident it holds. Before, the dashboard had no way to close either.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";
import type { IncidentView } from "../../../../src/tell/incidents/routes";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { waitFor } from "../../../helpers/wait-for";
import { emitFailure, failedRun } from "../../../helpers/failed-runs";
import { startHttpReceiver, type HttpReceiver } from "../../tell/notify/receivers";
import { launchChromium, type TestBrowser } from "./chromium";

const KEY = generateApiKey();
let t: TestApp;
let rx: HttpReceiver;
let browser: TestBrowser | undefined;

beforeAll(async () => {
  rx = startHttpReceiver();
  t = createTestApp(`security:
  apiKeys: [{ name: night-shift, hash: "${hashApiKey(KEY)}", scopes: [admin] }]
channels:
  hook: { type: webhook, url: "${rx.url}/hook" }
routes:
  - { on: [task.failed, task.recovered], to: [hook] }
`);
  await t.app.start();
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await t?.close();
  await rx?.stop();
});

const rest = async <T>(path: string): Promise<T> => (await (await t.request(path, { headers: { "x-api-key": KEY } })).json()) as T;

test("Resolve asks first, then closes the incident, and a cause's Resolve closes it with its incidents", { timeout: 60_000 }, async () => {
  await emitFailure(t, failedRun(9));
  for (const n of [1, 2]) await emitFailure(t, failedRun(n, { source: "DWH" }));
  const cause = await waitFor(
    async () => (await rest<{ causes: Array<{ id: number; stillFailing: number }> }>("/v4/causes?status=open")).causes.find((c) => c.stillFailing === 2),
    { what: "the DWH cause" },
  );
  const lone = (await rest<{ incidents: IncidentView[] }>("/v4/incidents?status=open")).incidents.find((i) => i.title === "Load 9")!;

  const page = browser!.page;
  const base = t.app.server!.url().replace(/\/$/, "");
  await page.goto(`${base}/ui/login?next=/ui/incidents`);
  await page.fill("#api-key", KEY);
  await page.click("#login button[type=submit]");
  const button = `tr[data-incident="${lone.id}"] button[data-action="resolve-incident"]`;
  await page.waitForSelector(button);

  const asked: string[] = [];
  page.once("dialog", (d) => {
    asked.push(d.message());
    void d.dismiss();
  });
  await page.click(button);
  await waitFor(() => asked[0], { what: "the question" });
  expect(asked[0]).toContain("Resolve the incident of Load 9 now");
  await Bun.sleep(200);
  expect((await rest<IncidentView>(`/v4/incidents/${lone.id}`)).status).toBe("open");

  page.once("dialog", (d) => void d.accept("fixed the file share"));
  await page.click(button);
  // The page reloads its tables: the incident is now among the closed ones, saying who resolved it.
  await page.waitForSelector(`tr[data-incident="${lone.id}"] >> text=resolved by night-shift (dashboard): fixed the file share`);
  expect(await page.locator(`tr[data-incident="${lone.id}"] button[data-action="resolve-incident"]`).count()).toBe(0);
  expect((await rest<IncidentView>(`/v4/incidents/${lone.id}`)).closedSummary).toBe("resolved by night-shift (dashboard): fixed the file share");

  page.once("dialog", (d) => void d.accept(""));
  await page.click(`button[data-action="resolve-cause"][data-id="${cause.id}"]`);
  await waitFor(async () => ((await rest<{ status: string }>(`/v4/causes/${cause.id}`)).status === "closed" ? true : undefined), { what: "the cause closed" });
  expect((await rest<{ incidents: IncidentView[] }>("/v4/incidents?status=open")).incidents).toEqual([]);
  await page.waitForSelector(`button[data-action="resolve-cause"][data-id="${cause.id}"]`, { state: "detached" });
});
