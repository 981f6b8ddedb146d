// An alert is never lost to its own formatting: a channel renders its rich form through formatWithFallback, and
// when a template throws, reads or prints a value that is not there, does not make JSON, or makes more than the
// channel takes, the alert goes out in its plain form (built in code, no template) with a note saying why. `config
// check` and the previews' first try run strict: the same failure is thrown, naming the template's file.
import { AppError, isAppError } from "../../../platform/core/errors";
import { shortReason, type TemplateRenderer } from "../templates/renderer";

/** Why an alert went out in its plain form: the template that failed (or that made too much) and why, in one line. */
export interface TemplateFallback {
  /** The template's name ("slack/task.failed.json"). */
  template: string;
  /** Where it came from: "built-in" or the override file. */
  origin: string;
  reason: string;
}

export interface Formatted<T> {
  value: T;
  fallback?: TemplateFallback;
}

/** What a send reports besides its success: that the rich form failed and the plain one went out. */
export interface SendReport {
  fallback?: TemplateFallback;
  /**
   * Nothing was sent, and why (an on-call product's acknowledge or resolve of an alert it does not hold): the delivery is
   * recorded as suppressed with this reason, never as delivered without a request.
   */
  nothingSent?: string;
}

/** Past the channel's limit: which of the message's templates made the part that is too big, and by how much. */
export interface SizeProblem {
  template: string;
  reason: string;
}

export interface FormatSpec<T> {
  templates: TemplateRenderer;
  /** The message's main template: named when the failure is not one template's own (the channel's additions). */
  template: string;
  /** Throw instead of falling back (config check, a preview's first try). */
  strict?: boolean;
  rich(): T;
  /** A problem when the rendered message is more than the channel takes. */
  tooBig(value: T): SizeProblem | undefined;
  /** The plain form, with the note that says why it is sent. */
  plain(note: string): T;
}

/** The line every plain form carries (a digest's, a mail's, a card's): the failed template and the reason. */
export function fallbackNote(f: TemplateFallback): string {
  return `This is the plain form of the alert: template ${f.template} failed (${f.reason}).`;
}

/** What the delivery's row says about it (GET /v4/deliveries, the doctor). */
export function fallbackRowReason(f: TemplateFallback): string {
  return `sent in the plain form: template ${f.template} failed (${f.reason})`;
}

function failureOf(err: unknown, spec: FormatSpec<unknown>): TemplateFallback {
  const d = isAppError(err) ? (err.details as { template?: unknown; origin?: unknown; why?: unknown } | undefined) : undefined;
  if (d && typeof d.template === "string") {
    return { template: d.template, origin: String(d.origin ?? spec.templates.origin(d.template)), reason: String(d.why ?? shortReason(err)) };
  }
  return { template: spec.template, origin: spec.templates.origin(spec.template), reason: shortReason(err) };
}

export function formatWithFallback<T>(spec: FormatSpec<T>): Formatted<T> {
  let failure: TemplateFallback;
  try {
    const value = spec.rich();
    const big = spec.tooBig(value);
    if (!big) return { value };
    failure = { template: big.template, origin: spec.templates.origin(big.template), reason: big.reason };
    if (spec.strict) throw new AppError("CONFIG_INVALID", `template ${big.template} (${failure.origin}) renders more than the channel takes: ${big.reason}`);
  } catch (err) {
    if (spec.strict) throw err;
    failure = failureOf(err, spec as FormatSpec<unknown>);
  }
  return { value: spec.plain(fallbackNote(failure)), fallback: failure };
}
