// The configuration reference (docs/configuration-reference.md) is what the schema says: the checked-in page is
// current, every key has a description and an example from the schema or config/full.yaml, every example is valid
// where it goes, and `steward config explain` prints the page's entry for a key.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigSchema, stewardConfigReader } from "../../../../src/composition/config";
import {
  exampleFor,
  explainKey,
  generateReferencePage,
  referenceSource,
  renderEntryText,
  REFERENCE_PAGE,
  REGENERATE_COMMAND,
  type ReferenceEntry,
} from "../../../../src/platform/config/reference";
import { main } from "../../../../src/main";

const ROOT = join(import.meta.dir, "../../../..");
const source = referenceSource(stewardConfigReader);
const { entries, fullYaml } = source;
const title = (e: ReferenceEntry) => (e.variant ? `${e.path} (${e.variant})` : e.path);

// Each of the three heavy tests below builds or checks every entry of the reference: seconds alone, more on a busy machine.
const HEAVY = { timeout: 60_000 };

describe("configuration reference", () => {
  test(`${REFERENCE_PAGE} is current (regenerate: ${REGENERATE_COMMAND})`, HEAVY, () => {
    const committed = readFileSync(join(ROOT, REFERENCE_PAGE), "utf8");
    // Compared line by line, so a failure shows the first lines that differ rather than two whole pages.
    const want = generateReferencePage(source).split("\n");
    const have = committed.split("\n");
    const first = want.findIndex((line, i) => line !== have[i]);
    expect(
      first === -1 && have.length === want.length
        ? "current"
        : `differs from line ${first + 1}: ${JSON.stringify(have[first])} should be ${JSON.stringify(want[first])}`,
    ).toBe("current");
  });

  test("covers every key of the schema, sections included", () => {
    const paths = new Set(entries.map((e) => e.path));
    for (const p of [
      "dataDir",
      "notify.outbox.maxAttempts",
      "channels.*.type",
      "channels.*.smtp.host",
      "routes.*.on",
      "security.apiKeys.*.scopes",
      "store.postgres.url",
    ]) {
      expect(paths.has(p)).toBe(true);
    }
    expect(entries.filter((e) => e.variant === "email").length).toBeGreaterThan(15);
  });

  test("every key has a description in the schema (add .describe() in src/platform/config or the channel's schema)", () => {
    expect(entries.filter((e) => !e.description).map(title)).toEqual([]);
  });

  test("every key that is not a section has an example (full.yaml, .meta({ examples }) or a default)", () => {
    expect(entries.filter((e) => e.children.length === 0 && !exampleFor(e, fullYaml)).map(title)).toEqual([]);
  });

  test("every example is valid where it goes: put into config/full.yaml, the config still passes the schema", HEAVY, () => {
    const bad: string[] = [];
    for (const e of entries) {
      const ex = e.children.length === 0 ? exampleFor(e, fullYaml) : undefined;
      if (!ex) continue;
      const alone = structuredClone(fullYaml) as Record<string, unknown>;
      placeExample(alone, ex.at, ex.value, e);
      if (safeParseOnce(withPlaceholdersFilled(alone)).success) continue;
      // Keys that go together (tls.certFile needs tls.keyFile): the example beside its siblings' examples.
      const together = structuredClone(fullYaml) as Record<string, unknown>;
      for (const sibling of siblingsOf(e)) {
        const sx = exampleFor(sibling, fullYaml);
        if (sx) placeExample(together, [...ex.at.slice(0, -1), sibling.path.split(".").pop()!], sx.value, sibling);
      }
      placeExample(together, ex.at, ex.value, e);
      const parsed = safeParseOnce(withPlaceholdersFilled(together));
      if (!parsed.success) bad.push(`${title(e)}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    }
    expect(bad).toEqual([]);
  });

  test("an example labelled yaml is a config `config check` accepts alone; one that is not is labelled a fragment", HEAVY, () => {
    const page = readFileSync(join(import.meta.dir, "../../../..", REFERENCE_PAGE), "utf8");
    const blocks = [...page.matchAll(/```(yaml(?: fragment)?)\n([\s\S]*?)```/g)].map((m) => ({ fragment: m[1] !== "yaml", text: m[2]! }));
    const env = new Proxy({} as Record<string, string>, { get: (_t, n) => (typeof n === "string" ? n : undefined) });
    // Steward's reader with one schema for the hundred-odd blocks (the reader builds it per parse otherwise).
    const reader = stewardConfigReader.keepingSchema();
    const alone = (text: string) => {
      try {
        reader.parseConfigText(text, "example.yaml", "/", { env });
        return true;
      } catch {
        return false;
      }
    };
    expect(blocks.filter((b) => b.fragment).length).toBeGreaterThan(50);
    expect(blocks.filter((b) => !b.fragment).length).toBeGreaterThan(50);
    const mislabelled = blocks.filter((b) => alone(b.text) === b.fragment).map((b) => b.text.split("\n")[0]);
    expect(mislabelled).toEqual([]);
  });

  test("the types read as a person would say them", () => {
    const type = (p: string) => entries.find((e) => e.path === p)?.type;
    expect(type("notify.outbox.maxAttempts")).toBe("integer, 1–1000");
    expect(type("notify.outbox.maxAge")).toBe("duration (e.g. 500ms, 30s, 5m, 1h30m, 7d)");
    expect(type("logging.level")).toBe("one of: fatal, error, warn, info, debug, trace, silent");
    expect(type("udp.allowedSources")).toBe("list of text");
    expect(type("channels")).toBe(
      "map of name → section (type: email, slack, teams, webhook, mqtt, influxdb, signl4, newrelic, pagerduty, opsgenie, alertmanager)",
    );
    expect(type("mqtt.taskStart.qos")).toBe("one of: 0, 1, 2");
    // A union's forms as they are written: not "exactly once, or exactly every, or section".
    expect(type("routes.*.renotify")).toBe("once, or every, or { nth }, or { digest }");
  });
});

describe("steward config explain", () => {
  const run = async (args: string[]) => {
    const lines: string[] = [];
    const log = console.log;
    console.log = (s: string) => lines.push(s);
    try {
      return { code: await main(["config", "explain", ...args]), out: lines.join("\n") };
    } catch (err) {
      return { code: -1, out: (err as Error).message };
    } finally {
      console.log = log;
    }
  };

  test("prints the page's entry: type, default, description and the example", async () => {
    const r = await run(["notify.outbox.maxAttempts"]);
    expect(r.code).toBe(0);
    const entry = entries.find((e) => e.path === "notify.outbox.maxAttempts")!;
    expect(r.out).toBe(renderEntryText(entry, source));
    expect(r.out).toContain("Type: integer, 1–1000 · Default: 100");
    expect(r.out).toContain("dead-lettered");
    expect(r.out).toContain("    notify:\n      outbox:\n        maxAttempts: 100");
    // The page says the same: description, default and example.
    const page = readFileSync(join(ROOT, REFERENCE_PAGE), "utf8");
    const section = page.slice(page.indexOf("### `notify.outbox.maxAttempts`"), page.indexOf("### `notify.outbox.keep`"));
    expect(section).toContain(entry.description!);
    expect(section).toContain("Default: `100`");
    expect(section).toContain("notify:\n  outbox:\n    maxAttempts: 100");
  });

  test("a channel's key by the reference's path, or by a channel's own name", async () => {
    const star = await run(["channels.*.type"]);
    expect(star.out).toContain("one of: email, slack, teams, webhook, mqtt, influxdb, signl4, newrelic");
    const named = await run(["channels.ops-mail.smtp.host"]);
    expect(named.out).toStartWith("channels.*.smtp.host (type: email)");
    const index = await run(["routes[0].on"]);
    expect(index.out).toStartWith("routes.*.on");
    // The same name under several channel types: each is explained.
    const url = await run(["channels.*.url"]);
    expect(url.out.match(/^channels\.\*\.url \(type: \w+\)$/gm)?.length).toBeGreaterThanOrEqual(4);
  });

  test("an unknown key gets a suggestion and exit code 2", async () => {
    const cases: Array<[string, string]> = [
      ["notify.outbox.maxAttempt", "did you mean notify.outbox.maxAttempts?"],
      ["kv.maxValueByte", "did you mean kv.maxValueBytes?"],
      ["channels.ops-mail.smtp.hots", "did you mean channels.ops-mail.smtp.host?"],
      ["maxAttempts", "did you mean notify.outbox.maxAttempts?"],
      ["nosuchthing", "Top-level keys: $schema, dataDir"],
      // A Butler key, asked by someone who has Butler's file in front of them: where it goes is the import's job.
      [
        "Butler.emailNotification.smtp.host",
        "'Butler.emailNotification.smtp.host' is a key of Butler's config, not Steward's: steward config import-butler BUTLER.yaml converts the file, and its report says what became of each key (docs/switching-from-butler.md)",
      ],
    ];
    for (const [key, hint] of cases) {
      const r = explainKey(key, source);
      expect(r.ok ? "explained" : r.message).toContain(hint);
    }
    const { exitCodeFor } = await import("../../../../src/main");
    try {
      await main(["config", "explain", "notify.outbox.maxAttempt"]);
      throw new Error("no error");
    } catch (err) {
      expect(exitCodeFor(err)).toBe(2);
    }
  });
});

/**
 * ConfigSchema.safeParse, once per distinct document: most examples are full.yaml's own value, so placing one leaves
 * the document as it was (795 parses of 173 documents); the schema's answer is a function of the document alone.
 * The key tells an undefined value from a missing key, and Infinity or NaN from null, which JSON.stringify alone would not.
 */
const parsedDocuments = new Map<string, ReturnType<typeof ConfigSchema.safeParse>>();
function safeParseOnce(doc: unknown): ReturnType<typeof ConfigSchema.safeParse> {
  const key = JSON.stringify(doc, (_k, v: unknown) =>
    v === undefined ? { "\u0000undefined": true } : typeof v === "number" && !Number.isFinite(v) ? { "\u0000number": String(v) } : v,
  );
  let parsed = parsedDocuments.get(key);
  if (!parsed) {
    parsed = ConfigSchema.safeParse(doc);
    parsedDocuments.set(key, parsed);
  }
  return parsed;
}

/** Sets `value` at `at`, creating what is missing; a new object gets the keys its schema requires, from their examples. */
function placeExample(doc: Record<string, unknown>, at: Array<string | number>, value: unknown, entry: ReferenceEntry): void {
  let node: Record<string | number, unknown> = doc;
  const segs = entry.path.split(".");
  for (let i = 0; i < at.length - 1; i++) {
    const key = at[i]!;
    if (node[key] === undefined || node[key] === null) {
      const prefix = segs.slice(0, i + 1).join(".");
      node[key] = typeof at[i + 1] === "number" ? [] : requiredKeys(prefix, entry.variant);
    }
    // A list item given as plain text in full.yaml (a service name) becomes the object form the example needs.
    if (typeof node[key] !== "object") node[key] = requiredKeys(segs.slice(0, i + 1).join("."), entry.variant);
    node = node[key] as Record<string | number, unknown>;
  }
  node[at[at.length - 1]!] = value;
}

function siblingsOf(entry: ReferenceEntry): ReferenceEntry[] {
  const parent = entry.path.split(".").slice(0, -1).join(".");
  return entries.filter(
    (e) =>
      e !== entry &&
      e.children.length === 0 &&
      e.variant === entry.variant &&
      e.path.startsWith(`${parent}.`) &&
      e.path.split(".").length === entry.path.split(".").length,
  );
}

function requiredKeys(prefix: string, variant: string | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (variant !== undefined && /^channels\.\*$/.test(prefix)) out.type = variant;
  for (const e of entries) {
    if (!e.required || e.path.split(".").length !== prefix.split(".").length + 1 || !e.path.startsWith(`${prefix}.`)) continue;
    if (e.variant !== undefined && e.variant !== variant) continue;
    const ex = exampleFor(e, fullYaml);
    if (ex) out[e.path.split(".").pop()!] = ex.value;
  }
  return out;
}

/** The ${env:…} placeholders of full.yaml and the examples replaced by values shaped like the real thing. */
function withPlaceholdersFilled(value: unknown): unknown {
  if (typeof value === "string") {
    return value.replace(/\$\{env:([^}]+)\}/g, (_m, name: string) =>
      /URL|WEBHOOK/.test(name) ? `https://hooks.example.invalid/${name.toLowerCase()}` : `example-${name.toLowerCase()}-value`,
    );
  }
  if (Array.isArray(value)) return value.map(withPlaceholdersFilled);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withPlaceholdersFilled(v)]));
  return value;
}
