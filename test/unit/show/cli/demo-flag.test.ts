// --cluster belongs to `steward demo`; given to another command it is a usage error (exit 2), not ignored.
import { expect, test } from "bun:test";
import { exitCodeFor, main } from "../../../../src/main";

test("--cluster on another command is refused with a usage error that points at store.postgres", async () => {
  const err = await main(["run", "--cluster"]).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(String(err)).toContain("run: --cluster is an option of demo (a real cluster is configured with store.postgres)");
  expect(exitCodeFor(err)).toBe(2);
});
