// Helper functions every template can call (declared in each compiled template's header): JSON encoding,
// truncation, Slack mrkdwn and Teams card Markdown escaping. Kept as source text because eta compiles templates to
// functions.
export const TEMPLATE_HELPERS_SOURCE = [
  // JSON value, safe to paste into a JSON template.
  "const json = (v) => JSON.stringify(v === undefined ? null : v);",
  // Cut text to n characters with an ellipsis.
  'const trunc = (s, n) => { s = s === undefined || s === null ? "" : String(s); return s.length > n ? s.slice(0, Math.max(0, n - 1)) + "…" : s; };',
  // Keep the last n characters (for script-log tails).
  'const tailText = (s, n) => { s = s === undefined || s === null ? "" : String(s); return s.length > n ? "…" + s.slice(s.length - n + 1) : s; };',
  // Slack mrkdwn needs &, < and > escaped (then <!channel>, <@user> and <url|label> in a name are shown, not acted on).
  'const mrkdwn = (s) => String(s === undefined || s === null ? "" : s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");',
  // Teams reads a card's TextBlock and Fact texts as Markdown (bold, italic, lists, [label](url) links): every
  // character that could start one is backslash-escaped, and so is a list marker at a line's start.
  'const cardText = (s) => String(s === undefined || s === null ? "" : s).replace(/[\\\\`*_~\\[\\]()<>#|!{}]/g, "\\\\$&").replace(/^([ \\t]*)([-+])/gm, "$1\\\\$2").replace(/^([ \\t]*\\d+)\\./gm, "$1\\\\.");',
  // An empty value shown as a dash.
  'const orDash = (s) => (s === undefined || s === null || s === "" ? "–" : s);',
].join("\n");
