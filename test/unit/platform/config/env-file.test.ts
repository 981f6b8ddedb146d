// The secrets file next to the config (steward.yaml → steward.env): how a service gets ${env:…} values on
// Windows (no EnvironmentFile= there) and the file systemd's EnvironmentFile= reads on Linux.
import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { envFileFor, parseEnvFile } from "../../../../src/platform/config/env-file";
import { loadConfigFile } from "../../../../src/composition/config";
import { createTempDir } from "../../../helpers/temp-dir";

const tmp = createTempDir();
afterAll(() => tmp.remove());

describe("secrets file next to the config", () => {
  test("named after the config file", () => {
    expect(envFileFor("/etc/steward/steward.yaml")).toBe("/etc/steward/steward.env");
    expect(envFileFor("/etc/steward/prod.yml")).toBe("/etc/steward/prod.env");
  });

  test("its values fill ${env:…}, are masked as secrets, and the process environment wins", () => {
    const cfg = join(tmp.path, "svc.yaml");
    writeFileSync(cfg, "qlik:\n  host: ${env:STEWARD_T_HOST}\n  clientKeyPassphrase: ${env:STEWARD_T_PASS}\nhttp:\n  port: ${env:STEWARD_T_PORT}\n");
    // UTF-8 with a BOM and CRLF, as Notepad and PowerShell write it.
    writeFileSync(
      join(tmp.path, "svc.env"),
      '\uFEFF# Steward secrets\r\nSTEWARD_T_HOST=sense1.corp.example\r\nSTEWARD_T_PASS="p#ss \\"word\\""\r\n; port\r\nSTEWARD_T_PORT = 8444\r\n',
    );
    const loaded = loadConfigFile(cfg);
    expect(loaded.config.qlik?.host).toBe("sense1.corp.example");
    expect(loaded.config.qlik?.clientKeyPassphrase).toBe('p#ss "word"');
    expect(loaded.config.http.port).toBe(8444);
    expect(loaded.secrets.mask('key p#ss "word" used')).not.toContain("p#ss");
    process.env.STEWARD_T_PORT = "8555";
    try {
      expect(loadConfigFile(cfg).config.http.port).toBe(8555);
    } finally {
      delete process.env.STEWARD_T_PORT;
    }
  });

  test("a variable in neither place names the file; a bad line names file and line", () => {
    const cfg = join(tmp.path, "gap.yaml");
    writeFileSync(cfg, "qlik:\n  host: ${env:STEWARD_T_MISSING}\n");
    writeFileSync(join(tmp.path, "gap.env"), "OTHER=1\n");
    expect(() => loadConfigFile(cfg)).toThrow(`qlik.host: environment variable STEWARD_T_MISSING is not set (nor in ${join(tmp.path, "gap.env")})`);
    // Without a secrets file the message says where one would be read, the place the install pages name.
    const bare = join(tmp.path, "bare.yaml");
    writeFileSync(bare, "qlik:\n  host: ${env:STEWARD_T_MISSING}\n");
    expect(() => loadConfigFile(bare)).toThrow(
      `qlik.host: environment variable STEWARD_T_MISSING is not set (nor is there a secrets file ${join(tmp.path, "bare.env")}, where secrets go: one NAME=value per line)`,
    );
    expect(() => parseEnvFile("A=1\nexport B=2\nC='open\n", "x.env")).toThrow("x.env:2: expected NAME=value");
    expect(() => parseEnvFile("C='open\n", "x.env")).toThrow("x.env:1: C: the value's opening quote is not closed on this line");
    expect(parseEnvFile("A='lit\\\"eral'\nB=  spaced value  \nC=\n", "x.env")).toEqual({ A: 'lit\\"eral', B: "spaced value", C: "" });
  });
});
