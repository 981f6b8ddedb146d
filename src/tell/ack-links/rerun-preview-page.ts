// The preview on a re-run link's page (issue 105): what confirming now would start, in what order, on which node, what
// the first waits for there, and what that means for each freshness promise, so the person sees it before the button.
// The page itself still starts nothing: only its POST does.
import { esc } from "./html-text";
import type { ChainPreviewLines, RerunPreviewLines, RetryPreviewLines } from "./remedy-port";

const promiseLines = (lines: readonly string[]) =>
  lines.length === 0
    ? `<p class="muted" data-role="preview-promise">No freshness promise's expected time changes with it.</p>`
    : `<ul>${lines.map((line) => `<li data-role="preview-promise">${esc(line)}</li>`).join("")}</ul>`;

/** A retry link's page: what retrying now would meet (a later delay starts the same task later). */
export function retryPreviewHtml(p: RetryPreviewLines | undefined): string {
  if (!p) return "";
  return `<section data-role="preview"><h2 style="font-size:16px;margin:12px 0 6px">If you retry now</h2>
<p data-role="preview-when">The task is ${esc(p.startsWhen)}.</p>${promiseLines(p.promises)}</section>`;
}

export function rerunPreviewHtml(p: RerunPreviewLines | undefined): string {
  if (!p) return "";
  const runs = p.runs
    .map((r) => `<li data-role="preview-run">${esc(r.taskName)}${r.after ? ` <span class="muted">after ${esc(r.after)} has ended</span>` : ""}</li>`)
    .join("");
  const promises = promiseLines(p.promises);
  return `<section data-role="preview"><h2 style="font-size:16px;margin:12px 0 6px">If you confirm now</h2>
<p data-role="preview-when">On <b>${esc(p.node)}</b>: ${esc(p.startsWhen)}.</p><ol>${runs}</ol>${promises}
<p class="muted">Nothing has started: only the button below starts it.</p></section>`;
}

/** An Engine reload link's page: what reloading now would do, and each promise's line. */
export function reloadPreviewHtml(p: RetryPreviewLines | undefined): string {
  if (!p) return "";
  return `<section data-role="preview"><h2 style="font-size:16px;margin:12px 0 6px">If you reload now</h2>
<p data-role="preview-when">The app is ${esc(p.startsWhen)}.</p>${promiseLines(p.promises)}</section>`;
}

/** A chain link's page: for each task it offers to start from, what that start would run, in order, where and when. */
export function chainPreviewHtml(starts: readonly ChainPreviewLines[]): string {
  return starts
    .map((p) => {
      const runs = p.runs
        .map((r) => `<li data-role="preview-run">${esc(r.taskName)}${r.after ? ` <span class="muted">after ${esc(r.after)} has ended</span>` : ""}</li>`)
        .join("");
      return `<section data-role="preview" data-task="${esc(p.taskId)}"><h2 style="font-size:16px;margin:12px 0 6px">If you start from ${esc(p.taskName)} now</h2>
<p data-role="preview-when">On <b>${esc(p.node)}</b>: ${esc(p.startsWhen)}.</p><ol>${runs}</ol>${promiseLines(p.promises)}</section>`;
    })
    .join("");
}
