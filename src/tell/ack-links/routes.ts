// The links' landing routes, public (the signed link is the credential): GET shows what the link would do and asks
// to confirm; POST (the confirmation) records the link's single use, acts as the person it was made for, audits it
// and shows the result. Refusals of real links (expired, used) are audited too; forged or altered ones are not.
import type { Context } from "hono";
import { z } from "zod";
import type { AuditLog } from "../../platform/audit/audit-log";
import type { Clock } from "../../platform/core/clock";
import { auditActorOf } from "../../platform/http/audit-actor";
import type { HttpEnv } from "../../platform/http/types";
import type { Router } from "../../platform/http/route";
import { checkLink, type LinkRefusal } from "./check";
import { createForgedLinkTally, type ForgedLinkTally } from "./forged-links";
import { ACTING_LINKS } from "./signature";
import type { LinkStore } from "./link-store";
import { confirmPage, type LinkPreview, resultPage, type SubjectFacts } from "./page";
import type { LinkParams, LinkTarget } from "./signature";
import type { SnoozeChoice } from "./snooze-choices";
import type { ChainPreviewLines, LinkAnswer, LinkAsker, RerunPreviewLines, RetryChoice, RetryPreviewLines } from "./remedy-port";
import { actorName, isChannelLink, nameCookie, PersonNameSchema, rememberedName } from "./person-name";
import { type LinkSignIn, signedInPerson, signInFirst } from "./sign-in-gate";

const optional = <K extends string, V>(k: K, v: V | undefined): { [P in K]?: V } => (v === undefined ? {} : ({ [k]: v } as { [P in K]?: V }));

export interface LinkActions {
  /** What the link names, as its pages show it: a task's incident or a cause. */
  subject(target: LinkTarget, id: number): Promise<SubjectFacts | undefined>;
  /** Text for the person: what happened. */
  acknowledge(p: LinkParams): Promise<{ ok: boolean; message: string }>;
  snooze(p: LinkParams, choice: SnoozeChoice): Promise<{ ok: boolean; message: string }>;
  choices(now: number): SnoozeChoice[];
  /** The delays a retry link's page offers (none: retry is not available). */
  retryChoices(): RetryChoice[];
  /** Asks approved remediation to start the incident's task again after the choice's delay. */
  retry(p: LinkParams, choice: RetryChoice, who: LinkAsker): Promise<LinkAnswer>;
  /** The tasks of the incident's chain, heads first: a chain link's page offers each as where to start. */
  chainTasks(p: LinkParams): Promise<Array<{ id: string; name: string }>>;
  /** Asks approved remediation to reload the incident's app through the Engine, as its task would. */
  reload(p: LinkParams, who: LinkAsker): Promise<LinkAnswer>;
  /** Asks approved remediation to start the chain's task `taskId`; refused (not ok) when it is not in the chain. */
  chain(p: LinkParams, taskId: string, who: LinkAsker): Promise<LinkAnswer>;
  /** Asks approved remediation to re-run the runs a node's queue cause cancelled, once the queue drained. */
  rerun(p: LinkParams, who: LinkAsker): Promise<LinkAnswer>;
  /** What a re-run link of a cause would find now (absent: remediation is not on this Steward). */
  rerunLeft(p: LinkParams): Promise<{ left: number; message: string } | undefined>;
  /** What a re-run link of a cause would do if confirmed now, shown before the person confirms (absent: not known). */
  rerunPreview(p: LinkParams): Promise<RerunPreviewLines | undefined>;
  /** What a retry link's task would meet if retried now, shown above its delays (absent: not known). */
  retryPreview(p: LinkParams): Promise<RetryPreviewLines | undefined>;
  /** What an Engine reload link would do if confirmed now (absent: not known). */
  reloadPreview(p: LinkParams): Promise<RetryPreviewLines | undefined>;
  /** What a start from each of the chain's tasks would do now (empty: not known). */
  chainPreview(p: LinkParams): Promise<ChainPreviewLines[]>;
  /** A time as the pages say it: the message format on the site's clock (src/platform/core/time-text.ts). */
  formatTime(ms: number): string;
  /** Whether the action waits for a second person (remediation.approval: two-person). */
  needsTwoPeople(action: LinkParams["action"]): boolean;
}

