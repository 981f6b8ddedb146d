// The Qlik Sense extension as a Qlik sheet would run it, in Chromium: the zip `npm run build` writes is unpacked, its
// .qext read, and its .js loaded by a host page (on its own origin, as the Qlik hub is) that defines the AMD module
// with a "qlik" whose current app is Sales, and paints it. The extension calls Steward's status endpoint across
// origins (CORS) with a status-only key and shows the app's state; when the state changes, a new paint shows it.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildExtensionZip } from "../../../../scripts/build-extension";
import { createManualClock } from "../../../../src/platform/core/clock";
import { sha256Hex } from "../../../../src/platform/security/api-keys";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { createTempDir } from "../../../helpers/temp-dir";
import { launchChromium, type TestBrowser } from "../dashboard/chromium";

const SALES = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11";
const KEY = "status-key-for-the-extension-0002";
const at = (s: string) => Date.parse(s);
const dir = createTempDir();
const clock = createManualClock(at("2026-11-23T05:00:00Z"));
let t: TestApp;
let host: ReturnType<typeof Bun.serve>;
let browser: TestBrowser;
let extDir: string;

function hostPage(stewardUrl: string): string {
  // What the Qlik client does for a visualization extension, reduced: an AMD define, a "qlik" module, paint($element, layout).
  return `<!doctype html><html><head><meta charset="utf-8"><title>Sheet</title><script>
var modules = { qlik: { currApp: function () { return { id: ${JSON.stringify(SALES)} }; }, Promise: Promise } };
window.define = function (deps, factory) { window.ext = factory.apply(null, deps.map(function (d) { return modules[d]; })); };
</script><script src="/extensions/steward-freshness/steward-freshness.js"></script></head>
<body><div id="object"></div><script>
window.painted = window.ext.paint([document.getElementById("object")], { props: { stewardUrl: ${JSON.stringify(stewardUrl)}, apiKey: ${JSON.stringify(KEY)} } });
</script></body></html>`;
}

beforeAll(async () => {
  const zip = buildExtensionZip(join(dir.path, "dist"));
  extDir = join(dir.path, "unpacked");
  const unzip = Bun.spawnSync(["unzip", "-q", zip, "-d", extDir]);
  expect(unzip.exitCode).toBe(0);
  let stewardUrl = "";
  host = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      const path = new URL(req.url).pathname;
      if (path === "/sheet") return new Response(hostPage(stewardUrl), { headers: { "Content-Type": "text/html; charset=utf-8" } });
      if (path === "/extensions/steward-freshness/steward-freshness.js")
        return new Response(readFileSync(join(extDir, "steward-freshness.js")), { headers: { "Content-Type": "application/javascript" } });
      return new Response("not found", { status: 404 });
    },
  });
  const origin = `http://127.0.0.1:${host.port}`;
  t = createTestApp(
    `http:\n  port: 0\n  host: 127.0.0.1\nnotify:\n  timeZone: UTC\ncontrol:\n  cors: { enabled: true, allowOrigins: ["${origin}"] }\nsecurity:\n  apiKeys:\n    - { name: sales-extension, hash: "sha256:${sha256Hex(KEY)}", scopes: [status] }\nfreshness:\n  interval: 1h\n  promises:\n    sales-morning:\n      appIds: [${SALES}]\n      freshBy: "07:00"\n      warnAt: "06:30"\n`,
    { clock, dir: join(dir.path, "steward") },
  );
  await t.app.start();
  stewardUrl = t.app.server!.url().replace(/\/$/, "");
  browser = await launchChromium({ timezoneId: "UTC" });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
  host?.stop(true);
  dir.remove();
});

test("the zip holds a visualization extension: its .qext and its .js", () => {
  const qext = JSON.parse(readFileSync(join(extDir, "steward-freshness.qext"), "utf8")) as { type: string; name: string };
  expect(qext).toMatchObject({ type: "visualization", name: "Steward freshness" });
});

test("painted in a sheet, it shows the app's state from the status endpoint, and the new state after it changed", async () => {
  await t.app.freshness!.store.recordReload({
    appId: SALES,
    appName: "Sales",
    stream: "Sales",
    tags: [],
    ok: true,
    atMs: at("2026-11-22T06:10:00Z"),
    task: "Reload Sales",
  });
  await t.app.freshness!.service.judgeNow();
  const page = browser.page;
  const origin = `http://127.0.0.1:${host.port}`;
  await page.goto(`${origin}/sheet`);
  await page.waitForSelector(".steward-freshness [data-state]");
  expect(await page.getAttribute(".steward-freshness [data-state]", "data-state")).toBe("fresh");
  expect(await page.textContent(".steward-freshness")).toContain("data as of");

  await clock.set(at("2026-11-23T06:30:00Z"));
  await t.app.freshness!.service.judgeNow();
  await page.reload();
  await page.waitForSelector(".steward-freshness [data-state]");
  expect(await page.getAttribute(".steward-freshness [data-state]", "data-state")).toBe("at_risk");
  // The state in Steward's words, and its sentence with the site's zone (UTC here; the browser is in UTC too).
  expect(await page.textContent(".steward-freshness [data-state]")).toBe("at risk");
  expect(await page.textContent(".steward-freshness")).toContain("promised by 07:00 UTC");
  // The extension called the status endpoint only.
  const calls = (await page.evaluate(() => performance.getEntriesByType("resource").map((e) => e.name))) as string[];
  expect(calls.filter((u) => !u.startsWith(origin))).toEqual([`${t.app.server!.url().replace(/\/$/, "")}/v4/status/apps/${SALES}`]);
}, 60_000);
