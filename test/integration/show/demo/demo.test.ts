// `steward demo` end to end, as a newcomer runs it — from source (`bun src/main.ts demo`, what `npm run demo`
// does) and from the compiled Linux binary.
import { afterAll, test } from "bun:test";
import { resolve } from "node:path";
import type { RunningProcess } from "../../../helpers/child-process";
import { compiledBinaries } from "../../../helpers/compiled-binaries";
import { createTempDir } from "../../../helpers/temp-dir";
import { checkDemoRun } from "./demo-child";
import { wallLimit } from "../../../helpers/time-limit";

const MAIN = resolve(import.meta.dir, "../../../../src/main.ts");
const dirs = [createTempDir("steward-demo-"), createTempDir("steward-demo-bin-")];
const procs: RunningProcess[] = [];

afterAll(async () => {
  for (const p of procs) await p.stop("SIGKILL", 1_000);
  for (const d of dirs) d.remove();
});

test(
  "from source: a failed task's alert within seconds, the dashboard, data checks, the watchdog's missed start and hung reload, and a clean Ctrl-C",
  async () => {
    await checkDemoRun(process.execPath, [MAIN, "demo"], dirs[0]!.path, (p) => procs.push(p));
  },
  wallLimit(300_000),
);

// The binary runs the same demo code: it is checked for what a packaging fault would break (start, the embedded
// config and site, an alert, the dashboard, a clean stop), not every feature again.
test(
  "from the compiled binary: starts, alerts and stops",
  async () => {
    const [built] = await compiledBinaries({ targets: ["linux-x64"], outDir: resolve(dirs[1]!.path, "bin") });
    await checkDemoRun(built!.path, ["demo"], dirs[1]!.path, (p) => procs.push(p), "basics");
  },
  wallLimit(300_000),
);
