// The store section: the embedded SQLite file stays the default; store.postgres takes a URL with secrets from
// the environment or a file, pool and lease settings with defaults, and refuses what cannot work.
import { expect, test } from "bun:test";
import { parseConfigText } from "../../../../src/composition/config";

test("without a store section the store is the SQLite file in dataDir", () => {
  const { config } = parseConfigText("", "c.yaml", "/srv/steward");
  expect(config.store).toEqual({});
  expect(config.dataDir).toBe("/srv/steward/data");
});

test("store.postgres with the password from the environment: defaults, and the password is a masked secret", () => {
  const text = "store:\n  postgres:\n    url: postgres://steward:${env:PGPW}@pg.corp.example:5432/steward\n";
  const loaded = parseConfigText(text, "c.yaml", "/x", { env: { PGPW: "secret-pw" } });
  expect(loaded.config.store.postgres).toEqual({
    url: "postgres://steward:secret-pw@pg.corp.example:5432/steward",
    maxConnections: 10,
    connectTimeoutMs: 10_000,
    statementTimeoutMs: 10_000,
    leaseTtlMs: 15_000,
    heartbeatIntervalMs: 3_000,
    peerPollIntervalMs: 1_000,
    maxClockOffsetMs: 10_000,
  });
  expect(loaded.secrets.mask("postgres://steward:secret-pw@pg")).not.toContain("secret-pw");
});

test("a URL that is not postgres://, a certFile without keyFile, a heartbeat too slow for the lease and a peer poll under 200 ms are errors naming the key", () => {
  expect(() => parseConfigText("store:\n  postgres:\n    url: mysql://x@y/z\n", "c.yaml", "/x")).toThrow(/store\.postgres\.url.*postgres:\/\//s);
  expect(() => parseConfigText("store:\n  postgres:\n    url: postgres://x@y/z\n    tls:\n      certFile: a.pem\n", "c.yaml", "/x")).toThrow(
    /store\.postgres\.tls\.keyFile.*certFile and keyFile go together/s,
  );
  expect(() =>
    parseConfigText("store:\n  postgres:\n    url: postgres://x@y/z\n    leaseTtlMs: 4000\n    heartbeatIntervalMs: 3000\n", "c.yaml", "/x"),
  ).toThrow(/store\.postgres\.heartbeatIntervalMs.*at most half of leaseTtlMs/s);
  expect(() => parseConfigText("store:\n  postgres:\n    url: postgres://x@y/z\n    peerPollIntervalMs: 50\n", "c.yaml", "/x")).toThrow(
    /store\.postgres\.peerPollIntervalMs/,
  );
});
