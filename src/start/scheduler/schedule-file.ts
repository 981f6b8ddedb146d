// The schedules as a file that travels with the config: Butler's schedule format with every id and time zone
// written out, so the server that imports it finds the same schedules whatever its own zone is.
import { stringify } from "yaml";
import type { ImportedSchedule } from "./butler-import";

export function renderScheduleFile(schedules: readonly ImportedSchedule[], note: string): string {
  const butlerSchedule = schedules.map((s) => ({
    id: s.id,
    name: s.definition.name,
    cronSchedule: s.definition.cronSchedule,
    timezone: s.definition.timezone,
    qlikSenseTaskId: s.definition.qlikSenseTaskId,
    startupState: s.definition.startupState,
    tags: s.definition.tags,
    created: s.created,
    lastKnownState: s.state === "started" ? "started" : "stopped",
  }));
  const header = note
    .split("\n")
    .map((l) => `# ${l}`.trimEnd())
    .join("\n");
  return `${header}\n${stringify({ butlerSchedule }, { lineWidth: 0 })}`;
}
