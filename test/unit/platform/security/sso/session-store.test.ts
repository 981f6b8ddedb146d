// The store of single sign-on sessions on SQLite and PostgreSQL: the directory's tokens never reach a row in clear
// (a dump of the table shows none), a store opened with another key cannot open them (the caller ends the session),
// a key being rotated out still opens what it sealed and a refresh seals again with the new one; the admin's list,
// revoke and sign-out everywhere, the idle timeout, the back-channel logout by sid, and a logout token's jti taken once.
import { afterAll, describe, expect, test } from "bun:test";
import { ssoMigrations } from "../../../../../src/platform/security/sso";
import { createSessionStore, newSessionId, newSessionRef, type SsoSession } from "../../../../../src/platform/security/sso/session-store";
import { createTokenSealer, TokenKeyError } from "../../../../../src/platform/security/sso/token-seal";
import { bothBackends } from "../../../../helpers/sql-backends";

const KEY = "a-token-key-of-at-least-32-characters-0001";
const NEW_KEY = "a-token-key-of-at-least-32-characters-0002";
const T0 = Date.parse("2026-11-29T08:00:00Z");
const ID_TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbm5hIn0.id-token-signature-of-anna";
const REFRESH = "refresh-token-of-anna-4b1e9d0a6f2d";

const session = (over: Partial<SsoSession> = {}): SsoSession => ({
  ref: newSessionRef(),
  subject: "anna",
  name: "Anna Svensson",
  email: "anna@corp.example",
  groups: ["qlik-admins"],
  scopes: ["admin"],
  createdAt: T0,
  expiresAt: T0 + 24 * 3_600_000,
  lastSeenAt: T0,
  sid: "directory-session-1",
  client: { ip: "10.1.2.3", userAgent: "Firefox" },
  idToken: ID_TOKEN,
  refreshToken: REFRESH,
  refreshDue: T0 + 600_000,
  ...over,
});

const backends = bothBackends();
afterAll(async () => {
  for (const b of backends) await b.shutdown();
});

