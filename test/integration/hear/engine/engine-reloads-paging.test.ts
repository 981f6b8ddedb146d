// Issue 75, E8: after a flood, GET /v4/engine-reloads?limit=500 answered 20 MB. Now an answer holds about 1 MiB at
// most, its long lines cut, and its `next` cursor pages through every reload once; /ui/reloads shows one such page
// with a link to the next. On SQLite and on PostgreSQL (the cursor's query compares end times and keys in the
// store), including reloads that end in the same millisecond.
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import type { EngineReloadStore } from "../../../../src/hear/engine/reload-store";
import type { FinishedReload } from "../../../../src/hear/engine/reload-tracker";
import { ANSWER_BUDGET_BYTES } from "../../../../src/platform/http/answer-budget";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { type PostgresService, startPostgres } from "../../../helpers/services";

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});
let pg: PostgresService | undefined;
afterAll(async () => {
  await pg?.stop();
});

/** The store's part of the config: SQLite in the test's folder, or a fresh database on the file's PostgreSQL. */
async function storeYaml(backend: "sqlite" | "postgres"): Promise<string> {
  if (backend === "sqlite") return "";
  pg ??= await startPostgres();
  return `store:\n  postgres: { url: ${JSON.stringify(await pg.createDatabase("engine_reloads_paging"))} }\n`;
}

const APP = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11";

/** A reload as the store held them before lines were bounded: 20 lines of 2,000 characters. */
function flooded(n: number, endMs: number): FinishedReload {
  return {
    key: `forged|${APP}|s${n}|${endMs}`,
    node: "FORGED",
    appId: APP,
    sessionId: `s${n}`,
    user: "CORP\\mallory",
    proxySessionId: "0",
    endMs,
    outcome: "failed",
    lines: Array.from({ length: 20 }, (_, i) => `Error ${n}.${i} ${"x".repeat(2_000)}`),
    loggers: [],
  };
}

/** The store's own list, one reload a page, through `n` reloads: every pair ending in one millisecond is split. */
async function pageOneByOne(store: EngineReloadStore, sinceMs: number, n: number): Promise<string[]> {
  const keys: string[] = [];
  let after: { endedMs: number; key: string } | undefined;
  for (let i = 0; i < n; i++) {
    const [r] = await store.list({ sinceMs, limit: 1, ...(after ? { after } : {}) });
    if (!r) break;
    keys.push(r.key);
    after = { endedMs: r.endedMs, key: r.key };
  }
  return keys;
}

for (const backend of ["sqlite", "postgres"] as const)
  describe(backend, () => {
    test("after a flood, /v4/engine-reloads?limit=500 answers within about 1 MiB and its cursor pages through every reload once", {
      timeout: 120_000,
    }, async () => {
      t = createTestApp(await storeYaml(backend));
      await t.app.start();
      const store = t.app.engineReloads!.store;
      const now = Date.now();
      // 600 reloads, each two ending in the same millisecond (the cursor must not skip or repeat either).
      for (let n = 0; n < 600; n++) {
        const run = flooded(n, now - 60_000 - Math.floor(n / 2) * 1_000);
        await store.claim(run, "alpha", now);
        await store.judged(run.key, { byScheduler: false, alerted: true, confirmed: false, reason: "forged" }, undefined);
      }
      const seen: string[] = [];
      let after: string | null = null;
      let pages = 0;
      do {
        const res = await t.request(`/v4/engine-reloads?limit=500&sinceHours=24${after ? `&after=${after}` : ""}`);
        expect(res.status).toBe(200);
        const text = await res.text();
        expect(Buffer.byteLength(text)).toBeLessThanOrEqual(ANSWER_BUDGET_BYTES + 1_024);
        const body = JSON.parse(text) as { reloads: Array<{ failingLines: string[]; endedAt: string }>; truncated: boolean; next: string | null };
        // Only the last page may be empty (the one before it ended exactly at the last reload).
        if (body.next) expect(body.reloads.length).toBeGreaterThan(0);
        expect(Math.max(...body.reloads.flatMap((r) => r.failingLines.map((l) => l.length)))).toBeLessThanOrEqual(500);
        for (const r of body.reloads) seen.push(r.failingLines[0]!.split(" ")[1]!.split(".")[0]!);
        after = body.next;
        pages++;
      } while (after && pages < 50);
      expect(pages).toBeGreaterThan(1);
      expect(seen.length).toBe(600);
      expect(new Set(seen).size).toBe(600);

      // One reload a page: each cursor leads to exactly the next reload of the whole list, also from the first of two
      // that ended in the same millisecond to the second.
      const keys = await pageOneByOne(store, now - 86_400_000, 40);
      expect(keys).toEqual((await store.list({ sinceMs: now - 86_400_000, limit: 40 })).map((r) => r.key));
      for (let i = 0; i < 40; i += 2) expect(keys[i]!.split("|").at(-1)).toBe(keys[i + 1]!.split("|").at(-1));
      expect(new Set(keys).size).toBe(40);

      const bad = await t.request("/v4/engine-reloads?after=nonsense");
      expect(bad.status).toBe(400);
      expect(await bad.text()).toContain("after");

      const page = await t.request("/ui/reloads");
      const html = await page.text();
      expect(Buffer.byteLength(html)).toBeLessThan(2 * ANSWER_BUDGET_BYTES);
      expect(html).toContain("/ui/reloads?after=");
    });
  });
