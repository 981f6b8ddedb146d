// The paced-sender UDP rows on their own (they are also part of `npm run bench`'s udp section): one Steward binary,
// one paced sender offering 5k, 10k, 20k and 50k failed-run datagrams a second for 5 s each, and the share processed.
//
//   bun scripts/bench-udp-paced.ts [steward binary; default: build this checkout's linux-x64 binary]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildBinaries } from "./build";
import { renderMarkdown } from "./bench-report";
import { startSteward } from "./bench-targets";
import { createUdpSender } from "./bench-udp-load";
import { measurePaced, pacedFigures } from "./bench-udp-overload";

const log = (line: string) => console.log(`[bench] ${line}`);
const dir = mkdtempSync(join(tmpdir(), "steward-bench-paced-"));
try {
  const bin = process.argv[2] ?? (await buildBinaries({ targets: ["linux-x64"], outDir: join(dir, "bin") }))[0]!.path;
  const steward = await startSteward(bin, join(dir, "steward"));
  const sender = await createUdpSender(steward.udpPort);
  try {
    const steps = await measurePaced(sender, `${steward.url}/metrics`, steward.proc.pid, log);
    const md = renderMarkdown({
      generatedAt: new Date().toISOString(),
      version: bin,
      machine: { cpus: navigator.hardwareConcurrency, cpuModel: "", memGiB: 0, os: process.platform, bun: Bun.version },
      totalSeconds: 0,
      figures: pacedFigures(steps),
      raw: {},
    });
    console.log(md.split("\n").slice(2).join("\n"));
  } finally {
    sender.close();
    await steward.proc.stop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
