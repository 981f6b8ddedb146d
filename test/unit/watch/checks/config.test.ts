// The dataChecks section: defaults, and every mistake reported with the file, line and key, as
// `steward config check` prints it (an expectation that does not parse included).
import { describe, expect, test } from "bun:test";
import { parseConfigText } from "../../../../src/composition/config";
import { AppError } from "../../../../src/platform/core/errors";

const QLIK = "qlik: { host: sense1.corp.example }\n";

function errorOf(yaml: string): string {
  try {
    parseConfigText(yaml, "t.yaml", "/tmp");
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return (e as AppError).message;
  }
  throw new Error("expected the config to be rejected");
}

describe("dataChecks config", () => {
  test("defaults: one app at a time, 2 minutes per app, block holds on errors too, 90 days of history", () => {
    const { config } = parseConfigText(
      `${QLIK}dataChecks:\n  checks:\n    - { name: rows, expression: "NoOfRows('Orders')", expect: "> 0", apps: [Sales] }\n`,
      "t.yaml",
      "/tmp",
    );
    expect(config.dataChecks).toEqual({
      enabled: true,
      engine: {},
      concurrency: 1,
      timeout: 120_000,
      retryDelay: 15_000,
      customProperty: "StewardChecks",
      holdOnError: true,
      maxWait: 1_800_000,
      keep: 90 * 86_400_000,
      checks: [{ name: "rows", expression: "NoOfRows('Orders')", expect: "> 0", severity: "warn", apps: ["Sales"] }],
    });
  });

  test.each([
    [
      "an expectation that does not parse, at its line",
      `${QLIK}dataChecks:\n  checks:\n    - name: rows\n      expression: NoOfRows('Orders')\n      expect: "between 5"\n      apps: [Sales]\n`,
      't.yaml:6:15 dataChecks.checks[0].expect: expectation: expected "and" at position 10 (found the end), got "between 5"',
    ],
    [
      "an unknown name in an expectation",
      `${QLIK}dataChecks:\n  checks:\n    - { name: fresh, expression: Max(OrderDate), expect: ">= yesterday", apps: [Sales] }\n`,
      't.yaml:4:58 dataChecks.checks[0].expect: expectation: unknown name "yesterday" at position 4',
    ],
    [
      "a check attached to nothing",
      `${QLIK}dataChecks:\n  checks:\n    - { name: rows, expression: "NoOfRows('Orders')", expect: "> 0" }\n`,
      't.yaml:4:7 dataChecks.checks[0]: check "rows" is attached to nothing',
    ],
    [
      "a name used twice",
      `${QLIK}dataChecks:\n  checks:\n    - { name: rows, expression: "1", expect: "> 0", sets: [a] }\n    - { name: Rows, expression: "2", expect: "> 0", sets: [a] }\n`,
      't.yaml:5:15 dataChecks.checks[1].name: check name "Rows" is used twice (also checks[0])',
    ],
    [
      "a severity that does not exist",
      `${QLIK}dataChecks:\n  checks:\n    - { name: rows, expression: "1", expect: "> 0", sets: [a], severity: fatal }\n`,
      't.yaml:4:74 dataChecks.checks[0].severity: expected "warn" | "block", got "fatal"',
    ],
    [
      "without qlik:",
      `dataChecks:\n  checks:\n    - { name: rows, expression: "1", expect: "> 0", sets: [a] }\n`,
      "t.yaml:2:3 dataChecks: dataChecks evaluate expressions in the Engine",
    ],
    [
      "an influxChannel that is not an influxdb channel",
      `${QLIK}channels:\n  hook: { type: webhook, url: "http://x" }\ndataChecks:\n  influxChannel: hook\n  checks:\n    - { name: rows, expression: "1", expect: "> 0", sets: [a] }\n`,
      't.yaml:5:18 dataChecks.influxChannel: no influxdb channel named "hook"',
    ],
    [
      "a misspelt key",
      `${QLIK}dataChecks:\n  concurency: 2\n  checks:\n    - { name: rows, expression: "1", expect: "> 0", sets: [a] }\n`,
      "t.yaml:3:3 dataChecks.concurency: unknown key",
    ],
  ])("%s", (_name, yaml, expected) => {
    const first =
      errorOf(yaml)
        .split("\n")
        .find((l) => l.includes("t.yaml:")) ?? "";
    expect(first.trim()).toStartWith(expected);
  });
});
