// security.sso: defaults, and the mistakes an administrator makes when setting it up, each named by its YAML path.
import { describe, expect, test } from "bun:test";
import { parseConfigText } from "../../../../src/composition/config";
import { AppError } from "../../../../src/platform/core/errors";

const SSO = `security:
  sso:
    issuer: https://login.microsoftonline.com/tenant-1/v2.0
    clientId: steward-app
    roles:
      - { group: qlik-admins, scopes: [admin] }
`;

function errorOf(yaml: string): string {
  try {
    parseConfigText(yaml, "t.yaml", "/tmp");
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return (e as AppError).message;
  }
  throw new Error("expected the config to be rejected");
}

describe("security.sso config", () => {
  test("defaults: openid, profile and email; the groups claim; 8 hours a session; a minute of clock skew", () => {
    const { config } = parseConfigText(`http: { publicUrl: "https://steward.corp.example" }\n${SSO}`, "t.yaml", "/tmp");
    expect(config.security.sso).toEqual({
      issuer: "https://login.microsoftonline.com/tenant-1/v2.0",
      clientId: "steward-app",
      scopes: ["openid", "profile", "email"],
      groupClaim: "groups",
      roles: [{ group: "qlik-admins", scopes: ["admin"] }],
      sessionLifetime: 8 * 3_600_000,
      clockSkew: 60_000,
      requireForActions: false,
      label: "your company account",
    });
  });

  test("no http.publicUrl: the directory has nowhere to send people back to", () => {
    expect(errorOf(SSO)).toContain("http.publicUrl");
    expect(errorOf(SSO)).toContain("/auth/callback");
  });

  test("an http:// issuer on another machine is refused; one on loopback (a test directory) is not", () => {
    const url = `http: { publicUrl: "https://steward.corp.example" }\n`;
    expect(errorOf(url + SSO.replace("https://login.microsoftonline.com/tenant-1/v2.0", "http://idp.corp.example/realms/qlik"))).toContain(
      "security.sso.issuer",
    );
    const { config } = parseConfigText(url + SSO.replace("https://login.microsoftonline.com/tenant-1/v2.0", "http://127.0.0.1:8080"), "t.yaml", "/tmp");
    expect(config.security.sso?.issuer).toBe("http://127.0.0.1:8080");
  });

  test("a role names a group, or a claim with its value, never both or neither", () => {
    const url = `http: { publicUrl: "https://steward.corp.example" }\n`;
    expect(errorOf(url + SSO.replace("{ group: qlik-admins, scopes: [admin] }", "{ scopes: [admin] }"))).toContain("security.sso.roles[0].group");
    expect(errorOf(url + SSO.replace("{ group: qlik-admins, scopes: [admin] }", "{ claim: roles, scopes: [read] }"))).toContain("security.sso.roles[0].equals");
    expect(errorOf(url + SSO.replace("scopes: [admin]", "scopes: [ack]"))).toContain("security.sso.roles[0].scopes[0]");
  });
});
