// Where `steward run` finds its config without --config: STEWARD_CONFIG, the platform's place, the working
// folder, the built-in defaults, in that order.
import { expect, test } from "bun:test";
import { lookupConfig, platformConfigPath } from "../../../../src/show/cli/config-lookup";

const none = () => false;

test("--config wins over everything", () => {
  expect(lookupConfig("a.yaml", { env: { STEWARD_CONFIG: "b.yaml" }, exists: () => true })).toEqual({ file: "a.yaml", via: "--config" });
});

test("STEWARD_CONFIG next, even when the file is missing (the error then names it)", () => {
  expect(lookupConfig(undefined, { env: { STEWARD_CONFIG: "/srv/steward.yaml" }, exists: none })).toEqual({ file: "/srv/steward.yaml", via: "STEWARD_CONFIG" });
});

test("then the platform's place: %ProgramData%\\Steward on Windows, /etc/steward on Linux", () => {
  const win = { env: { ProgramData: "D:\\PD" }, platform: "win32" as const, cwd: "C:\\work" };
  expect(platformConfigPath("win32", win.env)).toBe("D:\\PD\\Steward\\steward.yaml");
  expect(lookupConfig(undefined, { ...win, exists: (p) => p === "D:\\PD\\Steward\\steward.yaml" })).toEqual({
    file: "D:\\PD\\Steward\\steward.yaml",
    via: "platform",
  });
  expect(
    lookupConfig(undefined, { env: {}, platform: "linux", cwd: "/w", exists: (p) => p === "/etc/steward/steward.yaml" || p === "/w/steward.yaml" }),
  ).toEqual({ file: "/etc/steward/steward.yaml", via: "platform" });
});

test("then ./steward.yaml, then the built-in defaults", () => {
  expect(lookupConfig(undefined, { env: {}, platform: "linux", cwd: "/w", exists: (p) => p === "/w/steward.yaml" })).toEqual({
    file: "/w/steward.yaml",
    via: "working folder",
  });
  expect(lookupConfig(undefined, { env: {}, platform: "linux", cwd: "/w", exists: none })).toEqual({ via: "defaults" });
});
