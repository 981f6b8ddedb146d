// package.json says what runs Steward: Bun (and Deno for the Deno build), at least the versions the project
// installs from npm; not Node, which can run `npm install` but not Steward.
import { expect, test } from "bun:test";
import pkg from "../../../package.json";

test("engines name the runtimes that run Steward, at the versions installed with it", () => {
  const engines = pkg.engines as Record<string, string>;
  expect(Object.keys(engines).sort()).toEqual(["bun", "deno"]);
  expect(engines.bun).toBe(`>=${pkg.devDependencies.bun.replace(/^\^/, "")}`);
  expect(engines.deno).toBe(`>=${pkg.devDependencies.deno.replace(/^\^/, "")}`);
});