for (const backend of backends) {
  describe(`sso sessions on ${backend.name}`, () => {
    test("a dump of the table shows no token; the session opens with its key and fails closed with another", async () => {
      const db = await backend.open([ssoMigrations]);
      const store = createSessionStore(db, createTokenSealer([KEY]));
      const id = newSessionId();
      await store.create(id, session());
      const dump = JSON.stringify(await db.all("SELECT * FROM sso_sessions"));
      expect(dump).not.toContain(ID_TOKEN);
      expect(dump).not.toContain("id-token-signature");
      expect(dump).not.toContain(REFRESH);
      expect(dump).not.toContain(id);
      expect(await store.get(id, T0 + 1, T0 - 1)).toMatchObject({ subject: "anna", idToken: ID_TOKEN, refreshToken: REFRESH, sid: "directory-session-1" });

      const otherKey = createSessionStore(db, createTokenSealer([NEW_KEY]));
      await expect(otherKey.get(id, T0 + 1, T0 - 1)).rejects.toBeInstanceOf(TokenKeyError);
      // Signing out still ends it, without the ID token it can no longer open.
      expect((await otherKey.end(id))?.idToken).toBe("");
      expect(await store.get(id, T0 + 1, T0 - 1)).toBeUndefined();
    });

    test("a row's sealed token copied into another session's row does not open there", async () => {
      const db = await backend.open([ssoMigrations]);
      const store = createSessionStore(db, createTokenSealer([KEY]));
      const [a, b] = [newSessionId(), newSessionId()];
      await store.create(a, session());
      await store.create(b, session({ subject: "mallory", sid: "s2", idToken: "mallory's", refreshToken: "mallory's refresh" }));
      await db.run("UPDATE sso_sessions SET refresh_token = (SELECT refresh_token FROM sso_sessions WHERE subject = 'anna') WHERE subject = 'mallory'");
      await expect(store.get(b, T0 + 1, T0 - 1)).rejects.toBeInstanceOf(TokenKeyError);
    });

    test("rotation: the old key, listed in previousTokenKeys, opens what it sealed; a refresh seals again with the new key", async () => {
      const db = await backend.open([ssoMigrations]);
      const id = newSessionId();
      await createSessionStore(db, createTokenSealer([KEY])).create(id, session());
      const rotated = createSessionStore(db, createTokenSealer([NEW_KEY, KEY]));
      expect((await rotated.get(id, T0 + 1, T0 - 1))?.refreshToken).toBe(REFRESH);
      await rotated.refreshed(id, "the-next-refresh-token", T0 + 1_200_000);
      const newOnly = createSessionStore(db, createTokenSealer([NEW_KEY]));
      // The refresh token moved to the new key; the ID token sealed at sign-in still needs the old one.
      await expect(newOnly.get(id, T0 + 1, T0 - 1)).rejects.toThrow("security.sso.tokenKey changed");
      const row = await db.get<{ refresh_token: string }>("SELECT refresh_token FROM sso_sessions");
      expect(row!.refresh_token).not.toContain("the-next-refresh-token");
    });

    test("the idle timeout: a session unused since the cut-off is no longer live, and purge removes it", async () => {
      const db = await backend.open([ssoMigrations]);
      const store = createSessionStore(db, createTokenSealer([KEY]));
      const id = newSessionId();
      await store.create(id, session());
      await store.touch(id, T0 + 60_000);
      expect(await store.get(id, T0 + 120_000, T0 + 59_999)).toBeDefined();
      expect(await store.get(id, T0 + 120_000, T0 + 60_000)).toBeUndefined();
      expect(await store.list(T0 + 120_000, T0 + 60_000)).toEqual([]);
      expect(await store.purge(T0 + 120_000, T0 + 60_000)).toBe(1);
    });

    test("the admin's list names who, since, last seen and from where; revoke, sign out everywhere, back-channel by sid", async () => {
      const db = await backend.open([ssoMigrations]);
      const store = createSessionStore(db, createTokenSealer([KEY]));
      const anna1 = session({ sid: "s-1" });
      const anna2 = session({ sid: "s-2", createdAt: T0 + 1000, client: { ip: "10.9.9.9" } });
      const bob = session({ subject: "bob", name: "Bob Berg", sid: "s-3", createdAt: T0 + 2000 });
      for (const s of [anna1, anna2, bob]) await store.create(newSessionId(), s);
      const list = await store.list(T0 + 5000, T0 - 1);
      expect(list.map((s) => [s.subject, s.ref, s.client.ip])).toEqual([
        ["bob", bob.ref, "10.1.2.3"],
        ["anna", anna2.ref, "10.9.9.9"],
        ["anna", anna1.ref, "10.1.2.3"],
      ]);
      expect(JSON.stringify(list)).not.toContain("token");
      expect((await store.list(T0 + 5000, T0 - 1, "anna")).length).toBe(2);
      expect((await store.endByRef(anna1.ref))?.subject).toBe("anna");
      expect(await store.endByRef(anna1.ref)).toBeUndefined();
      expect((await store.endBySid("s-3", "anna")).length).toBe(0);
      expect((await store.endBySid("s-3", "bob")).map((s) => s.ref)).toEqual([bob.ref]);
      await store.create(newSessionId(), session({ sid: "s-4" }));
      expect((await store.endBySubject("anna")).length).toBe(2);
      expect(await store.list(T0 + 5000, T0 - 1)).toEqual([]);
    });

    test("a logout token's jti is taken once, and forgotten once it is past use", async () => {
      const db = await backend.open([ssoMigrations]);
      const store = createSessionStore(db, createTokenSealer([KEY]));
      expect(await store.firstUseOf("jti-1", T0 + 300_000)).toBe(true);
      expect(await store.firstUseOf("jti-1", T0 + 300_000)).toBe(false);
      await store.purge(T0 + 300_001, T0);
      expect(await store.firstUseOf("jti-1", T0 + 600_000)).toBe(true);
    });
  });
}
