// Issue 86, point 7: a sender spoofing a node's address replaced the whole Engine table (32 MiB) with its forged
// reloads in about 12 minutes, within maxRunsPerMinute: the table's history was churned away. What one sender address
// may add to the store is bounded in bytes an hour (engineReloads.maxStoreBytesPerSourcePerHour); past it its reloads
// are counted (verdict source_budget) and dropped, and the other reloads stay listed.
import { afterAll, describe, expect, test } from "bun:test";
import { engineReloadsSchema } from "../../../../src/hear/engine/config";
import { createEngineReloads } from "../../../../src/hear/engine/engine-reloads";
import { parseEngineReload } from "../../../../src/hear/engine/engine-parser";
import { ROW_BYTES } from "../../../../src/hear/engine/reload-store-budget";
import { engineReloadMigrations } from "../../../../src/hear/engine/reload-store";
import { createEventBus } from "../../../../src/platform/core/bus";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { createMetricsRegistry } from "../../../../src/platform/core/metrics";
import type { DomainEvents } from "../../../../src/platform/events/types";
import { bothBackends } from "../../../helpers/sql-backends";

const T0 = Date.parse("2026-11-24T10:00:00Z");
const APP = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11";
const KiB = 1024;
const MiB = 1024 * KiB;
const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, "").replace("Z", "+0000");
/** A failure line of session `s` on `node`, with about `chars` of text (a forged one is long). */
function failure(node: string, s: string, atMs: number, chars: number) {
  const r = parseEngineReload(
    `/engine-reload/;${node};${APP};${s};CORP;mallory;${stamp(atMs)};WARN;0;AuditActivity.Engine;Command=Reload;Result=1;ResultText=Error ${s} ${"x".repeat(chars)}`,
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
    test("an hour of a spoofer's reloads adds at most its hourly bytes; the table's other reloads stay", { timeout: 120_000 }, async () => {
      const db = await backend.open([engineReloadMigrations]);
      const clock = createManualClock(T0);
      const metrics = createMetricsRegistry();
      const cfg = engineReloadsSchema().parse({ maxRunsPerMinute: 100_000, burst: 100_000, maxStoreBytes: 2 * MiB, maxStoreBytesPerSourcePerHour: 256 * KiB });
      const svc = createEngineReloads(cfg, {
        db,
        bus: createEventBus<DomainEvents>(createSilentLogger()),
        clock,
        log: createSilentLogger(),
        metrics,
        instanceId: "alpha",
      });
      await svc.component.start();
      // The site's own reloads, from its node's address, before the flood.
      for (let s = 0; s < 40; s++) svc.hear(failure("SENSE1", `real${s}`, clock.now(), 200), "10.0.0.1");
      await clock.advance(5_000);
      await svc.settled();
      const bytes = async (where: string) =>
        Number((await db.get<{ b: number | string | null }>(`SELECT COALESCE(SUM(${ROW_BYTES}), 0) AS b FROM engine_reloads WHERE ${where}`))?.b ?? 0);
      const realBytes = await bytes("session_id LIKE 'real%'");
      expect(realBytes).toBeGreaterThan(0);
      // One hour of a flood spoofing another node's address: 100 long reloads every 5 minutes, about 6 MB in all, three
      // times the table's budget (at maxRunsPerMinute alone it replaced the whole table).
      let n = 0;
      for (let wave = 0; wave < 12; wave++) {
        for (let i = 0; i < 100; i++) svc.hear(failure("SENSE2", `f${n++}`, clock.now(), 2_000), "10.0.0.2");
        await clock.advance(5 * 60_000);
        await svc.settled();
      }
      // The spoofer kept its bucket's worth (an hour's bytes) plus an hour's refill, and the site's reloads are all there.
      expect(await bytes("session_id LIKE 'f%'")).toBeLessThanOrEqual(2 * 256 * KiB + 8 * KiB);
      expect(await bytes("session_id LIKE 'real%'")).toBe(realBytes);
      expect(metrics.render()).toMatch(/steward_engine_reloads_total\{outcome="failed",verdict="source_budget"\} \d{3,}/);
      // Another address is not held back by the spoofer's budget.
      svc.hear(failure("SENSE1", "after", clock.now(), 200), "10.0.0.1");
      await clock.advance(5_000);
      await svc.settled();
      expect(await bytes("session_id = 'after'")).toBeGreaterThan(0);
      await svc.component.stop(1_000);
    });
  });
}
