// The landing page of a link: a small standalone HTML page (the person may have no dashboard session), that asks
// to confirm with a button (a POST) and shows the result. A GET never acts: mail scanners open links to look at them.
import { esc } from "./html-text";
import type { SnoozeChoice } from "./snooze-choices";
import type { ChainPreviewLines, RerunPreviewLines, RetryChoice, RetryPreviewLines } from "./remedy-port";
import { chainPreviewHtml, reloadPreviewHtml, rerunPreviewHtml, retryPreviewHtml } from "./rerun-preview-page";

/** What a link's page shows before its buttons (issue 105): a re-run's, a retry's or a reload's preview, or a chain's starts. */
export type LinkPreview = RerunPreviewLines | RetryPreviewLines | { starts: ChainPreviewLines[] };
import type { LinkAction } from "./signature";

function frame(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${esc(title)} · Steward</title>
<style>body{font-family:Segoe UI,Helvetica,Arial,sans-serif;background:#f3f4f6;margin:0;padding:32px 12px;color:#111827}
main{max-width:560px;margin:0 auto;background:#fff;border:1px solid #e5e7eb;padding:20px 24px}
h1{font-size:20px;margin:0 0 12px}button{font-size:15px;padding:8px 16px;margin:4px 8px 4px 0;cursor:pointer}
.muted{color:#6b7280;font-size:13px}</style></head>
<body><main><h1>${esc(title)}</h1>${body}</main></body></html>`;
}

/** What a link names, as its pages show it: a task's incident, or a cause. */
export interface SubjectFacts {
  id: number;
  /** "Incident #12", "Cause #4". */
  label: string;
  title: string;
  status: string;
  lastSummary: string;
  /** What acting on it also does, e.g. that a cause's acknowledgement covers every incident it holds. */
  scope?: string;
}

/** A link sent to a Teams or Slack channel asks who acts (person-name.ts); `remembered` fills it in. */
export interface AskName {
  remembered?: string;
  /** The name given was refused: why. */
  problem?: string;
}

export function confirmPage(
  subject: SubjectFacts,
  action: LinkAction,
  recipient: string,
  choices: SnoozeChoice[],
  retryChoices: RetryChoice[] = [],
  askName?: AskName,
  chainTasks: ReadonlyArray<{ id: string; name: string }> = [],
  preview?: LinkPreview,
): string {
  const scope = subject.scope ? `<p>${esc(subject.scope)}</p>` : "";
  const about = `<p><b>${esc(subject.label)}</b>: ${esc(subject.title)}<br><span class="muted">${esc(subject.lastSummary)}</span></p>${scope}`;
  const problem = askName?.problem ? `<p><b>${esc(askName.problem)}</b></p>` : "";
  const name = askName
    ? `${problem}<p><label>Your name <input name="name" required maxlength="80" autocomplete="name" value="${esc(askName.remembered ?? "")}"></label></p>`
    : "";
  const form = (inner: string) => `<form method="post">${name}${inner}</form>`;
  const who = askName
    ? `<p class="muted">This link was posted to ${esc(recipient)}: your name is recorded as who acted, and remembered in this browser. This link acts once.</p>`
    : `<p class="muted">As ${esc(recipient)}. This link acts once.</p>`;
  if (action === "ack")
    return frame("Acknowledge this incident?", `${about}${form(`<button type="submit" name="confirm" value="ack">Acknowledge</button>`)}${who}`);
  if (action === "rerun")
    return frame(
      "Re-run the runs the queue cancelled?",
      `${about}<p>Once the node's queue has drained, Steward starts each run Qlik cancelled while it waited, one after another in chain order (a task its chain already ran again is left out), and says how each went in its incident's next message.</p>${rerunPreviewHtml(preview && "runs" in preview ? preview : undefined)}${form(`<button type="submit" name="confirm" value="rerun">Re-run them</button>`)}${who}`,
    );
  if (action === "reload")
    return frame(
      "Reload this app through the Engine?",
      `${about}<p>Steward reloads the task's app once through the Qlik Engine, as the task would (a partial reload when the task is one), and saves it. The task's own status in the QMC does not change. The incident's next message says what the Engine answered.</p>${reloadPreviewHtml(preview && "startsWhen" in preview && !("runs" in preview) ? preview : undefined)}${form(`<button type="submit" name="confirm" value="reload">Reload the app</button>`)}${who}`,
    );
  if (action === "chain") {
    const starts = chainTasks.map((t) => `<button type="submit" name="task" value="${esc(t.id)}">Start from ${esc(t.name)}</button>`).join("");
    const none = chainTasks.length === 0 ? "<p><b>This task is in no chain Steward knows any more.</b></p>" : "";
    return frame(
      "Start the chain again?",
      `${about}<p>Steward starts the task you choose once; the tasks after it run as their triggers in Qlik Sense start them. The incident's next message says how it went.</p>${none}${chainPreviewHtml(preview && "starts" in preview ? preview.starts : [])}${form(starts)}${who}`,
    );
  }
  if (action === "retry") {
    const retry = retryChoices.map((c) => `<button type="submit" name="retry" value="${esc(c.id)}">Retry ${esc(c.label)}</button>`).join("");
    return frame(
      "Start this task again?",
      `${about}<p>Steward starts the task in Qlik Sense once, at the time you choose, and says how it went in the incident's next message.</p>${retryPreviewHtml(preview && "startsWhen" in preview && !("runs" in preview) ? preview : undefined)}${form(retry)}${who}`,
    );
  }
  const buttons = choices.map((c) => `<button type="submit" name="choice" value="${esc(c.id)}">Snooze ${esc(c.label)}</button>`).join("");
  return frame("Snooze this incident?", `${about}<p>Its further alerts are held until then.</p>${form(buttons)}${who}`);
}

/** Where the dashboard shows what the link names: every result page leads there ("use the dashboard"). */
export interface DashboardLink {
  href: string;
  text: string;
}

export function resultPage(title: string, message: string, dashboard?: DashboardLink): string {
  const link = dashboard ? `<p><a href="${esc(dashboard.href)}">${esc(dashboard.text)}</a></p>` : "";
  return frame(title, `<p>${esc(message)}</p>${link}`);
}
