// The last-resort guard, in a process of its own (it installs process-wide handlers): an unhandled rejection and
// a throw from a timer are logged and counted, and the process keeps running to its normal end.
import { expect, test } from "bun:test";
import { join } from "node:path";

const SCRIPT = `
import { createLogger } from ${JSON.stringify(join(import.meta.dir, "../../../../src/platform/core/logger"))};
import { createSecretRegistry } from ${JSON.stringify(join(import.meta.dir, "../../../../src/platform/core/redaction"))};
import { installLastResortGuard, lastResortCounts, onLastResort } from ${JSON.stringify(join(import.meta.dir, "../../../../src/platform/core/last-resort"))};
const log = createLogger({ level: "info", format: "json", secrets: createSecretRegistry(), write: (line) => process.stdout.write(line.endsWith("\\n") ? line : line + "\\n") });
installLastResortGuard(log);
const seen = [];
onLastResort((kind) => seen.push(kind));
Promise.reject(new Error("database system is shutting down"));
setTimeout(() => { throw new Error("thrown from a timer"); }, 10);
setTimeout(() => { console.log("still running " + JSON.stringify({ counts: lastResortCounts(), seen })); }, 200);
`;

test("an unhandled rejection and an uncaught exception are logged and counted, and the process goes on", async () => {
  const proc = Bun.spawn([process.execPath, "-e", SCRIPT], { stdout: "pipe", stderr: "pipe", timeout: 20_000 });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  expect({ code, err }).toEqual({ code: 0, err: "" });
  const lines = out.trim().split("\n");
  const logged = lines.filter((l) => l.includes("last-resort guard")).map((l) => JSON.parse(l) as { kind: string; err: string });
  expect(logged.map((l) => l.kind).sort()).toEqual(["uncaught_exception", "unhandled_rejection"]);
  expect(logged.map((l) => l.err).join(" ")).toContain("database system is shutting down");
  expect(lines.at(-1)).toBe('still running {"counts":{"uncaught_exception":1,"unhandled_rejection":1},"seen":["unhandled_rejection","uncaught_exception"]}');
});
