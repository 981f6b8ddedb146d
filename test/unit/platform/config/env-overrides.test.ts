// STEWARD_<SECTION>__<KEY> environment variables set single settings over the file, validated like the file,
// with errors that name the variable.
import { expect, test } from "bun:test";
import { parseConfigText } from "../../../../src/composition/config";
import type { AppError } from "../../../../src/platform/core/errors";

const load = (yaml: string, env: Record<string, string>) => parseConfigText(yaml, "steward.yaml", "/srv/steward", { env });

test("a variable sets a setting over the file and over the default, typed like YAML", () => {
  // dataDir and store.postgres.url widen access (a store of someone else's making): the file lets variables set them.
  const c = load("http: { port: 8080 }\nlogging: { level: info }\nsecurity: { allowEnvOverrides: [dataDir, store.postgres.url] }\n", {
    STEWARD_HTTP__PORT: "8081",
    STEWARD_LOGGING__LEVEL: "debug",
    STEWARD_STORE__POSTGRES__URL: "postgres://steward:pw@db.corp.example/steward",
    STEWARD_STORE__POSTGRES__LEASE_TTL_MS: "20000",
    STEWARD_DATA_DIR: "/var/lib/steward",
    STEWARD_CONFIG: "/somewhere/else.yaml",
    // Not a setting (no double underscore, no top-level name): a variable for ${env:…}, left alone.
    STEWARD_TLS_PASSPHRASE: "pw",
  }).config;
  expect(c.dataDir).toBe("/var/lib/steward");
  expect(c.http.port).toBe(8081);
  expect(c.logging.level).toBe("debug");
  expect(c.store.postgres?.leaseTtlMs).toBe(20_000);
});

test("a name that is not a setting, or a bad value, is an error naming the variable", () => {
  const err = (env: Record<string, string>) => {
    try {
      load("", env);
    } catch (e) {
      return (e as AppError).message;
    }
    return "no error";
  };
  expect(err({ STEWARD_HTTP__PROT: "1" })).toContain("environment variable STEWARD_HTTP__PROT: http.prot is not a setting");
  expect(err({ STEWARD_HTTP__PORT: "eighty" })).toContain("(set by STEWARD_HTTP__PORT)");
  expect(err({ STEWARD_HTTP____PORT: "1" })).toContain("empty name between double underscores");
});

test("a secret from the environment is masked like one from the file", () => {
  const loaded = load("mqtt: { url: mqtt://broker.corp.example:1883, username: steward }\n", { STEWARD_MQTT__PASSWORD: "s3cret-pw" });
  expect(loaded.config.mqtt?.password).toBe("s3cret-pw");
  expect(loaded.secrets.mask("connecting with s3cret-pw")).not.toContain("s3cret-pw");
});
