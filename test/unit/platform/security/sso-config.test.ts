// security.sso: defaults, and the mistakes an administrator makes when setting it up, each named by its YAML path.
import { describe, expect, test } from "bun:test";
import { parseConfigText } from "../../../../src/composition/config";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { AppError } from "../../../../src/platform/core/errors";
import { configCheckCommand } from "../../../../src/show/cli/config-commands";
import { createTempDir } from "../../../helpers/temp-dir";

const SSO = `security:
  sso:
    issuer: https://login.microsoftonline.com/tenant-1/v2.0
    clientId: steward-app
    clientSecret: directory-secret
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
  test("defaults: openid, profile and email; the groups claim; 24 hours a session, 8 hours idle; a minute of clock skew; back-channel logout", () => {
    const { config } = parseConfigText(`http: { publicUrl: "https://steward.corp.example" }\n${SSO}`, "t.yaml", "/tmp");
    expect(config.security.sso).toEqual({
      issuer: "https://login.microsoftonline.com/tenant-1/v2.0",
      clientId: "steward-app",
      clientSecret: "directory-secret",
      scopes: ["openid", "profile", "email"],
      groupClaim: "groups",
      roles: [{ group: "qlik-admins", scopes: ["admin"] }],
      sessionLifetime: 24 * 3_600_000,
      idleTimeout: 8 * 3_600_000,
      previousTokenKeys: [],
      backChannelLogout: true,
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

describe("the usual mistakes of a single sign-on set-up", () => {
  const PUBLIC = `http: { publicUrl: "https://steward.corp.example" }\n`;

  test("a plain-HTTP public URL beyond loopback: the session cookie would cross the network in clear", () => {
    const e = errorOf(`http: { publicUrl: "http://steward.corp.example:8080" }\n${SSO}`);
    expect(e).toContain("http.publicUrl: single sign-on needs an https:// public URL");
  });

  test("alert links on another address than the one people sign in at", () => {
    const e = errorOf(`${PUBLIC}actionLinks: { publicBaseUrl: "https://qlik-alerts.corp.example" }\n${SSO}`);
    expect(e).toContain("actionLinks.publicBaseUrl: alert links point to https://qlik-alerts.corp.example but people sign in at https://steward.corp.example");
  });

  test("a public client (no client secret) without a token key: its tokens could not be encrypted in the store", () => {
    expect(errorOf(PUBLIC + SSO.replace("    clientSecret: directory-secret\n", ""))).toContain(
      "security.sso.tokenKey: a public client (no clientSecret) needs security.sso.tokenKey",
    );
    expect(errorOf(PUBLIC + SSO.replace("clientSecret: directory-secret", "tokenKey: short"))).toContain(
      "security.sso.tokenKey: must be at least 32 characters",
    );
    const key = "k".repeat(32);
    const { config } = parseConfigText(PUBLIC + SSO.replace("clientSecret: directory-secret", `tokenKey: ${key}`), "t.yaml", "/tmp");
    expect(config.security.sso?.tokenKey).toBe(key);
  });

  test("an idle timeout longer than the session's lifetime would never end a session", () => {
    expect(errorOf(PUBLIC + SSO.replace("    roles:", "    idleTimeout: 48h\n    roles:"))).toContain(
      "security.sso.idleTimeout: the idle timeout is longer than sessionLifetime",
    );
  });

  test("no role: nobody could sign in", () => {
    expect(errorOf(PUBLIC + SSO.replace("    roles:\n      - { group: qlik-admins, scopes: [admin] }\n", ""))).toContain("security.sso.roles: no role maps");
  });

  test("config check names the redirect URI to register and the group claim the tokens must carry", () => {
    const dir = createTempDir("steward-sso-check-");
    try {
      const file = join(dir.path, "steward.yaml");
      writeFileSync(file, `dataDir: ${dir.path}/data\n${PUBLIC}${SSO}`);
      const lines: string[] = [];
      expect(configCheckCommand(file, (s) => lines.push(s))).toBe(0);
      const note = lines.find((l) => l.startsWith("Single sign-on:"))!;
      expect(note).toContain("register the redirect URI https://steward.corp.example/auth/callback");
      expect(note).toContain('the person\'s groups in the "groups" claim');
      expect(lines.find((l) => l.startsWith("Access:"))).toContain("people sign in with the company directory");
    } finally {
      dir.remove();
    }
  });
});
