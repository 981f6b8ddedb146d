// Issue 68, item 9: help search finds a name with underscores (STEWARD_SIGN_PFX), its snippets start and end on whole
// words, and a browser's /favicon.ico is answered (204), not a 404. Through app.request() on the embedded docs.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createDocsLibrary, snippetAround } from "../../../../src/show/help/docs-library";
import { createTestApp, type TestApp } from "../../../helpers/app";

let t: TestApp;
beforeAll(() => {
  t = createTestApp("http:\n  port: 0\n");
});
afterAll(() => t.close());

test("STEWARD_SIGN_PFX is found, with its underscores in the snippet", async () => {
  const r = (await (await t.request("/help/search?q=STEWARD_SIGN_PFX", { headers: { accept: "application/json" } })).text()) as string;
  expect(r).toContain("STEWARD_SIGN_PFX");
  expect(r).toContain("/help/development");
  const lib = createDocsLibrary({ p: "# Env\n\nSet `STEWARD_SIGN_PFX` and *only* that; __bold__ and snake_case_key stay.\n" });
  expect(lib.page("p")!.text).toContain("Set STEWARD_SIGN_PFX and only that; bold and snake_case_key stay.");
  expect(lib.search("steward_sign_pfx").map((h) => h.slug)).toEqual(["p"]);
});

test("a snippet starts and ends on whole words", () => {
  const text = `${"alpha beta gamma ".repeat(10)}the needle here${" delta epsilon zeta".repeat(20)}`;
  const s = snippetAround(text, text.indexOf("needle"));
  expect(s).toStartWith("… ");
  expect(s).toEndWith(" …");
  const words = s.slice(2, -2).split(" ");
  for (const w of words) expect(["alpha", "beta", "gamma", "the", "needle", "here", "delta", "epsilon", "zeta"]).toContain(w);
  expect(snippetAround("short text with needle", 16)).toBe("short text with needle");
});

test("/favicon.ico is answered without an icon (204), cached, needing no key", async () => {
  const r = await t.request("/favicon.ico");
  expect(r.status).toBe(204);
  expect(r.headers.get("cache-control")).toBe("public, max-age=86400");
});