const Params = z.object({ id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) });
const html = (c: Context<HttpEnv>, body: string, status: number) => {
  c.header("Cache-Control", "no-store");
  // same-origin, not no-referrer: the signed query never leaves for another site, and the confirmation's POST carries
  // the page's own Origin (no-referrer makes browsers send `Origin: null`).
  c.header("Referrer-Policy", "same-origin");
  // No script, no framing (a page that framed this one could trick a click on its button), forms only to here.
  c.header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'");
  c.header("X-Frame-Options", "DENY");
  return c.html(body, status as 200);
};
const query = (c: Context<HttpEnv>) => Object.fromEntries(new URL(c.req.url).searchParams);

export function registerLinkRoutes(
  router: Router,
  deps: { store: LinkStore; actions: LinkActions; audit: AuditLog; clock: Clock; signIn?: LinkSignIn | undefined },
): void {
  const forged = createForgedLinkTally(deps);
  for (const target of ["incident", "cause"] as const) registerTarget(router, target, { ...deps, forged });
}

/**
 * Who pressed: a person signed in with the directory; else the mail address the link was made for; a name typed on a
 * channel's link is only a label.
 */
function linkAsker(c: Context<HttpEnv>, recipient: string, signedIn: boolean): LinkAsker {
  const ip = auditActorOf(c).ip;
  return { ...(ip ? { ip } : {}), verified: signedIn || !isChannelLink(recipient) };
}

/**
 * A link whose subject has recovered: "Already recovered", except a re-run of a queue's cause, which closes when its
 * last waiting run is cancelled (just when a re-run makes sense): its link acts for as long as its cancelled runs have
 * not run again, and otherwise says plainly that nothing is left, with what ran.
 */
async function shownSubject(
  actions: LinkActions,
  p: LinkParams,
  subject: SubjectFacts,
): Promise<{ page?: { title: string; message: string }; shown: SubjectFacts }> {
  if (subject.status === "open") return { shown: subject };
  const left = p.action === "rerun" ? await actions.rerunLeft(p) : undefined;
  const noun = p.target === "cause" ? "Cause" : "Incident";
  if (!left) return { shown: subject, page: { title: "Already recovered", message: `${noun} #${subject.id} (${subject.title}) has recovered.` } };
  if (left.left === 0) return { shown: subject, page: { title: "Nothing left to re-run", message: left.message } };
  return { shown: { ...subject, lastSummary: `The queue has drained and the cause has closed. ${left.message}` } };
}

/** The preview a link's page shows before its buttons (issue 105): a re-run's, a retry's, an Engine reload's, a chain's starts. */
async function previewOf(actions: LinkActions, p: LinkParams): Promise<LinkPreview | undefined> {
  if (p.action === "rerun") return actions.rerunPreview(p);
  if (p.action === "reload") return actions.reloadPreview(p);
  if (p.action === "chain") return { starts: await actions.chainPreview(p) };
  return p.action === "retry" ? actions.retryPreview(p) : undefined;
}

type LandingDeps = {
  target: LinkTarget;
  store: LinkStore;
  actions: LinkActions;
  clock: Clock;
  signIn: LinkSignIn | undefined;
  result: (title: string, message: string, id: number) => string;
};

/** A link's landing page (GET): what it would do, asking to confirm; or why it cannot be used, or to sign in first. */
async function landingPage(c: Context<HttpEnv>, id: number, { target, store, actions, clock, signIn, result }: LandingDeps): Promise<Response> {
  const now = clock.now();
  const check = await checkLink(store, { target, id }, query(c), now, actions.formatTime);
  if (!check.ok) return html(c, result("This link cannot be used", check.reason, id), check.status);
  const subject = await actions.subject(target, id);
  if (!subject) return html(c, result(`No such ${target}`, `${target === "cause" ? "Cause" : "Incident"} #${id} is no longer kept.`, id), 404);
  const { page, shown } = await shownSubject(actions, check.params, subject);
  if (page) return html(c, result(page.title, page.message, subject.id), 200);
  const person = signedInPerson(c);
  const gate = signInFirst(c, signIn, check.params.action, person, actions.needsTwoPeople);
  if (gate) return html(c, gate, 401);
  // Signed in with the directory: the person acts as themselves, whoever the link was sent to; no name to type.
  const ask = !person && isChannelLink(check.params.recipient) ? { ...optional("remembered", rememberedName(c.req.header("cookie"))) } : undefined;
  const chain = check.params.action === "chain" ? await actions.chainTasks(check.params) : [];
  const preview = await previewOf(actions, check.params);
  const as = person ?? check.params.recipient;
  return html(c, confirmPage(shown, check.params.action, as, actions.choices(now), actions.retryChoices(), ask, chain, preview), 200);
}

