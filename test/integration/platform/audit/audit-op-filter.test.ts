// Issue 106: a REST write is audited as one api.write row naming its operation in details.op; filtering the log by
// an operation's name (exact or with *) finds those rows as well as rows recorded under that action, on both stores,
// through an index rather than a read of every api.write row.
import { afterAll, describe, expect, test } from "bun:test";
import { auditMigrations, auditSelect, createAuditLog } from "../../../../src/platform/audit/audit-log";
import { createManualClock } from "../../../../src/platform/core/clock";
import { bothBackends } from "../../../helpers/sql-backends";

const actor = { kind: "apiKey", name: "admins", ip: "10.0.0.5" };

for (const backend of bothBackends()) {
  describe(`audit filter by operation on ${backend.name}`, () => {
    afterAll(() => backend.shutdown());

    test("an operation's name finds the api.write rows that name it in details.op, and the rows recorded under it", async () => {
      const db = await backend.open([auditMigrations]);
      const audit = createAuditLog(db, createManualClock(Date.parse("2026-11-24T10:00:00Z")));
      const write = (op: string, target: string) =>
        audit.record({
          actor,
          action: "api.write",
          target,
          result: "ok",
          details: { route: "POST /v4/oncall/overrides", status: 201, op, object: "3" },
        });
      for (let i = 0; i < 50; i++) write("kv.set", `PUT /v4/keyvalues/ns/k${i}`);
      write("oncall.override.create", "POST /v4/oncall/overrides");
      write("oncall.override.cancel", "DELETE /v4/oncall/overrides/3");
      audit.record({ actor: { kind: "schedule", name: "nightly" }, action: "oncall.override.create", target: "4", result: "ok" });
      // An api.write row without an operation, and one whose details were cut to a preview: neither matches.
      audit.record({ actor, action: "api.write", target: "POST /v4/tasks/x/start", result: "failed", details: { route: "POST /v4/tasks/:id/start" } });
      audit.record({ actor, action: "api.write", target: "POST /v4/x", result: "ok", details: { truncated: true, preview: '{"op":"oncall.override.create"' } });
      await audit.flush();

      const created = await audit.query({ action: "oncall.override.create" });
      expect(created.map((e) => [e.action, e.target])).toEqual([
        ["oncall.override.create", "4"],
        ["api.write", "POST /v4/oncall/overrides"],
      ]);
      const overrides = await audit.query({ action: "oncall.override.*" });
      expect(overrides.map((e) => e.details?.op ?? e.action)).toEqual(["oncall.override.create", "oncall.override.cancel", "oncall.override.create"]);
      expect((await audit.query({ action: "kv.set", limit: 1000 })).length).toBe(50);
      // The action itself still filters as before.
      expect((await audit.query({ action: "api.write", limit: 1000 })).length).toBe(54);
      expect(await audit.query({ action: "oncall.override.create", result: "failed" })).toEqual([]);

      if (db.dialect === "sqlite") {
        // Bounded: SQLite answers each side of the filter from an index (audit_action; audit_op, on api.write rows).
        const { sql, args } = auditSelect(db.dialect, { action: "oncall.override.create" });
        const plan = await db.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, args);
        const text = plan.map((p) => p.detail).join("\n");
        expect(text).toContain("audit_op");
        expect(text).toContain("audit_action");
      } else {
        const index = await db.get<{ indexdef: string }>("SELECT indexdef FROM pg_indexes WHERE indexname = 'audit_op'");
        expect(index?.indexdef).toContain("WHERE (action = 'api.write'::text)");
      }
    });
  });
}
