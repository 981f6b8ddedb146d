// Text files as Windows tools save them: the config and ${file:} secrets with a UTF-8 BOM, in UTF-16LE, with
// CRLF line ends; none of the encoding marks may reach a value.
import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfigFile, parseConfigText } from "../../../../src/composition/config";
import { readUserTextFile } from "../../../../src/platform/config/read-text";
import { createTempDir } from "../../../helpers/temp-dir";

const tmp = createTempDir();
afterAll(() => tmp.remove());

const utf8Bom = (s: string) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(s, "utf8")]);
const utf16le = (s: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, "utf16le")]);

describe("readUserTextFile", () => {
  test("plain UTF-8 is returned as is (a BOM-like character later in the text stays)", () => {
    writeFileSync(join(tmp.path, "plain.txt"), "å\uFEFFb\r\n");
    expect(readUserTextFile(join(tmp.path, "plain.txt"))).toBe("å\uFEFFb\r\n");
  });

  test("a leading UTF-8 byte-order mark is dropped", () => {
    writeFileSync(join(tmp.path, "bom.txt"), utf8Bom("Bearer tøken\r\n"));
    expect(readUserTextFile(join(tmp.path, "bom.txt"))).toBe("Bearer tøken\r\n");
  });

  test("UTF-16LE with its byte-order mark is decoded", () => {
    writeFileSync(join(tmp.path, "u16.txt"), utf16le("pa55-wörd\r\n"));
    expect(readUserTextFile(join(tmp.path, "u16.txt"))).toBe("pa55-wörd\r\n");
  });
});

describe("config and secrets saved by Windows tools", () => {
  test("${file:} secrets written by PowerShell 5.1 (Set-Content -Encoding UTF8, and >) carry no BOM or CRLF", () => {
    writeFileSync(join(tmp.path, "token.txt"), utf8Bom("Bearer abc123\r\n"));
    writeFileSync(join(tmp.path, "smtp.txt"), utf16le("s3cret\r\n"));
    const { config } = parseConfigText(
      [
        "channels:",
        "  hook: { type: webhook, url: 'http://127.0.0.1:1/x', headers: { Authorization: '${file:token.txt}' } }",
        "  mail: { type: email, smtp: { host: 127.0.0.1, security: none, auth: { user: u, password: '${file:smtp.txt}' } }, from: a@b.example, to: [c@d.example] }",
        "",
      ].join("\n"),
      "c.yaml",
      tmp.path,
    );
    const channels = config.channels as Record<string, { headers?: Record<string, string>; smtp?: { auth?: { password: string } } }>;
    expect(channels.hook?.headers?.Authorization).toBe("Bearer abc123");
    expect(channels.mail?.smtp?.auth?.password).toBe("s3cret");
  });

  test("a UTF-16LE config file with CRLF loads, and errors still name line:col", () => {
    writeFileSync(join(tmp.path, "u16.yaml"), utf16le("http:\r\n  host: 127.0.0.1\r\n  port: 8181\r\n"));
    expect(loadConfigFile(join(tmp.path, "u16.yaml")).config.http).toMatchObject({ host: "127.0.0.1", port: 8181 });
    writeFileSync(join(tmp.path, "u16-bad.yaml"), utf16le('http:\r\n  host: 127.0.0.1\r\n  port: "25x"\r\n'));
    expect(() => loadConfigFile(join(tmp.path, "u16-bad.yaml"))).toThrow('u16-bad.yaml:3:9 http.port: expected number, got "25x"');
  });
});
