// Config semantics: defaults of an empty file, relative dataDir, placeholder substitution and secrets.
import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { defaultConfig, loadConfigFile, parseConfigText } from "../../../../src/composition/config";
import { createSecretRegistry } from "../../../../src/platform/core/redaction";
import { createTempDir } from "../../../helpers/temp-dir";

const tmp = createTempDir();
afterAll(() => tmp.remove());

describe("defaults", () => {
  test("an empty file is a valid config with the documented defaults", () => {
    const { config } = parseConfigText("", "empty.yaml", "/srv/steward");
    expect(config.http).toMatchObject({ enabled: true, host: "127.0.0.1", port: 8080 });
    expect(config.udp).toMatchObject({ enabled: true, host: "0.0.0.0", port: 9998 });
    expect(config.dataDir).toBe("/srv/steward/data");
    expect(config.logging).toEqual({ level: "info", format: "json" });
    expect(config.qlik).toBeUndefined();
  });

  test("a comment-only file is empty too", () => {
    expect(parseConfigText("# nothing here\n", "c.yaml", "/x").config.http.port).toBe(8080);
  });

  test("dataDir is relative to the config file's folder", () => {
    const file = join(tmp.path, "steward.yaml");
    writeFileSync(file, "dataDir: ./state\n");
    expect(loadConfigFile(file).config.dataDir).toBe(join(tmp.path, "state"));
    expect(defaultConfig("/opt/s").config.dataDir).toBe("/opt/s/data");
  });

  test("a missing file is a config error naming the file", () => {
    expect(() => loadConfigFile(join(tmp.path, "nope.yaml"))).toThrow(/cannot read config file .*nope\.yaml/);
  });
});

