// /help through app.request(): the docs served from the binary, search, a missing page, and bad input.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../../../helpers/app";

let t: TestApp;
beforeAll(() => {
  t = createTestApp("http:\n  port: 0\n");
});
afterAll(() => t.close());

describe("/help", () => {
  test("the index lists the pages and needs no API key", async () => {
    const r = await t.request("/help");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-security-policy")).toContain("default-src 'none'");
    const body = await r.text();
    expect(body).toContain('href="/help/watchdog"');
    expect(body).toContain("Steward help");
  });

  test("a page is rendered, its links point into /help", async () => {
    const r = await t.request("/help/watchdog");
    expect(r.status).toBe(200);
    const body = await r.text();
    expect(body).toMatch(/<h1 id="[^"]+">/);
    expect(body).toContain('aria-current="page"');
    expect(body).not.toMatch(/href="[\w-]+\.md/);
  });

  test("every link and image of every page lands on something /help serves", async () => {
    const index = await (await t.request("/help")).text();
    const slugs = ["/help", ...new Set([...index.matchAll(/<a href="(\/help\/[\w-]+)"/g)].map((m) => m[1]!))];
    expect(slugs.length).toBeGreaterThan(40);
    const from = new Map<string, string>();
    for (const page of slugs) {
      const body = await (await t.request(page)).text();
      for (const m of body.matchAll(/(?:href|src)="([^"#]+)(?:#[^"]*)?"/g)) {
        const url = new URL(m[1]!.replace(/&#38;/g, "&"), `http://steward.test${page}`);
        if (url.host === "steward.test" && !from.has(url.pathname)) from.set(url.pathname, page);
      }
    }
    const broken: string[] = [];
    for (const [path, page] of from) if ((await t.request(path)).status !== 200) broken.push(`${page} → ${path}`);
    expect(broken).toEqual([]);
  });

  test("a file of the repository that /help cannot serve is named by its path, not linked", async () => {
    const demo = await (await t.request("/help/demo")).text();
    expect(demo).toContain("<code>config/demo.yaml</code>");
    expect(demo).not.toContain('href="../config/demo.yaml"');
    const examples = await (await t.request("/help/incident-examples")).text();
    expect(examples).toContain("<code>docs/examples/task-failed-3rd.html</code>");
    expect(await (await t.request("/help")).text()).toContain("Benchmarks (<code>bench/README.md</code>)");
  });

  test("search answers with links to pages", async () => {
    const r = await t.request("/help/search?q=certificates");
    expect(r.status).toBe(200);
    expect(await r.text()).toMatch(/class="hit"><a href="\/help\/[\w-]+/);
  });

  test("an unknown page is a 404 page, a bad name or a huge query a 400 naming the field", async () => {
    expect((await t.request("/help/no-such-page")).status).toBe(404);
    const bad = await t.request(`/help/search?q=${"a".repeat(500)}`);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain("q");
  });
});
