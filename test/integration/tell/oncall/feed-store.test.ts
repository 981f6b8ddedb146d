// The rota's stores on SQLite and PostgreSQL (issue 106): a calendar feed's token is kept only as its hash, opens
// its live feed and no other, and a revocation holds for the next read; overrides are read newest first.
import { afterAll, describe, expect, test } from "bun:test";
import { createOnCallFeedStore, onCallMigrations } from "../../../../src/tell/oncall/feed-store";
import { createOverrideStore } from "../../../../src/tell/oncall/override-store";
import { bothBackends } from "../../../helpers/sql-backends";

for (const backend of bothBackends()) {
  describe(`on-call feeds on ${backend.name}`, () => {
    afterAll(() => backend.shutdown());

    test("made, found by token, listed per person, revoked once", async () => {
      const db = await backend.open([onCallMigrations]);
      const feeds = createOnCallFeedStore(db);
      const a = await feeds.create("Anna@corp.example", "admins", 1000);
      const b = await feeds.create("bo@corp.example", "admins", 2000);
      expect(a.feed).toMatchObject({ person: "anna@corp.example", createdAt: 1000, createdBy: "admins", revokedAt: null });
      expect(a.token).not.toBe(b.token);
      const stored = await db.all<{ token_hash: string }>("SELECT token_hash FROM oncall_feeds");
      expect(stored.some((r) => r.token_hash === a.token)).toBe(false);
      expect((await feeds.byToken(a.token))?.id).toBe(a.feed.id);
      expect(await feeds.byToken(`${a.token}x`)).toBeUndefined();
      expect((await feeds.live("anna@corp.example")).map((f) => f.id)).toEqual([a.feed.id]);
      expect((await feeds.live()).map((f) => f.id)).toEqual([b.feed.id, a.feed.id]);
      expect(await feeds.revoke(a.feed.id, "anna", 3000)).toBe(true);
      expect(await feeds.revoke(a.feed.id, "anna", 4000)).toBe(false);
      expect(await feeds.byToken(a.token)).toBeUndefined();
      expect(await feeds.get(a.feed.id)).toMatchObject({ revokedAt: 3000, revokedBy: "anna" });
      expect(await feeds.live("anna@corp.example")).toEqual([]);
    });

    test("overrides made over REST: kept, and read newest first while they have not ended", async () => {
      const db = await backend.open([onCallMigrations]);
      const overrides = createOverrideStore(db);
      const base = { schedule: "primary", createdAt: 1, createdBy: "admins" };
      const a = await overrides.create({ ...base, person: "Carl@corp.example", from: 1000, until: 5000 });
      const b = await overrides.create({ ...base, person: "bo@corp.example", from: 2000, until: 9000 });
      expect(a).toMatchObject({ person: "carl@corp.example", from: 1000, until: 5000, createdBy: "admins" });
      expect((await overrides.endingAfter(0)).map((o) => o.id)).toEqual([b.id, a.id]);
      expect((await overrides.endingAfter(5000)).map((o) => o.id)).toEqual([b.id]);
    });
  });
}
