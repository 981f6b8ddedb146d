// API keys created at run time through one Steward of a cluster work on the others within the refresh time;
// a key revoked through another Steward stops working everywhere. Two Stewards cannot create the same name.
import { afterAll, expect, test } from "bun:test";
import { auditMigrations, createAuditLog } from "../../../../src/platform/audit/audit-log";
import { SecuritySchema } from "../../../../src/platform/security/config";
import { systemClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { createKeyStore, securityMigrations } from "../../../../src/platform/security/key-store";
import { createSecurityService, type SecurityService } from "../../../../src/platform/security/service";
import { postgresBackend } from "../../../helpers/sql-backends";
import { waitFor } from "../../../helpers/wait-for";

const pg = postgresBackend();
const stops: Array<() => unknown> = [];
afterAll(async () => {
  for (const s of stops) await s();
  await pg.shutdown();
});

const actor = { kind: "apiKey", name: "admin" };

test("a key created on one Steward is accepted by another; revoked on that one, it stops on the first", async () => {
  const server = await pg.server();
  const url = await server.createDatabase("keys_cluster");
  const { openPostgresStore } = await import("../../../../src/platform/store/postgres-store");
  const services: SecurityService[] = [];
  for (const name of ["node-a", "node-b"]) {
    const db = await openPostgresStore({ url, maxConnections: 2, connectTimeoutMs: 2_000, tls: false, applicationName: name }, [
      auditMigrations,
      securityMigrations,
    ]);
    const service = createSecurityService(SecuritySchema.parse({}), {
      keyStore: createKeyStore(db, systemClock),
      audit: createAuditLog(db, systemClock),
      clock: systemClock,
      log: createSilentLogger(),
      keyRefreshMs: 100,
    });
    const component = service.component(() => [], { enabled: false, host: "127.0.0.1" });
    await component.start();
    stops.push(
      () => component.stop(100),
      () => db.close(),
    );
    services.push(service);
  }
  const [a, b] = services as [SecurityService, SecurityService];
  const { key } = await a.createKey({ name: "etl", scopes: ["kv.read"] }, actor);
  expect((await a.policy().ring.match(key))?.name).toBe("etl");
  await waitFor(async () => (await b.policy().ring.match(key))?.name === "etl", { what: "node-b to accept the key", timeoutMs: 3_000 });
  expect((await b.listKeys()).map((k) => k.name)).toEqual(["etl"]);
  await expect(b.createKey({ name: "etl", scopes: ["admin"] }, actor)).rejects.toThrow(/exists already/);
  await b.revokeKey("etl", actor);
  expect(await b.policy().ring.match(key)).toBeUndefined();
  await waitFor(async () => (await a.policy().ring.match(key)) === undefined, { what: "node-a to refuse the revoked key", timeoutMs: 3_000 });
});
