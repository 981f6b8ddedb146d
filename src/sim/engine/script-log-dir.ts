// The Engine's Log\Script folder on disk (settings.scriptLog.dir): each reload's log as <app id>.<start stamp>.log, as
// the real Engine writes it, so a reader of that folder (Steward's engineReloads.scriptLogDirs) finds it.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { scriptLogStamp } from "../util/time";

export function writeScriptLogFile(dir: string | null, appId: string, startMs: number, text: string | undefined): void {
  if (!dir || text === undefined) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${appId}.${scriptLogStamp(startMs)}.log`), text);
}
