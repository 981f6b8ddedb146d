// A reload that changes security.sso says it needs a restart (the sign-in routes and the directory client are made at
// start), as security.tls does; keys and roles elsewhere in security still apply at once.
import { expect, test } from "bun:test";
import { parseConfigText } from "../../../../src/composition/config";
import { securityReconfigurable } from "../../../../src/platform/security/reconfigure";
import type { Security } from "../../../../src/platform/security/setup";

const config = (roles: string) =>
  parseConfigText(
    `http: { publicUrl: "https://steward.corp.example" }\nsecurity:\n  sso:\n    issuer: https://idp.corp.example/realms/qlik\n    clientId: steward\n    clientSecret: directory-secret\n    roles: [${roles}]\n`,
    "t.yaml",
    "/tmp",
  );

test("a change of security.sso is listed as needing a restart; the same config is not", () => {
  // pendingRestart compares two configs only: the running security service is not asked.
  const r = securityReconfigurable({} as Security, () => "127.0.0.1");
  const started = config("{ group: qlik-admins, scopes: [admin] }");
  expect(r.pendingRestart!(config("{ group: qlik-admins, scopes: [admin] }"), started)).toEqual([]);
  expect(r.pendingRestart!(config("{ group: qlik-ops, scopes: [admin] }"), started)).toEqual(["security.sso"]);
});
