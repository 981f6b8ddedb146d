// What each channel's receiver takes at most. A message past it is refused (Slack answers 400 invalid_blocks, Teams
// 413 or a card that never shows): retrying cannot fix that, so the alert goes out in its plain form instead.

/** Slack's Block Kit limits (api.slack.com/reference/block-kit/blocks): past them the webhook answers invalid_blocks. */
export const SLACK = { blocks: 50, text: 40_000, sectionText: 3_000, headerText: 150, fields: 10, fieldText: 2_000, contextElements: 10 };
/** A Teams message (Workflows webhook, Adaptive Card) carries at most 28 KB. */
export const TEAMS_MAX_BYTES = 28_000;
/** A mail header line has at most 998 characters (RFC 5322); a subject longer than that is a template gone wrong. */
export const SUBJECT_MAX_CHARS = 998;
/** Mail servers commonly refuse messages past 10 to 25 MB; the HTML or text part alone past this is runaway output. */
export const MAIL_PART_MAX_BYTES = 10 * 1024 * 1024;
/** A webhook body past this is runaway output (the event itself carries at most a 50 MB script log). */
export const WEBHOOK_MAX_BYTES = 64 * 1024 * 1024;

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === "object" ? (v as Obj) : {});
const textOf = (v: unknown): string => {
  const t = obj(v).text;
  return typeof t === "string" ? t : "";
};

function slackBlockProblem(block: unknown, i: number): string | undefined {
  const b = obj(block);
  const at = `block ${i + 1} (${String(b.type)})`;
  if (b.type === "header" && textOf(b.text).length > SLACK.headerText)
    return `${at} has ${textOf(b.text).length} characters; Slack takes at most ${SLACK.headerText}`;
  if (b.type === "section") {
    if (textOf(b.text).length > SLACK.sectionText) return `${at} has ${textOf(b.text).length} characters; Slack takes at most ${SLACK.sectionText}`;
    const fields = Array.isArray(b.fields) ? b.fields : [];
    if (fields.length > SLACK.fields) return `${at} has ${fields.length} fields; Slack takes at most ${SLACK.fields}`;
    const long = fields.find((f) => textOf(f).length > SLACK.fieldText);
    if (long) return `${at} has a field of ${textOf(long).length} characters; Slack takes at most ${SLACK.fieldText}`;
  }
  const elements = Array.isArray(b.elements) ? b.elements : [];
  if (b.type === "context" && elements.length > SLACK.contextElements)
    return `${at} has ${elements.length} elements; Slack takes at most ${SLACK.contextElements}`;
  return undefined;
}

/** Why Slack would refuse (or cut) this payload; undefined when it takes it. */
export function slackProblem(payload: unknown): string | undefined {
  const p = obj(payload);
  const text = typeof p.text === "string" ? p.text : "";
  if (text.length > SLACK.text) return `the text has ${text.length} characters; Slack takes at most ${SLACK.text}`;
  const blocks = Array.isArray(p.blocks) ? p.blocks : [];
  if (blocks.length > SLACK.blocks) return `${blocks.length} blocks; Slack takes at most ${SLACK.blocks}`;
  for (const [i, b] of blocks.entries()) {
    const problem = slackBlockProblem(b, i);
    if (problem) return problem;
  }
  return undefined;
}

/** Why Teams would refuse this message; undefined when it takes it. */
export function teamsProblem(payload: unknown): string | undefined {
  const bytes = Buffer.byteLength(JSON.stringify(payload ?? null));
  return bytes > TEAMS_MAX_BYTES ? `the message is ${bytes} bytes; Teams takes at most ${TEAMS_MAX_BYTES}` : undefined;
}

export function webhookProblem(body: string): string | undefined {
  const bytes = Buffer.byteLength(body);
  return bytes > WEBHOOK_MAX_BYTES ? `the body is ${bytes} bytes; Steward sends at most ${WEBHOOK_MAX_BYTES}` : undefined;
}

/** Which part of a mail is too big, by its part name (subject, html, text), and why. */
export function mailProblem(mail: { subject: string; html: string; text: string }): { part: "subject" | "html" | "text"; reason: string } | undefined {
  if (mail.subject.length > SUBJECT_MAX_CHARS)
    return { part: "subject", reason: `the subject has ${mail.subject.length} characters; a mail takes at most ${SUBJECT_MAX_CHARS}` };
  for (const part of ["html", "text"] as const) {
    const bytes = Buffer.byteLength(mail[part]);
    if (bytes > MAIL_PART_MAX_BYTES)
      return { part, reason: `the ${part === "html" ? "HTML" : "text"} part is ${bytes} bytes; Steward sends at most ${MAIL_PART_MAX_BYTES}` };
  }
  return undefined;
}
