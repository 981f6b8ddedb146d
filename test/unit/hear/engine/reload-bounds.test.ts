// Issue 75, E4: a flood of forged Engine failure lines, each long, cannot grow the store without bound. Each reload
// keeps a few KiB of lines (each line cut, with a marker), and the table as a whole stays within
// engineReloads.maxStoreBytes, its oldest reloads deleted, on both store back ends.
import { afterAll, describe, expect, test } from "bun:test";
import { engineReloadsSchema } from "../../../../src/hear/engine/config";
import { createEngineReloads } from "../../../../src/hear/engine/engine-reloads";
import { parseEngineReload } from "../../../../src/hear/engine/engine-parser";
import { ROW_BYTES } from "../../../../src/hear/engine/reload-store-budget";
import { engineReloadMigrations } from "../../../../src/hear/engine/reload-store";
import { CUT_MARKER, MAX_LINE_CHARS, MAX_LINES_CHARS_PER_RELOAD } from "../../../../src/hear/engine/reload-tracker";
import { createEventBus } from "../../../../src/platform/core/bus";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { createMetricsRegistry } from "../../../../src/platform/core/metrics";
import type { DomainEvents } from "../../../../src/platform/events/types";
import { bothBackends } from "../../../helpers/sql-backends";

const T0 = Date.parse("2026-11-24T10:00:00Z");
const APP = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11";
const MiB = 1024 * 1024;
const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, "").replace("Z", "+0000");
/** A forged failure line of session `s`: 2 KB of text that differs per line, so none is dropped as a repeat. */
function forged(s: number, i: number, atMs: number) {
  const text = `Error: ${i} ${"x".repeat(2_000)}`;
  const r = parseEngineReload(
    `/engine-reload/;SENSE2;${APP};s${s};CORP;mallory;${stamp(atMs)};WARN;0;AuditActivity.Engine;Command=Reload;Result=1;ResultText=${text}`,
    16_384,
  );
  if (!r.ok) throw new Error(r.detail);
  return { kind: "engine-reload" as const, line: r.line, truncated: false };
}

const backends = bothBackends();
afterAll(async () => {
  for (const b of backends) await b.shutdown();
});

for (const backend of backends) {
  describe(backend.name, () => {
    test("a flood of forged long lines: each reload keeps at most 4 KiB of cut lines, the table stays within maxStoreBytes", { timeout: 120_000 }, async () => {
      const db = await backend.open([engineReloadMigrations]);
      const clock = createManualClock(T0);
      const cfg = engineReloadsSchema().parse({ maxRunsPerMinute: 100_000, burst: 100_000, maxStoreBytes: MiB });
      const svc = createEngineReloads(cfg, {
        db,
        bus: createEventBus<DomainEvents>(createSilentLogger()),
        clock,
        log: createSilentLogger(),
        metrics: createMetricsRegistry(),
        instanceId: "alpha",
      });
      await svc.component.start();
      // 600 reloads of 12 lines of 2 KB each: 14 MB of text, 40 KB a reload as it was kept before.
      for (let wave = 0; wave < 6; wave++) {
        for (let s = wave * 100; s < (wave + 1) * 100; s++) for (let i = 0; i < 12; i++) svc.hear(forged(s, i, clock.now()), "127.0.0.3");
        await clock.advance(5_000);
        await svc.settled();
      }
      const rows = await db.all<{ lines: string }>("SELECT lines FROM engine_reloads");
      const kept = rows.map((r) => JSON.parse(r.lines) as string[]);
      expect(kept.length).toBeGreaterThan(0);
      expect(Math.max(...kept.map((l) => l.reduce((n, x) => n + x.length, 0)))).toBeLessThanOrEqual(MAX_LINES_CHARS_PER_RELOAD);
      expect(Math.max(...kept.flat().map((l) => l.length))).toBeLessThanOrEqual(MAX_LINE_CHARS);
      expect(kept[0]![0]!.endsWith(CUT_MARKER)).toBe(true);
      const bytes = Number((await db.get<{ b: number | string }>(`SELECT SUM(${ROW_BYTES}) AS b FROM engine_reloads`))?.b);
      expect(bytes).toBeLessThanOrEqual(MiB);
      // The newest reloads are the ones kept.
      const newest = await db.get<{ n: number | string }>("SELECT COUNT(*) AS n FROM engine_reloads WHERE session_id = 's599'");
      expect(Number(newest?.n)).toBe(1);
      await svc.component.stop(1_000);
    });
  });
}
