// Attacks that need a real browser (Chromium): a low-scope key plants markup in the key-value store and lures
// an admin to a crafted sign-in link (stored XSS stealing the admin key), and a page of another site posts to
// the open loopback API (CSRF). Both must fail.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Server } from "bun";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { launchChromium, type TestBrowser } from "../../show/dashboard/chromium";

const TIMEOUT = 60_000;
const adminKey = generateApiKey();
const etlKey = generateApiKey();
let browser: TestBrowser;
const apps: TestApp[] = [];
let evilSite: Server<undefined> | undefined;

beforeAll(async () => {
  browser = await launchChromium();
}, TIMEOUT);
afterAll(async () => {
  await browser?.close();
  await evilSite?.stop(true);
  for (const t of apps) await t.close();
});

async function started(yaml: string): Promise<{ t: TestApp; base: string }> {
  const t = createTestApp(yaml);
  apps.push(t);
  await t.app.start();
  return { t, base: t.app.server!.url() };
}

test(
  "a kv.write key cannot steal the admin key through markup in a stored value and a crafted sign-in link",
  async () => {
    const { base } = await started(
      [
        "security:",
        "  apiKeys:",
        `    - { name: ops-admin, hash: "${hashApiKey(adminKey)}", scopes: [admin] }`,
        `    - { name: etl, hash: "${hashApiKey(etlKey)}", scopes: [kv.write] }`,
      ].join("\n"),
    );
    const payload = "<main><h1 id=planted>planted</h1><img src=x onerror=document.title=`STOLEN:`+sessionStorage.getItem(`steward.apiKey`)></main>";
    const put = await fetch(`${base}/v4/keyvalues/ns`, {
      method: "POST",
      headers: { "x-api-key": etlKey, "content-type": "application/json" },
      body: JSON.stringify({ key: "k", value: payload }),
    });
    expect(put.status).toBe(201);

    const page = browser.page;
    for (const next of ["/ui/../v4/keyvalues/ns?key=k", "/ui/%2e%2e/v4/keyvalues/ns?key=k", "/ui\\..\\v4/keyvalues/ns?key=k"]) {
      await page.goto(`${base}/ui/login?next=${encodeURIComponent(next)}`);
      expect(await page.getAttribute("#login", "data-next")).toBe("/ui");
      await page.fill("#api-key", adminKey);
      await page.click("#login button[type=submit]");
      await page.waitForSelector("main[data-page=overview]");
      expect(await page.title()).toBe("Overview · Steward");
      await page.evaluate(() => sessionStorage.clear());
    }

    // The page script itself follows only dashboard pages (here: history lands on an API URL).
    await page.goto(`${base}/ui/login`);
    await page.fill("#api-key", adminKey);
    await page.click("#login button[type=submit]");
    await page.waitForSelector("main[data-page=overview]");
    await page.evaluate(() => {
      history.pushState(null, "", "/v4/keyvalues/ns?key=k");
      history.pushState(null, "", "/ui");
      history.back();
    });
    await page.waitForSelector("#toast.error");
    expect(await page.textContent("#toast")).toContain("not a dashboard page");
    expect(await page.$("#planted")).toBeNull();
    await page.evaluate(() => sessionStorage.clear());

    // Even if such markup reached a dashboard page, the page's policy lets only its own script run.
    await page.goto(`${base}/ui/login`);
    const csp = (await page.request.get(`${base}/ui/login`)).headers()["content-security-policy"] ?? "";
    expect(csp).toContain("script-src 'sha256-");
    expect(csp).toContain("frame-ancestors 'none'");
    await page.evaluate(() => {
      sessionStorage.setItem("steward.apiKey", "secret-in-tab");
      document.body.insertAdjacentHTML("beforeend", "<img src=x onerror=\"document.title='STOLEN:'+sessionStorage.getItem('steward.apiKey')\">");
    });
    await Bun.sleep(300);
    expect(await page.title()).not.toContain("STOLEN");
  },
  TIMEOUT,
);

test(
  "a page of another site cannot write through the open loopback API (no-cors POST, text/plain)",
  async () => {
    const { t, base } = await started("");
    evilSite = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: () => new Response("<!doctype html><title>evil</title>", { headers: { "content-type": "text/html" } }),
    });
    const page = browser.page;
    // localhost vs 127.0.0.1: different sites to the browser, both loopback.
    await page.goto(`http://localhost:${evilSite.port}/`);
    const target = `${base}/v4/keyvalues/csrf`;
    const sent = await page.evaluate(async (url) => {
      await fetch(url, {
        method: "POST",
        mode: "no-cors",
        headers: { "content-type": "text/plain" },
        body: JSON.stringify({ key: "planted", value: "by evil" }),
      });
      return true;
    }, target);
    expect(sent).toBe(true);
    const namespaces = (await (await fetch(`${base}/v4/keyvaluesnamespaces`)).json()) as string[];
    expect(namespaces).not.toContain("csrf");
    const denial = (await t.app.audit.query({ action: "access.denied" }))[0]!;
    expect(denial.details).toMatchObject({ check: "origin", status: 403 });
    // The dashboard itself (same origin) still writes.
    await page.goto(`${base}/ui/login`);
    const status = await page.evaluate(
      async () =>
        (await fetch("/v4/keyvalues/own", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ key: "k", value: "v" }) }))
          .status,
    );
    expect(status).toBe(201);
  },
  TIMEOUT,
);
