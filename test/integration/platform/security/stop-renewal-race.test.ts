// A Steward that depends on the stored API keys (listening beyond loopback with no key of its own) renews its record of
// that in the store at every key refresh, and clears it when it stops, so another Steward may revoke the last key.
// Stopped while a renewal is on its way to the store, it must clear the record after that renewal has landed, not
// before: otherwise the record stays until it expires and the last key cannot be revoked meanwhile (seen once in
// last-key-cluster.test.ts on a loaded machine: node-b stopped, node-a's DELETE of the last key answered 409).
import { afterAll, expect, test } from "bun:test";
import { parseConfigText } from "../../../../src/composition/config";
import { auditMigrations, createAuditLog } from "../../../../src/platform/audit/audit-log";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";
import { createKeyStore, type KeyStore, securityMigrations } from "../../../../src/platform/security/key-store";
import { createSecurityService } from "../../../../src/platform/security/service";
import { openStore } from "../../../../src/platform/store/database";
import { createTempDir } from "../../../helpers/temp-dir";

const dir = createTempDir("steward-renewal-race-");
const store = openStore(dir.path, [securityMigrations, auditMigrations]);
afterAll(() => {
  store.close();
  dir.remove();
});

test("a Steward stopped while a renewal of its record is on its way clears the record once it has landed: the last key can be revoked", async () => {
  const clock = createManualClock(Date.parse("2026-11-25T12:00:00Z"));
  const keyStore = createKeyStore(store.sql, clock);
  expect(await keyStore.insert({ name: "ops", hash: hashApiKey(generateApiKey()), scopes: ["admin"], createdBy: "test" })).toBeDefined();
  // The store as it is, except that a renewal can be held before it reaches it (a slow statement on a loaded machine).
  let held: Promise<void> | undefined;
  const slow: KeyStore = { ...keyStore, require: async (req, ttl) => (held && (await held), keyStore.require(req, ttl)) };
  const records = async () => (await store.sql.all<{ instance_id: string }>("SELECT instance_id FROM api_key_requirements")).map((r) => r.instance_id);

  const security = parseConfigText("http: { host: 0.0.0.0, port: 0 }\n", "node-b.yaml", dir.path).config.security;
  const service = createSecurityService(security, {
    keyStore: slow,
    audit: createAuditLog(store.sql, clock),
    clock,
    log: createSilentLogger(),
    listenHost: "0.0.0.0",
    keyRefreshMs: 1_000,
    instance: { id: "node-b", name: "node-b" },
  });
  const component = service.component(() => [], { enabled: true, host: "0.0.0.0" });
  await component.start();
  expect(await records()).toEqual(["node-b"]);
  // While it runs, the last key is refused: node-b would be left without a credential.
  expect((await keyStore.revoke("ops")).outcome).toBe("last-key");

  // The next refresh's renewal is held on its way; node-b stops meanwhile, and then the renewal lands.
  let land!: () => void;
  held = new Promise((resolve) => (land = resolve));
  await clock.advance(1_000);
  const stopping = component.stop(5_000);
  await Bun.sleep(20);
  land();
  await stopping;

  expect(await records()).toEqual([]);
  expect((await keyStore.revoke("ops")).outcome).toBe("revoked");
});
