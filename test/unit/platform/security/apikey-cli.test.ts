// `steward apikey create|hash`: the printed key verifies against the printed hash, and the YAML entry is a
// valid security section.
import { describe, expect, test } from "bun:test";
import { parse } from "yaml";
import { apikeyCommand } from "../../../../src/show/cli/apikey";
import { UsageError } from "../../../../src/show/cli/usage";
import { SecuritySchema } from "../../../../src/platform/security/config";
import { parseKeyHash, verifyApiKey } from "../../../../src/platform/security/api-keys";

describe("steward apikey", () => {
  test("create prints the key once and a config entry with its hash", async () => {
    const out: string[] = [];
    expect(await apikeyCommand(["create", "--name", "etl", "--scopes", "tasks,kv.read,tasks"], (s) => out.push(s))).toBe(0);
    const text = out.join("\n");
    const key = /^\s+(stw_\S+)$/m.exec(text)![1]!;
    const yamlText = text.slice(text.indexOf("security:"), text.indexOf("\n\nCallers"));
    const cfg = SecuritySchema.parse((parse(yamlText) as { security: unknown }).security);
    expect(cfg.apiKeys).toHaveLength(1);
    expect(cfg.apiKeys[0]!.scopes).toEqual(["tasks", "kv.read"]);
    expect(verifyApiKey(key, parseKeyHash(cfg.apiKeys[0]!.hash))).toBe(true);
    expect(yamlText).not.toContain(key);
    // What a first key changes is said before it is pasted into the config.
    expect(text).toContain("it turns authentication on: callers without a key then keep only what security.anonymous grants");
  });

  test("create --person puts the key's person in the entry (the two-person rule counts it), checked as the config checks it", async () => {
    const out: string[] = [];
    expect(await apikeyCommand(["create", "--name", "anna-laptop", "--scopes", "tasks", "--person", "anna@corp.example"], (s) => out.push(s))).toBe(0);
    const text = out.join("\n");
    const yamlText = text.slice(text.indexOf("security:"), text.indexOf("\n\nCallers"));
    const cfg = SecuritySchema.parse((parse(yamlText) as { security: unknown }).security);
    expect(cfg.apiKeys[0]!.person).toBe("anna@corp.example");
    await expect(apikeyCommand(["create", "--name", "x", "--scopes", "tasks", "--person", "Anna <anna@corp.example>"], () => {})).rejects.toThrow("--person");
  });

  test("hash reads the key from stdin; scrypt on request", async () => {
    const out: string[] = [];
    await apikeyCommand(
      ["hash", "--hash", "scrypt"],
      (s) => out.push(s),
      async () => "stw_abc\n",
    );
    expect(verifyApiKey("stw_abc", parseKeyHash(out[0]!))).toBe(true);
  });

  test("usage errors", async () => {
    await expect(apikeyCommand(["create", "--name", "x"], () => {})).rejects.toThrow(UsageError);
    await expect(apikeyCommand(["create", "--name", "x", "--scopes", "root"], () => {})).rejects.toThrow('unknown scope "root"');
    await expect(apikeyCommand(["create", "--name", "bad name", "--scopes", "admin"], () => {})).rejects.toThrow("--name");
  });
});
