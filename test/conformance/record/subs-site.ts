// The folder and QRS view the sub-call replays share, for Butler's recording and Steward's replay alike: the files
// the calls copy, move and delete, and the task starts the simulator's QRS saw.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Simulator } from "../../../src/sim";

/** {F} as the sub calls expect it: the allowed folders of recording-config.yaml and the files the calls use. */
export function prepareSubsFolder(F: string): void {
  for (const d of ["src", "dst", "outside", "mvsrc", "mvdst", "del", "qvd"]) mkdirSync(join(F, d), { recursive: true });
  for (const f of ["src/a.txt", "src/a#b.txt", "outside/x.txt", "mvsrc/m.txt", "mvsrc/m2.txt", "del/d.txt", "del/d2.txt"])
    writeFileSync(join(F, f), `content of ${f}\n`);
}

/** The QRS task starts since `seq`, sorted (Steward starts several tasks in parallel). */
export function qrsStartsSince(sim: Simulator, seq: number): string[] {
  return sim.requests
    .list({ source: "qrs", sinceSeq: seq, method: "POST" })
    .flatMap((r) => {
      const m = /^\/qrs\/task\/([0-9a-f-]{36})\/start/i.exec(r.path);
      return m ? [`/qrs/task/${m[1]!.toLowerCase()}/start`] : [];
    })
    .sort();
}