/** GET and POST of the links naming one kind of target: /act/incident/{id} (a task's incident), /act/cause/{id}. */
type TargetDeps = { store: LinkStore; actions: LinkActions; audit: AuditLog; clock: Clock; forged: ForgedLinkTally; signIn?: LinkSignIn | undefined };

function registerTarget(router: Router, target: LinkTarget, { store, actions, audit, clock, forged, signIn }: TargetDeps): void {
  // Relative: the pages are served by the Steward the link names (http.publicUrl), as the dashboard is.
  const dashboard = (id: number) =>
    target === "cause"
      ? { href: `/ui/causes#cause-${id}`, text: `Open cause #${id} on the Causes page` }
      : { href: "/ui/incidents", text: "Open the Incidents page" };
  const result = (title: string, message: string, id: number) => resultPage(title, message, dashboard(id));
  // The TCP peer, or the address a trusted proxy forwarded (security.trustedProxies): never a header any client writes.
  const ipOf = (c: Context<HttpEnv>) => auditActorOf(c).ip;
  const refused = (c: Context<HttpEnv>, id: number, r: LinkRefusal, recipient: string | undefined, action?: string) => {
    // Audited each only when made for someone (expired, used): a forged one names nobody (forged-links.ts).
    if (r.status === 400 || r.status === 403) {
      if (ACTING_LINKS.has(action ?? "")) forged.refused({ target, id, action: action ?? "", ...r, ...(ipOf(c) ? { ip: ipOf(c)! } : {}) });
      return html(c, result("This link cannot be used", r.reason, id), r.status);
    }
    audit.record({
      actor: { kind: "link", name: recipient ?? "unknown", ...(ipOf(c) ? { ip: ipOf(c)! } : {}) },
      action: `${target}.link`,
      target: String(id),
      result: "denied",
      details: { reason: r.reason, status: r.status },
    });
    return html(c, result("This link cannot be used", r.reason, id), r.status);
  };

  router.route(
    {
      method: "get",
      path: `/act/${target}/:id`,
      summary: `Landing page of an acknowledge or snooze link naming ${target === "cause" ? "a cause" : "an incident"}`,
      description: "Shows what the signed link would do and asks to confirm; a GET never acts (mail scanners open links).",
      tags: ["Alerts"],
      scope: "public",
      hidden: true,
      params: Params,
      responses: { 200: { description: "The confirmation page", contentType: "text/html" } },
    },
    async (c, { params }) => landingPage(c, params.id, { target, store, actions, clock, signIn, result }),
  );

  router.route(
    {
      method: "post",
      path: `/act/${target}/:id`,
      summary: `Confirm an acknowledge or snooze link naming ${target === "cause" ? "a cause" : "an incident"}`,
      description: "Acts once, as the person the link was made for; the link cannot be used again on any Steward of the site.",
      tags: ["Alerts"],
      scope: "public",
      hidden: true,
      params: Params,
      responses: { 200: { description: "The result page", contentType: "text/html" } },
    },
    async (c, { params }) => {
      const now = clock.now();
      const q = query(c);
      const check = await checkLink(store, { target, id: params.id }, q, now, actions.formatTime);
      if (!check.ok) return refused(c, params.id, check, typeof q.r === "string" ? q.r : undefined, typeof q.a === "string" ? q.a : undefined);
      const link = check.params;
      const person = signedInPerson(c);
      const gate = signInFirst(c, signIn, link.action, person, actions.needsTwoPeople);
      if (gate) return html(c, gate, 401);
      const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
      // A link posted to a channel acts as the person who gives their name; asked again (the link unused) without one.
      // A person signed in with the directory acts as that identity, on any link.
      let p = person ? { ...link, recipient: person } : link;
      if (!person && isChannelLink(link.recipient)) {
        const name = PersonNameSchema.safeParse(typeof form.name === "string" ? form.name : "");
        if (!name.success) {
          const subject = await actions.subject(target, params.id);
          const problem = name.error.issues[0]?.message ?? "Type your name.";
          if (!subject) return html(c, result("Type your name", problem, params.id), 400);
          const chain = link.action === "chain" ? await actions.chainTasks(link) : [];
          const preview = await previewOf(actions, link);
          const page = confirmPage(subject, link.action, link.recipient, actions.choices(now), actions.retryChoices(), { problem }, chain, preview);
          return html(c, page, 400);
        }
        p = { ...link, recipient: actorName(name.data, link.recipient) };
        c.header("Set-Cookie", nameCookie(name.data, new URL(c.req.url).protocol === "https:" || c.req.header("x-forwarded-proto") === "https"));
      }
      let choice: SnoozeChoice | undefined;
      if (p.action === "snooze") {
        choice = actions.choices(now).find((ch) => ch.id === form.choice);
        if (!choice) return html(c, result("Choose how long", "Pick one of the snooze buttons on the link's page.", params.id), 400);
      }
      let retryIn: RetryChoice | undefined;
      if (p.action === "retry") {
        retryIn = actions.retryChoices().find((ch) => ch.id === form.retry);
        if (!retryIn) return html(c, result("Choose when", "Pick one of the retry buttons on the link's page.", params.id), 400);
      }
      // A chain's start names its task in the form (the page's buttons); one not in the chain is refused before the
      // link is used up, so the person can pick again.
      let chainTask: string | undefined;
      if (p.action === "chain") {
        const tasks = await actions.chainTasks(p);
        const asked = typeof form.task === "string" ? form.task.toLowerCase() : "";
        chainTask = tasks.find((t) => t.id === asked)?.id;
        if (!chainTask) {
          const names = tasks.map((t) => t.name).join(", ") || "none: the incident's task is in no chain Steward knows";
          return html(c, result("Choose a task of the chain", `Field task: pick one of the chain's tasks on the link's page (${names}).`, params.id), 400);
        }
      }
      const named = target === "cause" ? { incidentId: 0, causeId: p.incidentId } : { incidentId: p.incidentId };
      if (!(await store.use({ nonce: p.nonce, ...named, action: p.action, recipient: link.recipient, usedAt: now, expiresAt: p.expiresAt })))
        return refused(c, params.id, { status: 409, reason: "This link was used already: a link acts once." }, p.recipient);
      const who = linkAsker(c, link.recipient, person !== undefined);
      const done: LinkAnswer = retryIn
        ? await actions.retry(p, retryIn, who)
        : p.action === "rerun"
          ? await actions.rerun(p, who)
          : p.action === "reload"
            ? await actions.reload(p, who)
            : chainTask
              ? await actions.chain(p, chainTask, who)
              : choice
                ? await actions.snooze(p, choice)
                : await actions.acknowledge(p);
      audit.record({
        actor: { kind: person ? "sso" : "link", name: p.recipient, ...(ipOf(c) ? { ip: ipOf(c)! } : {}) },
        action: `${target}.${p.action === "ack" ? "acknowledge" : p.action}`,
        target: String(p.incidentId),
        result: done.ok ? "ok" : done.status === 403 ? "denied" : "failed",
        details: {
          message: done.message,
          ...(choice ? { until: new Date(choice.until).toISOString() } : {}),
          ...(retryIn ? { retryInMs: retryIn.delayMs } : {}),
          ...(chainTask ? { taskId: chainTask } : {}),
          ...(person ? { link: link.recipient } : {}),
        },
      });
      return html(c, result(done.title ?? (done.ok ? "Done" : "Nothing to do"), done.message, params.id), done.status ?? (done.ok ? 200 : 409));
    },
  );
}
