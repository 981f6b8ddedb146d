// The override policy: STEWARD_* variables (from the environment or steward.env) may not widen access unless the
// config file lists the setting under security.allowEnvOverrides; harmless values (a loopback address) pass; the
// policy itself is set by the file alone; ordinary settings are not affected.
import { describe, expect, test } from "bun:test";
import { stewardConfigReader } from "../../../../src/composition/config";
import { WIDENING_SETTINGS } from "../../../../src/platform/config/override-policy";

// Steward's reader with one schema for the file's fifty-odd parses (it builds the schema per parse otherwise, most of
// each parse's cost); the policy is checked in the parse itself, the same with either.
const reader = stewardConfigReader.keepingSchema();
const load = (yaml: string, env: Record<string, string>) => reader.parseConfigText(yaml, "steward.yaml", "/srv/steward", { env });
const refusal = (yaml: string, env: Record<string, string>): string => {
  try {
    load(yaml, env);
  } catch (err) {
    return (err as Error).message;
  }
  return "(accepted)";
};

describe("STEWARD_* variables that widen access", () => {
  test("the issue's two lines are refused, each naming the variable, the setting and the way to allow it", () => {
    expect(refusal("", { STEWARD_HTTP__HOST: "0.0.0.0" })).toBe(
      'environment variable STEWARD_HTTP__HOST (from the environment) sets http.host, which could open the REST API to other machines; only the config file may set it. Set it in the file, or list "http.host" under security.allowEnvOverrides there (docs/security.md)',
    );
    expect(refusal("", { STEWARD_SECURITY__ALLOW_UNAUTHENTICATED: "true" })).toContain(
      "environment variable STEWARD_SECURITY__ALLOW_UNAUTHENTICATED (from the environment) sets security.allowUnauthenticated, which could open the API to callers without a key",
    );
  });

  test("every widening setting is refused from a variable, by itself, below it or as a whole section", () => {
    const cases: Array<[string, string]> = [
      ["STEWARD_HTTP__HOST", "10.0.0.5"],
      ["STEWARD_HTTP__HOST", "::"],
      ["STEWARD_SECURITY__API_KEYS", "[{ name: x, hash: 'sha256:0000000000000000000000000000000000000000000000000000000000000000', scopes: [admin] }]"],
      ["STEWARD_SECURITY__IP_ALLOWLIST", "[0.0.0.0/0]"],
      ["STEWARD_SECURITY__ALLOWED_HOSTS", "[evil.example]"],
      ["STEWARD_SECURITY__QUERY_KEY__ENABLED", "true"],
      ["STEWARD_SECURITY__RATE_LIMIT__PER_IP__ENABLED", "false"],
      ["STEWARD_SECURITY__STORE_KEYS", "true"],
      ["STEWARD_DATA_DIR", "C:/Users/Public/planted"],
      ["STEWARD_STORE__POSTGRES__URL", "postgres://x@evil.example/db"],
      ["STEWARD_STORE__POSTGRES", "{ url: 'postgres://x@evil.example/db' }"],
      ["STEWARD_FILES__ALLOW_UNC", "true"],
      ["STEWARD_CONTROL__START_TASK_FILTER__ENABLED", "false"],
      ["STEWARD_CONTROL__CORS", "{ enabled: true, allowOrigins: ['*'] }"],
      ["STEWARD_CONTROL", "{ cors: { enabled: true, allowOrigins: ['*'] } }"],
      ["STEWARD_UDP__ALLOWED_SOURCES", "[0.0.0.0/0]"],
      // Where the signed acknowledge and snooze links in alerts point (a click there hands the link over), and what
      // opens the public link landing pages.
      ["STEWARD_HTTP__PUBLIC_URL", "https://steward.evil.example"],
      ["STEWARD_ACTION_LINKS__PUBLIC_BASE_URL", "https://steward.evil.example"],
      ["STEWARD_ACTION_LINKS", "{ publicBaseUrl: 'https://steward.evil.example' }"],
      // Who the status page may send confirmation mails to.
      ["STEWARD_STATUS__SUBSCRIPTIONS__ALLOWED_DOMAINS", "[gmail.example]"],
      ["STEWARD_STATUS", "{ subscriptions: { channel: m, allowedDomains: [gmail.example] } }"],
    ];
    for (const [variable, value] of cases)
      expect({ variable, message: refusal("", { [variable]: value }) }).toMatchObject({
        variable,
        message: expect.stringContaining(`environment variable ${variable} (from the environment) sets `),
      });
  });

  test("the file allows a setting by listing it; the list itself is never set by a variable", () => {
    const c = load("security: { allowEnvOverrides: [http.host] }\n", { STEWARD_HTTP__HOST: "0.0.0.0", STEWARD_HTTP__PORT: "9000" }).config;
    expect(c.http.host).toBe("0.0.0.0");
    // Listing http.host does not let anonymous access in.
    expect(refusal("security: { allowEnvOverrides: [http.host] }\n", { STEWARD_SECURITY__ALLOW_UNAUTHENTICATED: "true" })).toContain(
      "security.allowUnauthenticated",
    );
    expect(refusal("", { STEWARD_SECURITY__ALLOW_ENV_OVERRIDES: "[http.host, security]" })).toBe(
      "environment variable STEWARD_SECURITY__ALLOW_ENV_OVERRIDES (from the environment) sets security.allowEnvOverrides: which settings variables may widen is said by the config file alone",
    );
    expect(refusal("security: { allowEnvOverrides: [security] }\n", { STEWARD_SECURITY: "{ allowUnauthenticated: true }" })).toContain(
      "said by the config file alone",
    );
    // With "security" listed, its settings (not the list) may come from variables.
    expect(
      load("security: { allowEnvOverrides: [security] }\n", { STEWARD_SECURITY__ALLOW_UNAUTHENTICATED: "true" }).config.security.allowUnauthenticated,
    ).toBe(true);
    // A path that is not a widening setting is a config error naming the key.
    expect(refusal("security: { allowEnvOverrides: [logging] }\n", {})).toContain("security.allowEnvOverrides");
  });

  test("values that do not widen, and settings that do not, pass", () => {
    for (const host of ["127.0.0.1", "127.0.0.2", "::1", "localhost"]) expect(load("", { STEWARD_HTTP__HOST: host }).config.http.host).toBe(host);
    const c = load("store: { postgres: { url: 'postgres://steward@pg.corp.example/steward' } }\n", {
      STEWARD_HTTP__PORT: "8123",
      STEWARD_LOGGING__LEVEL: "debug",
      STEWARD_STORE__POSTGRES__LEASE_TTL_MS: "20000",
    }).config;
    expect(c.http.port).toBe(8123);
    expect(c.store.postgres?.leaseTtlMs).toBe(20_000);
    // Every listed setting is a real config path (a typo would protect nothing).
    for (const s of WIDENING_SETTINGS)
      expect({
        path: s.path,
        ok: refusal("", {
          [`STEWARD_${s.path
            .split(".")
            .map((p) => p.replace(/[A-Z]/g, (m) => `_${m}`).toUpperCase())
            .join("__")}`]: "{}",
        }),
      }).toMatchObject({ path: s.path, ok: expect.not.stringContaining("is not a setting") });
  });
});
