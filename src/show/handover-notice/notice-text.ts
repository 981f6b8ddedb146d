// The hand-off notice as the incoming person reads it: when the shift starts and ends (in the schedule's zone), who
// hands over, and what is still open (the morning report's handover lines, then the actions waiting for a person).
import type { UpcomingHandover } from "./next-handover";
import { wallClock } from "../../tell/oncall/wall-clock";

export interface HandoverNotice {
  subject: string;
  text: string;
}

/** `h.end`: when the shift ends (absent: duty does not change within eight days). */
export function handoverNoticeText(schedule: string, zone: string, h: UpcomingHandover & { end?: number }, open: readonly string[]): HandoverNotice {
  const start = wallClock(h.start, zone);
  const until = h.end === undefined ? "no change of duty in the next eight days" : `until ${wallClock(h.end, zone)}`;
  const from = h.outgoing ? `${h.outgoing} hands over to you` : "nobody is on duty before you";
  const lines = [
    `You are on duty (${schedule}) from ${start} (${zone}), ${until}: ${h.why}.`,
    `${from}.`,
    "",
    open.length === 0 ? "Nothing is open: no incident, no cause, no action waiting for a person." : "Still open:",
    ...open.map((l) => `- ${l}`),
  ];
  return { subject: `On duty from ${start} (${schedule}): ${from}`, text: `${lines.join("\n")}\n` };
}
