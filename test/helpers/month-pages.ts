// The four weeks' pages put to what caused them: each page to the injected fault that explains it (its cause's title,
// its check-in, its task or app while the fault explains them), and a table per fault, channel and cause, so a
// failing expectation reads as "this cause, these pages".
import { monthSiteTasks } from "./month-site";
import type { MonthFault } from "./month-site";
import type { MonthPage } from "./month-run";
import { richCloudTasks } from "./rich-site";

const DAY = 86_400_000;
const appOf = new Map([...monthSiteTasks(), ...richCloudTasks()].map((x) => [x.name, x.app]));

/** The fault that explains `p`, if any. */
export function faultOf(p: MonthPage, faults: MonthFault[]): MonthFault | undefined {
  const within = (f: MonthFault) => p.at >= f.at && p.at <= f.explainsUntil + DAY;
  return (
    faults.find((f) => f.checkin && within(f) && (p.kind.startsWith("checkin.") || p.text.includes(f.checkin))) ??
    faults.find((f) => f.causeTitle && p.causeTitle && within(f) && f.causeTitle.test(p.causeTitle)) ??
    faults.find(
      (f) =>
        within(f) &&
        ((p.task !== undefined && f.explainsTasks.includes(p.task)) || (p.app !== undefined && f.explainsTasks.some((n) => appOf.get(n) === p.app))),
    )
  );
}

const RECOVERIES = new Set(["task.recovered", "task.on_track", "service.started", "checkin.recovered", "app.freshness_recovered", "qlikcloud.task_recovered"]);

/** A page that says something is over: a recovery kind, or a cause's recovered page. */
export const isRecovery = (p: MonthPage) => RECOVERIES.has(p.kind) || p.causeStatus === "closed";

export const line = (p: MonthPage) =>
  `${new Date(p.at).toISOString().slice(5, 16)} ${p.channel} ${p.kind} ${p.task ?? p.app ?? ""} [${p.about}${p.causeTitle ? `: ${p.causeTitle} (${p.causeStatus})` : ""}]`;

export interface CauseRow {
  fault: string;
  channel: string;
  about: string;
  pages: number;
  kinds: string;
}

/** Pages per fault, channel and cause (unexplained pages under "no fault"), for console.table. */
export function causeTable(pages: MonthPage[], faults: MonthFault[]): CauseRow[] {
  const rows = new Map<string, CauseRow>();
  for (const p of pages) {
    const fault = faultOf(p, faults)?.id ?? "NO FAULT";
    const key = `${fault}|${p.channel}|${p.about}`;
    const row = rows.get(key) ?? { fault, channel: p.channel, about: p.causeTitle ? `${p.about}: ${p.causeTitle}` : p.about, pages: 0, kinds: "" };
    row.pages++;
    row.kinds = row.kinds ? `${row.kinds}, ${p.kind}` : p.kind;
    rows.set(key, row);
  }
  return [...rows.values()].sort((a, b) => a.fault.localeCompare(b.fault) || a.channel.localeCompare(b.channel));
}

/** The pages a fault explains, per channel. */
export function pagesPerChannel(pages: MonthPage[], faults: MonthFault[], id: MonthFault["id"]): Map<string, MonthPage[]> {
  const out = new Map<string, MonthPage[]>();
  for (const p of pages) if (faultOf(p, faults)?.id === id) out.set(p.channel, [...(out.get(p.channel) ?? []), p]);
  return out;
}
