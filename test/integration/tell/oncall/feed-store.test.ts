// The store of personal calendar feeds on SQLite and PostgreSQL (issue 106): the token is kept only as its hash, a
// token opens its live feed and no other, and a revocation holds for the next read (every Steward of a site reads it).
import { afterAll, describe, expect, test } from "bun:test";
import { createOnCallFeedStore, onCallFeedMigrations } from "../../../../src/tell/oncall/feed-store";
import { bothBackends } from "../../../helpers/sql-backends";

for (const backend of bothBackends()) {
  describe(`on-call feeds on ${backend.name}`, () => {
    afterAll(() => backend.shutdown());

    test("made, found by token, listed per person, revoked once", async () => {
      const db = await backend.open([onCallFeedMigrations]);
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
  });
}
