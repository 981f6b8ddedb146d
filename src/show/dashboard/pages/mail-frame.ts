// How the demo inbox frames a captured mail so that its links work as from a mail client. The mail renders in a
// sandboxed frame (its scripts and forms never run) inside the dashboard, whose pages and Steward's confirm pages refuse
// to be framed (`frame-ancestors 'none'`). A link followed inside the frame would load the confirm page there and be
// blocked, so every link opens a new top-level tab instead, as a webmail client does: `<base target="_blank">` for
// links that name no target, and a sandbox that lets a click open that tab outside the sandbox.

/**
 * `allow-popups`: a click on a link may open a new tab (only on a click: browsers block popups without user
 * activation). `allow-popups-to-escape-sandbox`: that tab is an ordinary page of its own origin, so the confirm page's
 * form posts with its real Origin (a sandboxed tab would post `Origin: null`, which the browser guard refuses). No
 * `allow-scripts`, `allow-forms`, `allow-same-origin` or `allow-top-navigation`: the mail cannot run code, post, read
 * the dashboard or navigate it away.
 */
export const MAIL_FRAME_SANDBOX = "allow-popups allow-popups-to-escape-sandbox";

const BASE = '<base target="_blank">';

/** The mail's HTML with a `<base target="_blank">` in its head (inserted where the parser still reads it as head). */
export function mailHtmlForFrame(html: string): string {
  for (const opening of [/<head(\s[^>]*)?>/i, /<html(\s[^>]*)?>/i, /<!doctype[^>]*>/i]) {
    const m = opening.exec(html);
    if (m) return html.slice(0, m.index + m[0].length) + BASE + html.slice(m.index + m[0].length);
  }
  return BASE + html;
}
