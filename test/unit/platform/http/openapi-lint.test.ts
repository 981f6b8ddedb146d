// /openapi.json checked with a maintained OpenAPI linter (Redocly, its recommended rules), as API tooling and
// client generators read it: no errors and no warnings; every operation has an operationId (generated clients get
// method names), protected operations reference the API-key scheme, and the document names a server.
import { expect, test } from "bun:test";
import { createConfig, lintFromString, stringifyYaml } from "@redocly/openapi-core";
import { createTestApp } from "../../../helpers/app";

/** Single sign-on's routes are registered only when it is set up (the directory is never asked here). */
const SSO = `http: { publicUrl: "http://127.0.0.1:8080" }
security:
  sso: { issuer: "http://127.0.0.1:9", clientId: steward, clientSecret: s, roles: [{ group: g, scopes: [admin] }] }
`;

test.each([
  ["", "/v4/admin/apikeys"],
  [SSO, "/v4/sso/sessions/{id}"],
])("the OpenAPI document passes Redocly's recommended rules (%#)", async (yaml, path) => {
  const t = createTestApp(yaml);
  try {
    const doc = (await (await t.request("/openapi.json")).json()) as { paths: Record<string, Record<string, { operationId?: string; security?: unknown[] }>> };
    // One rule off: /v4/app/{appId}/reload (Butler's) and /v4/app/reloads/{jobId} (Steward's reload jobs) match the
    // same template shape, but an app id is a GUID, never "reloads", so no request is ambiguous; renaming either
    // would break its clients.
    const config = await createConfig({ extends: ["recommended"], rules: { "no-ambiguous-paths": "off" } });
    const problems = await lintFromString({ source: stringifyYaml(doc), absoluteRef: "openapi.yaml", config });
    const shown = problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} @ ${p.location[0]?.pointer ?? ""}`);
    expect(shown).toEqual([]);
    expect(doc.paths[path]).toBeDefined();
    const ops = Object.values(doc.paths).flatMap((p) => Object.values(p));
    expect(ops.length).toBeGreaterThan(50);
    expect(new Set(ops.map((o) => o.operationId)).size).toBe(ops.length);
  } finally {
    await t.close();
  }
});
