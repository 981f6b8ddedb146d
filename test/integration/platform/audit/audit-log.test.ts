// The audit log on both store back ends: entries recorded without waiting are all there, in order, for the
// next query; filters and retention behave the same; on PostgreSQL, entries recorded while the server is down
// are kept and written once it is back.
import { afterAll, describe, expect, test } from "bun:test";
import { auditMigrations, createAuditLog } from "../../../../src/platform/audit/audit-log";
import { createManualClock, systemClock } from "../../../../src/platform/core/clock";
import { bothBackends, postgresBackend, sqliteBackend } from "../../../helpers/sql-backends";
import { waitFor } from "../../../helpers/wait-for";

const actor = { kind: "apiKey", name: "etl", ip: "10.0.0.5" };

for (const backend of bothBackends()) {
  describe(`audit log on ${backend.name}`, () => {
    afterAll(() => backend.shutdown());

    test("a burst of records is complete and ordered for the next query; filters and wildcards work", async () => {
      const db = await backend.open([auditMigrations]);
      const audit = createAuditLog(db, createManualClock(Date.parse("2026-01-01T00:00:00Z")));
      for (let i = 0; i < 250; i++) audit.record({ actor, action: i % 2 ? "kv.set" : "kv.delete", target: `ns/k${i}`, result: "ok", details: { i } });
      audit.record({ actor: { kind: "anonymous", name: "anonymous" }, action: "access.denied", target: "/v4/x", result: "denied" });
      const all = await audit.query({ limit: 1000 });
      expect(all.length).toBe(251);
      expect(all[0]).toMatchObject({ action: "access.denied", result: "denied", actor: { kind: "anonymous", name: "anonymous" } });
      expect(all.slice(1).map((e) => e.details?.i)).toEqual(Array.from({ length: 250 }, (_, i) => 249 - i));
      expect((await audit.query({ action: "kv.*", limit: 1000 })).length).toBe(250);
      expect((await audit.query({ action: "kv.set", limit: 1000 })).length).toBe(125);
      expect(await audit.query({ actorName: "etl", target: "ns/k7" })).toMatchObject([{ actor, action: "kv.set", details: { i: 7 } }]);
    });

    test("a NUL character or a lone surrogate in a path, a name or an address drops nothing: stored as U+FFFD, the batch kept", async () => {
      const db = await backend.open([auditMigrations]);
      const errors: string[] = [];
      const audit = createAuditLog(db, createManualClock(Date.parse("2026-01-01T00:00:00Z")), undefined, { onError: (e) => void errors.push(e.message) });
      const noise = ["POST /v4/keyvalues/x\u0000y", "GET /v4/\ud800", "DELETE /v4/\udc00x"];
      for (let i = 0; i < 300; i++) {
        audit.record({ actor, action: "api.write", target: `POST /v4/keyvalues/ns${i}`, result: "ok" });
        // Batches mix the admin's rows with hostile ones, as concurrent requests do.
        if (i % 10 === 0)
          audit.record({
            actor: { kind: "anonymous", name: `anon\u0000${i}`, ip: "10.0.0.9\u0000" },
            action: "access.denied",
            target: noise[i % 3]!,
            result: "denied",
            details: { path: "x\u0000" },
          });
      }
      await audit.flush();
      expect((await audit.query({ action: "api.write", limit: 1000 })).length).toBe(300);
      const denied = await audit.query({ action: "access.denied", limit: 1000 });
      expect(denied.length).toBe(30);
      expect(denied.map((d) => d.target)).toContain("POST /v4/keyvalues/x\ufffdy");
      expect(denied.find((d) => d.target === "GET /v4/\ufffd")).toMatchObject({
        actor: { name: "anon\ufffd280", ip: "10.0.0.9\ufffd" },
        details: { path: "x\u0000" },
      });
      expect(errors).toEqual([]);
    });

    test("a row the store refuses loses only itself: the rest of its batch is written", async () => {
      const db = await backend.open([auditMigrations]);
      // A real refusal by the store, whatever the dialect: a constraint the row breaks.
      if (backend.name === "postgres") await db.exec("ALTER TABLE audit ADD CONSTRAINT no_poison CHECK (target IS DISTINCT FROM 'poison')");
      else await db.exec("CREATE TRIGGER no_poison BEFORE INSERT ON audit WHEN NEW.target = 'poison' BEGIN SELECT RAISE(ABORT, 'poison refused'); END");
      const errors: string[] = [];
      const audit = createAuditLog(db, createManualClock(Date.parse("2026-01-01T00:00:00Z")), undefined, { onError: (e) => void errors.push(e.message) });
      for (let i = 0; i < 50; i++) audit.record({ actor, action: "task.start", target: i === 25 ? "poison" : `t${i}`, result: "ok" });
      await audit.flush();
      expect((await audit.query({ action: "task.start", limit: 1000 })).map((e) => e.target)).toEqual(
        Array.from({ length: 50 }, (_, i) => `t${49 - i}`).filter((t) => t !== "t25"),
      );
      expect(errors.some((e) => /refused 1 of \d+ audit entries/.test(e))).toBe(true);
    });

    test("retention removes entries past maxAge and, over maxEntries, denials first", async () => {
      const db = await backend.open([auditMigrations]);
      const clock = createManualClock(Date.parse("2026-01-01T00:00:00Z"));
      const audit = createAuditLog(db, clock, { maxAgeMs: 10 * 86_400_000, maxEntries: 20 });
      audit.record({ actor, action: "task.start", target: "old", result: "ok" });
      await clock.set(Date.parse("2026-01-08T00:00:00Z"));
      for (let i = 0; i < 15; i++) audit.record({ actor, action: "task.start", target: `t${i}`, result: "ok" });
      for (let i = 0; i < 10; i++) audit.record({ actor, action: "access.denied", target: `/d${i}`, result: "denied" });
      // Past the cap (plus its slack of one entry at this size) retention ran on its own, denials first.
      await audit.flush();
      await audit.prune();
      expect((await audit.query({ limit: 100 })).length).toBe(20);
      expect((await audit.query({ action: "task.start", limit: 100 })).length).toBe(16);
      await clock.set(Date.parse("2026-01-12T00:00:00Z"));
      expect(await audit.prune()).toBe(1);
      expect(await audit.query({ target: "old" })).toEqual([]);
    });

    test("past maxEntries, retention runs once the log is 1% over it and deletes back down to it in one batch", async () => {
      const db = await backend.open([auditMigrations]);
      const audit = createAuditLog(db, createManualClock(Date.parse("2026-01-01T00:00:00Z")), { maxAgeMs: 86_400_000, maxEntries: 1000 });
      const held = async () => Number((await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM audit"))?.n);
      const recordMany = (n: number, from: number) => {
        for (let i = from; i < from + n; i++) audit.record({ actor, action: "kv.set", target: `ns/k${i}`, result: "ok" });
      };
      // The first entry has retention count the log (then it counts the entries it records).
      recordMany(1, 0);
      await audit.flush();
      recordMany(1008, 1);
      await audit.flush();
      // 9 over the cap: within the slack of 10, nothing deleted yet.
      expect(await held()).toBe(1009);
      recordMany(1, 1009);
      await audit.flush();
      expect(await held()).toBe(1000);
      expect((await audit.query({ limit: 1 }))[0]?.target).toBe("ns/k1009");
      // However the entries come, the log never holds more than the cap and its slack.
      for (let round = 0; round < 5; round++) {
        recordMany(777, 2000 + round * 777);
        await audit.flush();
        expect(await held()).toBeLessThanOrEqual(1010);
        expect(await held()).toBeGreaterThanOrEqual(1000);
      }
    });
  });
}

describe("audit retention while entries keep coming", () => {
  test("entries committed while a run was on its way (after its count) start the next run at its end: a quiet log ends within the cap and its slack", async () => {
    const backend = sqliteBackend();
    try {
      const real = await backend.open([auditMigrations]);
      // The store as it is, except that retention's deletes can be held (a slow statement on a loaded machine).
      let hold: Promise<void> | undefined;
      let holding!: () => void;
      const deleteHeld = new Promise<void>((resolve) => (holding = resolve));
      const db: typeof real = Object.create(real, {
        run: {
          value: async (sql: string, params?: never) => {
            if (hold && sql.startsWith("DELETE FROM audit WHERE id IN")) {
              holding();
              await hold;
            }
            return real.run(sql, params);
          },
        },
      });
      const audit = createAuditLog(db, createManualClock(Date.parse("2026-01-01T00:00:00Z")), { maxAgeMs: 86_400_000, maxEntries: 10 });
      const held = async () => Number((await real.get<{ n: number }>("SELECT COUNT(*) AS n FROM audit"))?.n);
      let n = 0;
      const recordMany = (count: number) => {
        for (let i = 0; i < count; i++) audit.record({ actor, action: "kv.set", target: `ns/k${n++}`, result: "ok" });
      };
      recordMany(11);
      await audit.flush();
      expect(await held()).toBeLessThanOrEqual(11);
      // The next run counts the log, then its delete is held while five more entries are committed.
      let release!: () => void;
      hold = new Promise((resolve) => (release = resolve));
      recordMany(3);
      await deleteHeld;
      const counted = await held();
      recordMany(5);
      await waitFor(async () => (await held()) === counted + 5, { what: "the five entries written while retention's delete is held" });
      release();
      hold = undefined;
      await audit.flush();
      // Cap 10, slack 1: without a run at the end of the held one, the five would stay (15) until the next entry.
      expect(await held()).toBeLessThanOrEqual(11);
      expect(await held()).toBeGreaterThanOrEqual(10);
    } finally {
      await backend.shutdown().catch(() => {});
    }
  });
});

describe("audit retention that fails", () => {
  test("is tried again after the next 1% of the cap, not on every entry recorded meanwhile", async () => {
    const backend = sqliteBackend();
    try {
      const db = await backend.open([auditMigrations]);
      const failures: string[] = [];
      const audit = createAuditLog(
        db,
        createManualClock(Date.parse("2026-01-01T00:00:00Z")),
        { maxAgeMs: 86_400_000, maxEntries: 1000 },
        {
          onError: (_e, what) => void failures.push(what),
        },
      );
      // A store that refuses everything: the first entry's retention run (and its write) fail.
      await db.close();
      for (let i = 0; i < 5; i++) {
        audit.record({ actor, action: "kv.set", target: `k${i}`, result: "ok" });
        await audit.flush().catch(() => {});
      }
      expect(failures.filter((w) => w === "audit retention")).toHaveLength(1);
      expect(failures.filter((w) => w.startsWith("writing"))).toHaveLength(5);
    } finally {
      await backend.shutdown().catch(() => {});
    }
  });
});

describe("audit log while PostgreSQL is down", () => {
  const pg = postgresBackend({ own: true });
  afterAll(() => pg.shutdown());

  test("entries recorded during the outage are written after it, none twice; query fails meanwhile rather than hang", async () => {
    const db = await pg.open([auditMigrations]);
    const server = await pg.server();
    const errors: string[] = [];
    // The system clock: the log's wait before it writes again after an outage runs on its clock.
    const audit = createAuditLog(db, systemClock, undefined, { onError: (e) => void errors.push(e.message) });
    audit.record({ actor, action: "kv.set", target: "before", result: "ok" });
    await audit.flush();
    await server.halt();
    try {
      for (let i = 0; i < 20; i++) audit.record({ actor, action: "kv.set", target: `during${i}`, result: "ok" });
      await waitFor(() => errors.length > 0, { what: "a failed write", timeoutMs: 15_000 });
      await expect(audit.query({})).rejects.toThrow();
    } finally {
      await server.resume();
    }
    await waitFor(async () => (await audit.query({ limit: 1000 }).catch(() => [])).length === 21, { what: "21 entries after the outage", timeoutMs: 20_000 });
    const targets = (await audit.query({ limit: 1000 })).map((e) => e.target);
    expect(targets).toEqual([...Array.from({ length: 20 }, (_, i) => `during${19 - i}`), "before"]);
  });

  test("a flush while the store is down is refused as soon as the write fails, not after the pause before the next try", async () => {
    const db = await pg.open([auditMigrations]);
    const server = await pg.server();
    // A clock nobody advances: the pause before writing again never ends, so a flush that waited for it would hang.
    const clock = createManualClock(Date.parse("2026-01-01T00:00:00Z"));
    const audit = createAuditLog(db, clock);
    await server.halt();
    try {
      // A REST write is answered only after its row's flush: during an outage, that answer is the 503.
      const outcome = (flushed: Promise<void>) =>
        Promise.race([
          flushed.then(
            () => "written",
            () => "refused",
          ),
          Bun.sleep(10_000).then(() => "still waiting"),
        ]);
      audit.record({ actor, action: "kv.set", target: "first", result: "ok" });
      expect(await outcome(audit.flush())).toBe("refused");
      // Recorded during the pause: refused at once too.
      audit.record({ actor, action: "kv.set", target: "second", result: "ok" });
      expect(await outcome(audit.flush())).toBe("refused");
    } finally {
      await server.resume();
    }
    // After the pause the entries are written, each once.
    await clock.advance(1_000);
    await waitFor(async () => (await audit.query({}).catch(() => [])).length === 2, { what: "both entries after the outage", timeoutMs: 20_000 });
    expect((await audit.query({})).map((e) => e.target)).toEqual(["second", "first"]);
  }, 60_000);
});
