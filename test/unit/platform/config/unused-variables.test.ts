// Issue 69: a STEWARD_… variable that sets nothing (STEWARD_BIN, left by a benchmark harness) cost 17 MiB at idle,
// silently: the whole editor JSON Schema was built to learn it is no top-level setting, and kept. Now the check uses
// the schema's top-level names, the JSON Schema is built only to apply a setting, and the variable is named at start.
import { expect, test } from "bun:test";
import { configSchema } from "../../../../src/composition/config-schema";
import { applyEnvOverrides, envPlaceholderNames, unusedStewardVariables } from "../../../../src/platform/config/env-overrides";
import { stewardConfigReader } from "../../../../src/composition/config";
import { createConfigReader } from "../../../../src/platform/config/load";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createTempDir } from "../../../helpers/temp-dir";

const topLevel = () => Object.keys((configSchema() as unknown as { shape: Record<string, unknown> }).shape);

test("a variable that is no setting does not build the JSON Schema; one that is a setting does", () => {
  let built = 0;
  const jsonSchema = () => {
    built++;
    return stewardConfigReader.configJsonSchema();
  };
  applyEnvOverrides({}, { STEWARD_BIN: "/opt/steward", STEWARD_TLS_PASSPHRASE: "pw", PATH: "/usr/bin" }, jsonSchema, undefined, undefined, topLevel);
  expect(built).toBe(0);
  const data: Record<string, unknown> = {};
  applyEnvOverrides(data, { STEWARD_HTTP__PORT: "8081" }, jsonSchema, undefined, undefined, topLevel);
  expect(data).toEqual({ http: { port: 8081 } });
  expect(built).toBe(1);
});

test("the variables named at start: not a setting, not read by Steward itself, not a placeholder of the config", () => {
  const env = {
    STEWARD_BIN: "/opt/steward",
    STEWARD_HTTP_PORT: "8081", // a typo of STEWARD_HTTP__PORT
    STEWARD_HTTP__PORT: "8081",
    STEWARD_DATA_DIR: "/var/lib/steward",
    STEWARD_CONFIG: "/etc/steward.yaml",
    STEWARD_TLS_PASSPHRASE: "pw",
    STEWARD_TEST_RUN: "1",
    HOME: "/root",
  };
  const referenced = envPlaceholderNames("http: { tls: { passphrase: ${env:STEWARD_TLS_PASSPHRASE} } }\n");
  expect(unusedStewardVariables(env, stewardConfigReader.topLevelKeys(), referenced)).toEqual(["STEWARD_BIN", "STEWARD_HTTP_PORT"]);
});

test("a parse builds one config schema, whatever STEWARD_… variables are set, and the top-level names asked after it build none", () => {
  // Before, the first variable that is no setting (a secret kept for a ${env:…} placeholder, a test runner's
  // STEWARD_TEST_WORKERS) built a second whole config schema for its names, and one that sets a setting a third for the
  // JSON Schema; `run` asked for the names after every load, which built one more.
  let built = 0;
  const reader = createConfigReader(() => {
    built++;
    return configSchema();
  });
  const text = "http: { host: 127.0.0.1 }\n";
  reader.parseConfigText(text, "steward.yaml", "/tmp", { env: { STEWARD_TLS_PASSPHRASE: "pw", STEWARD_TEST_WORKERS: "4" } });
  expect(built).toBe(1);
  expect(reader.topLevelKeys()).toEqual(topLevel());
  expect(built).toBe(1);
  const set = reader.parseConfigText(text, "steward.yaml", "/tmp", { env: { STEWARD_BIN: "/opt/steward", STEWARD_HTTP__PORT: "8081" } });
  expect(set.config.http.port).toBe(8081);
  expect(built).toBe(2);
  const dir = createTempDir();
  try {
    writeFileSync(join(dir.path, "steward.yaml"), text);
    const collected = reader.loadConfigFileCollecting(join(dir.path, "steward.yaml"), { env: { STEWARD_BIN: "/opt/steward", STEWARD_HTTP__PORT: "8082" } });
    expect(collected.problems).toEqual([]);
    expect(collected.loaded?.config.http.port).toBe(8082);
    expect(built).toBe(3);
  } finally {
    dir.remove();
  }
});
