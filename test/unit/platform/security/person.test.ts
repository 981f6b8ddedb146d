// The two-person rule counts people (issue 104): a key mapped to a person, that person's sign-in with the directory
// and a second key of theirs are one person; a key mapped to no person is a person of its own.
import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { configCheckCommand } from "../../../../src/show/cli/config-commands";
import { createTempDir } from "../../../helpers/temp-dir";
import { keyActorName, personKey, personNamesOf, samePerson } from "../../../../src/platform/security/person";
import { ssoActorName } from "../../../../src/platform/security/sso/identity";
import { twoPersonKeyWarnings } from "../../../../src/start/remediation/approval-keys-check";

const ANNA_SSO = ssoActorName({ subject: "00u8f3c", name: "Anna Svensson", email: "anna@corp.example" });
const ANNA_KEY = keyActorName({ name: "anna-laptop", person: "anna@corp.example" });
const ANNA_OTHER_KEY = keyActorName({ name: "anna-script", person: "ANNA@corp.example" });
const ANNA_BY_SUBJECT = keyActorName({ name: "anna-cli", person: "00u8f3c" });
const BOB_KEY = keyActorName({ name: "bob-laptop", person: "bob@corp.example" });

describe("one person under several credentials", () => {
  test("a key names the person it belongs to", () => {
    expect(ANNA_KEY).toBe("anna-laptop (person:anna@corp.example)");
    expect(keyActorName({ name: "ci-bot" })).toBe("ci-bot");
    expect(personNamesOf(ANNA_SSO)).toEqual(["00u8f3c", "anna@corp.example"]);
    expect(personNamesOf("anna@corp.example (sso:00u8f3c)")).toEqual(["00u8f3c", "anna@corp.example"]);
  });

  test("key and sign-in of one person, two keys of one person, a key by subject: one person", () => {
    expect(samePerson(ANNA_KEY, ANNA_SSO)).toBe(true);
    expect(samePerson(ANNA_SSO, ANNA_KEY)).toBe(true);
    expect(samePerson(ANNA_KEY, ANNA_OTHER_KEY)).toBe(true);
    expect(samePerson(ANNA_BY_SUBJECT, ANNA_SSO)).toBe(true);
    // The link of the mail made for her address is her too.
    expect(samePerson(ANNA_KEY, "anna@corp.example")).toBe(true);
  });

  test("two people, and a key of no person, are distinct", () => {
    expect(samePerson(ANNA_KEY, BOB_KEY)).toBe(false);
    expect(samePerson(ANNA_SSO, BOB_KEY)).toBe(false);
    expect(samePerson("ci-bot", ANNA_SSO)).toBe(false);
    expect(samePerson("ci-bot", ANNA_KEY)).toBe(false);
    expect(samePerson("ci-bot", "CI-BOT")).toBe(true);
  });
});

describe("one person in two forms (issue 103): compared in one form, shown as given", () => {
  test("an address in another case, in decomposed Unicode, with its domain in ASCII, or a claim with spaces: one person", () => {
    expect(samePerson(keyActorName({ name: "k1", person: "Anna@Corp.com" }), keyActorName({ name: "k2", person: "anna@corp.com" }))).toBe(true);
    // "å" as one letter (a config file) and as a + combining ring (a directory's claim).
    const nfc = "\u00e5sa@corp.example";
    const nfd = "a\u030asa@corp.example";
    expect(samePerson(keyActorName({ name: "asa-laptop", person: nfc }), ssoActorName({ subject: "00u77", name: "Åsa", email: nfd }))).toBe(true);
    expect(samePerson(keyActorName({ name: "k1", person: "anna@bücher.example" }), "anna@xn--bcher-kva.example")).toBe(true);
    expect(samePerson(ANNA_KEY, ssoActorName({ subject: "00u8f3c", name: "Anna Svensson", email: " Anna@Corp.Example " }))).toBe(true);
    expect(samePerson(ANNA_KEY, ssoActorName({ subject: "00u9999", name: "", email: "ANNA@corp.example" }))).toBe(true);
  });

  test("the comparable form is the rule's only: the names shown keep their case", () => {
    expect(personKey("  Anna@Corp.COM ")).toBe("anna@corp.com");
    expect(keyActorName({ name: "anna-laptop", person: "Anna@Corp.com" })).toBe("anna-laptop (person:Anna@Corp.com)");
  });

  test("two people in similar forms stay two", () => {
    expect(samePerson(keyActorName({ name: "k1", person: "anna@corp.example" }), keyActorName({ name: "k2", person: "anna@corp.example.org" }))).toBe(false);
    expect(samePerson(ANNA_KEY, ssoActorName({ subject: "00ub0b", name: "Bob", email: "bob@corp.example" }))).toBe(false);
  });
});

describe("config check under the two-person rule", () => {
  const keys = [
    { name: "anna-laptop", person: "anna@corp.example" },
    { name: "ci-bot", person: undefined },
  ];
  test("warns for each key of no person, naming the rule", () => {
    const w = twoPersonKeyWarnings({
      remediation: {
        approval: {
          retry: "two-person",
          rerunCancelled: "one-person",
          reload: "two-person",
          chain: "one-person",
          directStarts: "one-person",
          within: 3_600_000,
        },
      },
      security: { apiKeys: keys },
    });
    expect(w.map((x) => x.path)).toEqual([["security", "apiKeys", 1, "name"]]);
    expect(w[0]!.message).toContain("warning: key ci-bot names no person");
    expect(w[0]!.message).toContain("remediation.approval.retry, remediation.approval.reload");
  });
  test("says nothing under one-person approval", () => {
    const approval = {
      retry: "one-person",
      rerunCancelled: "one-person",
      reload: "one-person",
      chain: "one-person",
      directStarts: "one-person",
      within: 3_600_000,
    } as const;
    expect(twoPersonKeyWarnings({ remediation: { approval }, security: { apiKeys: keys } })).toEqual([]);
    expect(twoPersonKeyWarnings({ security: { apiKeys: keys } })).toEqual([]);
  });
});

test("steward config check prints the warning at the key's line", () => {
  const dir = createTempDir("steward-person-check-");
  try {
    const file = join(dir.path, "steward.yaml");
    const hash = (c: string) => `sha256:${c.repeat(64)}`;
    writeFileSync(
      file,
      `dataDir: ${dir.path}/data
http: { host: 127.0.0.1, port: 8080 }
remediation:
  approval: { retry: two-person }
security:
  apiKeys:
    - { name: anna-laptop, hash: "${hash("a")}", scopes: [tasks], person: anna@corp.example }
    - { name: ci-bot, hash: "${hash("b")}", scopes: [tasks] }
`,
    );
    const lines: string[] = [];
    expect(configCheckCommand(file, (s) => lines.push(s))).toBe(0);
    const warned = lines.filter((l) => l.includes("names no person"));
    expect(warned).toHaveLength(1);
    expect(warned[0]).toStartWith(`${file}:8:`);
    expect(warned[0]).toContain("security.apiKeys[1].name: warning: key ci-bot names no person");
  } finally {
    dir.remove();
  }
});
