// Secrets never reach a log line: registered values are masked in any field, secret-named keys by name.
import { describe, expect, test } from "bun:test";
import { createLogger, loadPrettyPrinter, type PrettyPrinter } from "../../../../src/platform/core/logger";
import { createSecretRegistry } from "../../../../src/platform/core/redaction";

function capture(format: "json" | "pretty" = "json", pretty?: PrettyPrinter) {
  const lines: string[] = [];
  const secrets = createSecretRegistry();
  const log = createLogger({ level: "debug", format, secrets, write: (l) => lines.push(l), ...(pretty ? { pretty } : {}) });
  return { lines, secrets, log };
}

describe("logger redaction", () => {
  test("a registered secret is masked wherever it appears", () => {
    const { lines, secrets, log } = capture();
    secrets.add("s3cr3t-smtp-pass");
    log.info({ smtp: { host: "mail", auth: { user: "u", pw: "s3cr3t-smtp-pass" } } }, "connecting with s3cr3t-smtp-pass");
    expect(lines.join("")).not.toContain("s3cr3t-smtp-pass");
    expect(lines.join("")).toContain("[REDACTED]");
  });

  test("secret-named keys are masked even when the value was never registered", () => {
    const { lines, log } = capture();
    log.warn({ password: "abc-unregistered", apiKey: "k-123456", nested: { token: "t-987654" }, user: "anna" }, "x");
    const line = JSON.parse(lines[0]!);
    expect(line.password).toBe("[REDACTED]");
    expect(line.apiKey).toBe("[REDACTED]");
    expect(line.nested.token).toBe("[REDACTED]");
    expect(line.user).toBe("anna");
  });

  test("values with quotes are masked in their JSON-escaped form", () => {
    const { lines, secrets, log } = capture();
    secrets.add('pa"ss\\word');
    log.info({ note: 'pa"ss\\word' }, "y");
    expect(lines[0]).not.toContain('pa\\"ss');
    expect(JSON.parse(lines[0]!).note).toBe("[REDACTED]");
  });

  test("pretty format is masked too", async () => {
    const { lines, secrets, log } = capture("pretty", await loadPrettyPrinter());
    secrets.add("pretty-secret-value");
    log.info("value pretty-secret-value");
    expect(lines.join("")).toContain("[REDACTED]");
    expect(lines.join("")).not.toContain("pretty-secret-value");
  });

  test("the pretty format without its printer is refused, not printed as JSON", () => {
    expect(() => capture("pretty")).toThrow("loadPrettyPrinter");
  });
});
