// Finding PostgreSQL's server programs for the demo, the benchmark and the tests: the Debian layout is searched,
// and a machine without them gets an error that names what is missing and the command that installs it.
import { expect, test } from "bun:test";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { findPostgresPrograms, postgresBinDirs } from "../../../../src/show/demo/private-postgres";
import { createTempDir } from "../../../helpers/temp-dir";

const program = (dir: string, name: string) => {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), "#!/bin/sh\n");
  chmodSync(join(dir, name), 0o755);
};

test("without the programs: an error naming them, their package and scripts/install-test-deps.sh", () => {
  const empty = createTempDir();
  try {
    expect(() => findPostgresPrograms([empty.path], false)).toThrow(
      /PostgreSQL's server programs \(postgres, initdb; Debian package postgresql\) are not installed: run `sudo bash scripts\/install-test-deps\.sh`/,
    );
    program(empty.path, "postgres");
    program(empty.path, "initdb");
    // As root the server must be started as nobody, which needs setpriv.
    expect(() => findPostgresPrograms([empty.path], true)).toThrow(/setpriv \(Debian package util-linux\).*install-test-deps\.sh/);
  } finally {
    empty.remove();
  }
});

test("Debian's layout: the newest major's bin folder first, initdb taken beside the server", () => {
  const root = createTempDir();
  try {
    for (const v of ["13", "17", "9"]) program(join(root.path, v, "bin"), "postgres");
    program(join(root.path, "17", "bin"), "initdb");
    program(join(root.path, "13", "bin"), "initdb");
    mkdirSync(join(root.path, "common"));
    const dirs = postgresBinDirs(root.path);
    expect(dirs).toEqual(["17", "13", "9"].map((v) => join(root.path, v, "bin")));
    expect(findPostgresPrograms(dirs, false)).toEqual({ postgres: join(root.path, "17", "bin", "postgres"), initdb: join(root.path, "17", "bin", "initdb") });
  } finally {
    root.remove();
  }
});
