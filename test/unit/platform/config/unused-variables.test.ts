// Issue 69: a STEWARD_… variable that sets nothing (STEWARD_BIN, left by a benchmark harness) cost 17 MiB at idle,
// silently: the whole editor JSON Schema was built to learn it is no top-level setting, and kept. Now the check uses
// the schema's top-level names, the JSON Schema is built only to apply a setting, and the variable is named at start.
import { expect, test } from "bun:test";
import { configSchema } from "../../../../src/composition/config-schema";
import { applyEnvOverrides, envPlaceholderNames, unusedStewardVariables } from "../../../../src/platform/config/env-overrides";
import { stewardConfigReader } from "../../../../src/composition/config";

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
