// A promise's record on /status (issue 106): the 30-day sentence, a bar of the last 30 days (one mark per day, each
// with its words as a tooltip; the bar's label says the same to a screen reader: not colour alone), the 90-day
// sentence, and each late day with how late and why, as text.
import { STATE_COLOUR } from "./badge";
import { lateDaySentence, type PromiseRecord, recordSentence } from "./promise-record";

const html = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const MARK: Record<PromiseRecord["bar"][number]["state"], { colour: string; height: number; words: string }> = {
  fresh: { colour: STATE_COLOUR.fresh, height: 14, words: "fresh by its deadline" },
  late: { colour: STATE_COLOUR.late, height: 20, words: "late" },
  none: { colour: "#c8c8c8", height: 6, words: "no deadline judged" },
};

function bar(r: PromiseRecord): string {
  const marks = r.bar
    .map((d) => {
      const m = MARK[d.state];
      return `<span data-day="${d.date}" data-state="${d.state}" title="${html(`${d.day}: ${m.words}`)}" style="display:inline-block;width:6px;height:${m.height}px;margin-right:1px;background:${m.colour}"></span>`;
    })
    .join("");
  const late = r.bar.filter((d) => d.state === "late").map((d) => d.day);
  const label = `${recordSentence(r.last30, 30)}${late.length > 0 ? `; late on ${late.join(", ")}` : ""}`;
  return `<div role="img" aria-label="${html(label)}" data-record-bar style="display:flex;align-items:flex-end;height:22px">${marks}</div>`;
}

/** The record of each promise of an app, for its row's cell. */
export function recordCell(records: readonly PromiseRecord[] | undefined, promiseCount: number): string {
  if (!records || records.length === 0) return "—";
  return records
    .map((r) => {
      const named = promiseCount > 1 ? `<div><small>${html(r.promise)}</small></div>` : "";
      const late =
        r.late.length === 0
          ? ""
          : `<ul data-late-days style="margin:4px 0;padding-left:1.2em">${r.late.map((d) => `<li data-late="${html(d.deadline)}"><small>${html(lateDaySentence(d))}</small></li>`).join("")}</ul>`;
      return `<div data-record="${html(r.promise)}">${named}<div data-record-30>${html(recordSentence(r.last30, 30))}</div>${bar(r)}<div data-record-90><small>${html(recordSentence(r.last90, 90))}</small></div>${late}</div>`;
    })
    .join("");
}