describe("placeholders", () => {
  test("${env:NAME} is replaced; a whole unquoted placeholder is typed like YAML", () => {
    const { config } = parseConfigText("http:\n  port: ${env:PORT}\n  host: ${env:HOST}\n", "c.yaml", "/x", { env: { PORT: "18123", HOST: "::1" } });
    expect(config.http.port).toBe(18123);
    expect(config.http.host).toBe("::1");
  });

  test("a quoted placeholder stays a string (so numeric passwords stay strings)", () => {
    const r = () => parseConfigText('http:\n  port: "${env:PORT}"\n', "c.yaml", "/x", { env: { PORT: "18123" } });
    expect(r).toThrow('c.yaml:2:9 http.port: expected number, got "18123"');
  });

  test("placeholders inside longer strings", () => {
    const { config } = parseConfigText("qlik:\n  host: sense-${env:ENV}.corp.example\n", "c.yaml", "/x", { env: { ENV: "prod" } });
    expect(config.qlik?.host).toBe("sense-prod.corp.example");
  });

  test("${file:PATH} reads a file relative to the config folder, without its trailing newline", () => {
    writeFileSync(join(tmp.path, "host.txt"), "sense9.corp.example\n");
    const { config } = parseConfigText("qlik:\n  host: ${file:host.txt}\n", "c.yaml", tmp.path);
    expect(config.qlik?.host).toBe("sense9.corp.example");
  });

  test("Butler's own config file given to Steward says what it is and how to convert it, not only 'unknown key'", () => {
    expect(() => parseConfigText("Butler:\n  logLevel: info\n", "butler.yaml", "/x", { env: {} })).toThrow(
      "butler.yaml:1:1 Butler: this is a Butler config file, not Steward's: convert it with steward config import-butler butler.yaml --out steward.yaml (docs/switching-from-butler.md)",
    );
  });

  test("a missing variable or file names the key and the line", () => {
    expect(() => parseConfigText("qlik:\n  host: ${env:NOPE_NOT_SET}\n", "c.yaml", "/x", { env: {} })).toThrow(
      "c.yaml:2:9 qlik.host: environment variable NOPE_NOT_SET is not set",
    );
    expect(() => parseConfigText("qlik:\n  host: ${file:missing.txt}\n", "c.yaml", tmp.path)).toThrow(
      /c\.yaml:2:9 qlik\.host: cannot read file .*missing\.txt/,
    );
  });

  test("a malformed placeholder is refused with the key, the line and the fix, never passed on as text", () => {
    const check = (value: string) => () => parseConfigText(`qlik:\n  host: "${value}"\n`, "c.yaml", "/x", { env: { SMTP_HOST: "mail" } });
    expect(check("${SMTP_HOST}")).toThrow(
      'c.yaml:2:9 qlik.host: "${SMTP_HOST}" names no source: write "${env:SMTP_HOST}" for an environment variable or "${file:PATH}" for a file',
    );
    expect(check("${env:SMTP_HOST")).toThrow('c.yaml:2:9 qlik.host: placeholder "${env:SMTP_HOST" is not closed: end it with "}"');
    expect(check("${env:}")).toThrow('c.yaml:2:9 qlik.host: placeholder "${env:}" names no variable: write "${env:NAME}"');
    expect(check("${env: }")).toThrow("names no variable");
    expect(check("${file:}")).toThrow('names no file: write "${file:PATH}"');
    expect(check("${ENV:SMTP_HOST}")).toThrow('has an unknown source "ENV": write "${env:SMTP_HOST}" (lower case)');
    expect(check("${vault:x}")).toThrow('unknown source "vault": the sources are "env" and "file"');
    expect(check("a-${env:SMTP_HOST}-${oops}")).toThrow('"${oops}" names no source');
  });

  test("every malformed placeholder of a file is listed, each with its own line", () => {
    const text = "qlik:\n  host: ${SMTP_HOST}\nhttp:\n  host: ${env:X\n";
    let message = "";
    try {
      parseConfigText(text, "c.yaml", "/x", { env: {} });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain("c.yaml:2:9 qlik.host:");
    expect(message).toContain("c.yaml:4:9 http.host:");
  });

  test('"$${" writes a literal "${"', () => {
    const { config } = parseConfigText('qlik:\n  host: "a$${b}c"\n', "c.yaml", "/x", { env: {} });
    expect(config.qlik?.host).toBe("a${b}c");
  });

  test("substituted values and secret-named keys are registered as secrets", () => {
    const secrets = createSecretRegistry();
    writeFileSync(join(tmp.path, "key.pass"), "hunter2-file-secret\n");
    parseConfigText("qlik:\n  host: ${env:QHOST}\n  clientKeyPassphrase: ${file:key.pass}\n", "c.yaml", tmp.path, {
      env: { QHOST: "sense-secret-host" },
      secrets,
    });
    expect(secrets.mask("connect sense-secret-host with hunter2-file-secret")).toBe("connect [REDACTED] with [REDACTED]");
  });

  test("plain values under secret-named keys are secrets too", () => {
    const secrets = createSecretRegistry();
    parseConfigText("qlik:\n  host: h\n  clientKeyPassphrase: plain-text-passphrase\n", "c.yaml", "/x", { secrets });
    expect(secrets.mask('{"msg":"plain-text-passphrase"}')).toBe('{"msg":"[REDACTED]"}');
  });
});

describe("errors", () => {
  test("a duplicate key is named, at the second one", () => {
    expect(() => parseConfigText("http:\n  port: 1\n  port: 2\n", "c.yaml", "/x")).toThrow(
      'c.yaml:3:3 YAML syntax: the key "port" appears twice in one mapping (the second one is here); keep one',
    );
    expect(() => parseConfigText('qlik:\n  host: a\n"qlik":\n  host: b\n', "c.yaml", "/x")).toThrow('the key "qlik" appears twice');
  });

  test("a tab is one message, not one per thing the parser then made of the line", () => {
    let message = "";
    try {
      parseConfigText("http:\n  port: 1\n\t  host: x\n  extra: 2\n", "c.yaml", "/x");
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe("c.yaml:3:1 YAML syntax: a tab is used for indentation; YAML needs spaces (replace the tab with spaces)");
  });

  test("several problems are all reported, one line each", () => {
    try {
      parseConfigText("http:\n  port: x\n  hots: a\nudp:\n  port: -1\n", "s.yaml", "/x");
      throw new Error("expected a config error");
    } catch (e) {
      const lines = (e as Error).message.split("\n");
      expect(lines).toContain('s.yaml:2:9 http.port: expected number, got "x"');
      expect(lines).toContain('s.yaml:3:3 http.hots: unknown key (did you mean "host"?)');
      expect(lines.some((l) => l.startsWith("s.yaml:5:9 udp.port:"))).toBe(true);
    }
  });

  test("no suggestion when nothing is close", () => {
    expect(() => parseConfigText("http:\n  zzzzzzzz: 1\n", "s.yaml", "/x")).toThrow("s.yaml:2:3 http.zzzzzzzz: unknown key");
  });
});
