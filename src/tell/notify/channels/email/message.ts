// Composes the mail of one notification: subject/HTML/text from templates, the test-mode redirect (one mail
// per original recipient, original address in the subject, no CC/BCC), a stable Message-ID derived from
// the delivery key, and the script log attached for failed or aborted tasks (any outcome when the route asks). A
// template that fails sends the plain form instead (src/tell/notify/fallback).
import { createHash } from "node:crypto";
import type Mail from "nodemailer/lib/mailer";
import { excerptText, keptScriptLog } from "../../../../hear/events/script-log-excerpt";
import { isTaskEvent, type TaskEvent } from "../../../../platform/events/types";
import { deliveryError } from "../../../../platform/http/delivery-error";
import { causeHeadline, causeOf, withCauseHtml, withCauseText, zoneOf } from "../../cause-render";
import { messageKind, templateData } from "../../notification";
import type { TemplateRenderer } from "../../templates/renderer";
import { formatWithFallback, type Formatted } from "../../fallback/format";
import { mailProblem } from "../../fallback/limits";
import { plainAlert, plainText } from "../../fallback/plain";
import type { Notification } from "../../types";
import type { EmailChannelConfig } from "./schema";
import { actionUpdateOf } from "../../../../platform/events/action-update";

export function messageIdFor(key: string, from: string): string {
  const domain = /@([^\s>]+)/.exec(from)?.[1] ?? "steward.invalid";
  return `<${createHash("sha256").update(key).digest("hex").slice(0, 40)}@${domain}>`;
}

export function scriptLogAttachment(e: TaskEvent): Mail.Attachment | undefined {
  const log = e.scriptLog;
  if (!log) return undefined;
  // The whole log when the event has it; else every line the event kept, with a marker for each gap. A capped
  // text says first that its beginning is left out.
  const content =
    log.text === undefined
      ? excerptText(keptScriptLog(log), "\r\n")
      : log.truncated && log.textFirstLine && log.textFirstLine > 1
        ? `${keptOmission(log.textFirstLine - 1, log.sizeBytes)}\r\n${log.text}`
        : log.text;
  if (!content.trim()) return undefined;
  const stamp = (e.execution?.stopTime ?? e.receivedAt).replace(/[-:]/g, "").replace(/\..*$/, "").replace("T", "-");
  const name =
    e.task.name
      .replace(/[^\p{L}\p{N}._ -]+/gu, "_")
      .trim()
      .slice(0, 80) || "task";
  return { filename: `${name}_${stamp}.log`, content, contentType: "text/plain; charset=utf-8" };
}

function keptOmission(lines: number, bytes: number): string {
  return `… ${lines === 1 ? "line 1" : `lines 1–${lines}`} omitted: the log has ${bytes} bytes, Steward keeps its end …`;
}

interface MailContent {
  subject: string;
  html: string;
  text: string;
}

/** Subject, HTML and text from the templates, with the cause's lines added (the rich form). */
function richContent(n: Notification, templates: TemplateRenderer): MailContent {
  const kind = messageKind(n);
  const data = templateData(n);
  const cause = causeOf(n);
  const rendered = templates.render(`email/${kind}.subject`, data).replace(/\s+/g, " ").trim();
  // The cause's title comes from a script log (a source's name): one line, whatever it holds.
  // The subject prefix stays first (a mail rule on it catches every mail); the cause comes right after it.
  const prefix = String((data as { subjectPrefix?: unknown }).subjectPrefix ?? "");
  const lead = prefix && rendered.startsWith(prefix) ? prefix : "";
  const subject = cause ? `${lead} [${causeHeadline(cause)}] ${rendered.slice(lead.length)}`.replace(/\s+/g, " ").trim() : rendered;
  const html = cause ? withCauseHtml(templates.render(`email/${kind}.html`, data), cause, zoneOf(n)) : templates.render(`email/${kind}.html`, data);
  const text = cause ? withCauseText(templates.render(`email/${kind}.text`, data), cause, zoneOf(n)) : templates.render(`email/${kind}.text`, data);
  return { subject, html, text };
}

const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");

/** The plain form (src/tell/notify/fallback): no template, the essentials, the note; the HTML part the same text. */
function plainContent(n: Notification, note: string): MailContent {
  const a = plainAlert(n, note);
  const prefix = String(n.vars.subjectPrefix ?? "");
  const text = plainText(a, PLAIN_CHARS);
  const html = `<!DOCTYPE html><html><body><pre style="font-family: Consolas, monospace; white-space: pre-wrap">${escapeHtml(text)}</pre></body></html>`;
  return { subject: `${prefix} ${a.headline}`.replace(/\s+/g, " ").trim().slice(0, 300), html, text };
}

/** A plain form's text: far more than a failure needs, far less than any mail server refuses. */
const PLAIN_CHARS = 20_000;

/** The mail's content: the rich form, or the plain one with the reason when a template fails or makes runaway output. */
export function mailContent(n: Notification, templates: TemplateRenderer, strict?: boolean): Formatted<MailContent> {
  const kind = messageKind(n);
  return formatWithFallback({
    templates,
    template: `email/${kind}.html`,
    strict,
    rich: () => richContent(n, templates),
    tooBig: (m) => {
      const p = mailProblem(m);
      return p ? { template: `email/${kind}.${p.part}`, reason: p.reason } : undefined;
    },
    plain: (note) => plainContent(n, note),
  });
}

export function composeMail(cfg: EmailChannelConfig, n: Notification, templates: TemplateRenderer, strict?: boolean): Formatted<Mail.Options> {
  if (!n.recipient) throw deliveryError("an e-mail delivery without a recipient", { permanent: true });
  const kind = messageKind(n);
  const { value: content, fallback } = mailContent(n, templates, strict);
  const { subject, html, text } = content;
  const test = n.test?.target;
  const failed = n.kind === "task.failed" || n.kind === "task.aborted";
  const priority = cfg.priority ?? (failed || n.kind === "service.stopped" ? "high" : "normal");
  const attachments: Mail.Attachment[] = [];
  // A route may ask for the log whatever the outcome (Qalyptus attaches it to every mail) or never.
  const attach = n.attachScriptLog ?? (cfg.attachScriptLog && failed);
  if (attach && !n.digest && isTaskEvent(n.event)) {
    const a = scriptLogAttachment(n.event);
    if (a) attachments.push(a);
  }
  const mail: Mail.Options = {
    from: cfg.from,
    replyTo: cfg.replyTo,
    to: test ?? n.recipient,
    cc: test || cfg.cc.length === 0 ? undefined : cfg.cc,
    bcc: test || cfg.bcc.length === 0 ? undefined : cfg.bcc,
    subject: test ? `[${n.recipient}] ${subject}` : subject,
    html,
    text,
    priority,
    messageId: messageIdFor(n.key, cfg.from),
    ...replyHeaders(n, cfg.from),
    headers: { "X-Steward-Delivery": n.key, "X-Steward-Event": kind, ...(test ? { "X-Steward-Test-Original-Recipient": n.recipient } : {}) },
    attachments,
  };
  return { value: mail, fallback };
}

/** An action update answers the page it follows: the mail client shows it in that page's conversation. */
function replyHeaders(n: Notification, from: string): Pick<Mail.Options, "inReplyTo" | "references"> {
  const page = actionUpdateOf(n.event)?.replyTo[`${n.channel}|${(n.recipient ?? "").toLowerCase()}`];
  if (!page) return {};
  const id = messageIdFor(page, from);
  return { inReplyTo: id, references: [id] };
}
