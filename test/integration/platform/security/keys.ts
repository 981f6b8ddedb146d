// Test keys: one API key per grantable scope, plus the YAML that configures them.
import { GRANTABLE_SCOPES } from "../../../../src/platform/security/config";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";

export type GrantableScope = (typeof GRANTABLE_SCOPES)[number];

export interface ScopeKeys {
  keys: Record<GrantableScope, string>;
  /**
   * `  apiKeys:` block lines (indented for a `security:` mapping), and `anonymous: { scopes: [] }`: these tests are about
   * what each key opens, so callers without a key keep nothing (first-key.test.ts and anonymous.test.ts test the grant).
   */
  yaml: string;
}

export function keysPerScope(): ScopeKeys {
  const keys = {} as Record<GrantableScope, string>;
  const lines = ["  apiKeys:"];
  for (const scope of GRANTABLE_SCOPES) {
    const key = generateApiKey();
    keys[scope] = key;
    lines.push(`    - { name: "key-${scope}", hash: "${hashApiKey(key)}", scopes: [${scope}] }`);
  }
  lines.push("  anonymous: { scopes: [] }");
  return { keys, yaml: lines.join("\n") };
}

/** A concrete path for a route pattern: `:param` and `:param{regex}` become sample values, `*` becomes "x". */
export function samplePath(pattern: string): string {
  return pattern
    .replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, (_m, name: string) => (/id$/i.test(name) ? "00000000-0000-4000-8000-000000000000" : `sample-${name}`))
    .replace(/\*/g, "x");
}
