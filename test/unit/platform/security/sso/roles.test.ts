// security.sso.roles: a person's scopes are the union of every rule their ID token matches, by group or by another
// claim's value; a list or a single string claim alike; nothing matched is no scope.
import { describe, expect, test } from "bun:test";
import { scopesOf } from "../../../../../src/platform/security/sso/roles";

const cfg = {
  groupClaim: "groups",
  roles: [
    { group: "qlik-admins", scopes: ["admin"] },
    { group: "qlik-ops", scopes: ["read", "tasks"] },
    { claim: "roles", equals: "Steward.Status", scopes: ["status"] },
  ],
};

describe("groups to scopes", () => {
  test("the union of every rule matched, by group and by claim", () => {
    expect(scopesOf(cfg, { groups: ["qlik-ops", "staff"], roles: ["Steward.Status"] })).toEqual(["read", "tasks", "status"]);
  });
  test("a claim holding one string counts as a list of one", () => {
    expect(scopesOf(cfg, { groups: "qlik-admins" })).toEqual(["admin"]);
    expect(scopesOf(cfg, { roles: "Steward.Status" })).toEqual(["status"]);
  });
  test("no group mapped, no group claim, or a claim of another type: no scope", () => {
    expect(scopesOf(cfg, { groups: ["marketing"] })).toEqual([]);
    expect(scopesOf(cfg, {})).toEqual([]);
    expect(scopesOf(cfg, { groups: [42, { name: "qlik-admins" }] })).toEqual([]);
  });
  test("the group claim's name is the config's (ADFS sends role, Keycloak may send a custom one)", () => {
    expect(scopesOf({ ...cfg, groupClaim: "role" }, { role: ["qlik-admins"], groups: ["qlik-ops"] })).toEqual(["admin"]);
  });
});
