// A name Steward could not check against QRS (a user or node a datagram or an Engine line named, issue 86), made safe
// to show in every medium, including those that escape nothing: plain-text mail, SMS, webhook fields a receiver shows
// or forwards to chat. Angle brackets go (no Slack <!channel> or <https://…|label>, no HTML tag), so do control and
// direction characters; links are defanged (evil[.]example, hxxps[:]//, name[at]host) so no client makes them
// clickable; Markdown link syntax is broken up. The text is marked, so a reader knows nobody vouched for it.

const MAX_CHARS = 200;
export const UNVERIFIED_MARK = "(unverified)";

/**
 * Texts made lately, by raw text: a burst's datagrams name the same few users and nodes, and the eleven replacements
 * were 1 % of the main thread in a burst of failure datagrams (issue 89). Bounded: a flood of distinct names
 * empties it.
 */
const made = new Map<string, string>();
const MADE_MAX = 256;

/** `raw` as unverified text: "INTERNAL\sa_x ‹!channel› reset at evil[.]example/reset (unverified)". */
export function unverifiedText(raw: string): string {
  let text = made.get(raw);
  if (text === undefined) {
    if (made.size >= MADE_MAX) made.clear();
    made.set(raw, (text = unverified(raw)));
  }
  return text;
}

function unverified(raw: string): string {
  let t = raw
    .replace(/[\p{Cc}\p{Cf}\u2028\u2029]+/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
  if (t.length > MAX_CHARS) t = `${t.slice(0, MAX_CHARS - 1)}…`;
  t = t
    .replace(/</g, "‹")
    .replace(/>/g, "›")
    .replace(/:\/\//g, "[:]//")
    .replace(/\bhttp(s?)\[/gi, "hxxp$1[")
    .replace(/\bwww\./gi, "www[.]")
    .replace(/([\p{L}\p{N}_-])\.(?=[\p{L}\p{N}-]*\p{L})/gu, "$1[.]")
    .replace(/@/g, "[at]")
    .replace(/\]\(/g, "] (")
    .replace(/\]\[/g, "] [");
  return `${t || "(empty)"} ${UNVERIFIED_MARK}`;
}

const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*$/;

/**
 * A node a datagram named, shown before QRS confirmed it: kept when it is a host name (it can carry no markup and
 * route filters match it), else unverified text.
 */
export function shownHost(host: string): string {
  return host === "" || HOST_NAME.test(host) ? host : unverifiedText(host);
}
