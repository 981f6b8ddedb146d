// Composes the mail of one notification: subject/HTML/text from templates, the test-mode redirect (one mail
// per original recipient, original address in the subject, no CC/BCC), a stable Message-ID derived from
// the delivery key, and the script log attached for failed or aborted tasks (any outcome when the route asks).
import { createHash } from "node:crypto";
import type Mail from "nodemailer/lib/mailer";
import { excerptText, keptScriptLog } from "../../../../hear/events/script-log-excerpt";
import { isTaskEvent, type TaskEvent } from "../../../../platform/events/types";
import { deliveryError } from "../../../../platform/http/delivery-error";
import { causeHeadline, causeOf, withCauseHtml, withCauseText, zoneOf } from "../../cause-render";
import { messageKind, templateData } from "../../notification";
import type { TemplateRenderer } from "../../templates/renderer";
import type { Notification } from "../../types";
import type { EmailChannelConfig } from "./schema";

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

export function composeMail(cfg: EmailChannelConfig, n: Notification, templates: TemplateRenderer): Mail.Options {
  if (!n.recipient) throw deliveryError("an e-mail delivery without a recipient", { permanent: true });
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
  return {
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
    headers: { "X-Steward-Delivery": n.key, "X-Steward-Event": kind, ...(test ? { "X-Steward-Test-Original-Recipient": n.recipient } : {}) },
    attachments,
  };
}
