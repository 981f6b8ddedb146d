// The on-call products' webhooks: public routes whose credential is in the request (PagerDuty's signature, the token
// an Opsgenie / JSM outgoing webhook sends), checked before the body is parsed; a delivery taken before, or too old,
// is a replay and answers 409 (replay-guard.ts). A refused request answers 401 and is
// audited through the access guard's rate-limited denial audit (an anonymous write refused), so a flood of forged
// requests cannot grow the audit log; an accepted one acts in Steward (act.ts) and answers 202. One that arrives while
// the store is unreachable is spooled on disk and applied once it answers (webhook-spool.ts), also answered 202.
import type { Context } from "hono";
import { z } from "zod";
import type { AuditLog } from "../../platform/audit/audit-log";
import { auditActorOf } from "../../platform/http/audit-actor";
import type { Clock } from "../../platform/core/clock";
import { AppError } from "../../platform/core/errors";
import { causedByStoreOutage } from "../../platform/store/sql";
import type { HttpEnv } from "../../platform/http/types";
import type { Router } from "../../platform/http/route";
import type { IncidentService } from "../incidents";
import type { Notifier } from "../notify";
import { actFromProduct, type ConditionIncidentOf, type ProductAct, type ProductAction, type ProductActLinks } from "./act";
import type { ReplayGuard } from "./replay-guard";
import { pagerDutySigner, tokenOwner } from "./signature";
import type { SpooledDelivery, WebhookSpool } from "./webhook-spool";

export const PAGERDUTY_WEBHOOK_PATH = "/v4/integrations/pagerduty/webhook";
export const OPSGENIE_WEBHOOK_PATH = "/v4/integrations/opsgenie/webhook";
export const OPSGENIE_TOKEN_HEADER = "x-steward-webhook-token";

/** What Steward reads of a PagerDuty v3 webhook; PagerDuty sends much more, and adds fields (left alone). */
const PagerDutyWebhookSchema = z.lazy(() =>
  z.looseObject({
    event: z.looseObject({
      // Both are in every v3 delivery, inside the signed body: a replay is told by its id, a stale one by its time.
      id: z.string().min(1).max(200),
      occurred_at: z.iso.datetime({ offset: true }),
      event_type: z.string().max(100),
      resource_type: z.string().max(100).optional(),
      agent: z.looseObject({ summary: z.string().max(300).optional() }).nullish(),
      data: z.looseObject({ incident_key: z.string().max(255).nullish() }).nullish(),
    }),
  }),
);

/** What Steward reads of an Opsgenie / JSM outgoing webhook. */
const OpsgenieWebhookSchema = z.lazy(() =>
  z.looseObject({
    action: z.string().max(100),
    alert: z.looseObject({
      alertId: z.string().max(200).optional(),
      alias: z.string().max(512).optional(),
      username: z.string().max(300).optional(),
    }),
  }),
);

const PAGERDUTY_ACTIONS: Record<string, ProductAction> = { "incident.acknowledged": "acknowledge", "incident.resolved": "resolve" };
const OPSGENIE_ACTIONS: Record<string, ProductAction> = { Acknowledge: "acknowledge", Close: "resolve" };

const Answer = z.lazy(() => z.object({ status: z.enum(["done", "ignored", "queued"]), message: z.string() }));

export interface OnCallRouteDeps {
  notify: Notifier;
  incidents: () => IncidentService | undefined;
  audit: AuditLog;
  /** Refuses deliveries taken before, or too old (replay-guard.ts). */
  replays: ReplayGuard;
  /** The condition's incident an alert keyed by its condition is (act.ts). */
  conditionIncidentOf?: ConditionIncidentOf;
  /** Keeps a delivery that arrives while the store is unreachable (webhook-spool.ts); without it such a one answers 503. */
  spool?: WebhookSpool;
  clock?: Clock;
}

/** A 401 (a 409 for a replay) whose reason joins the request's (rate-limited) audit row. */
function refuse(c: Context<HttpEnv>, op: string, reason: string, replay = false): Response {
  c.get("auditNote")?.({ actor: auditActorOf(c), action: op, result: "denied", details: { reason } });
  return replay ? c.json({ error: reason, code: "CONFLICT" }, 409) : c.json({ error: reason, code: "UNAUTHORIZED" }, 401);
}

function parseJson<T>(schema: z.ZodType<T>, raw: Uint8Array): T {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(raw));
  } catch {
    throw new AppError("BAD_REQUEST", "body: not valid JSON", { details: [{ field: "body", message: "not valid JSON" }] });
  }
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const i = r.error.issues[0]!;
  const field = ["body", ...i.path.map(String)].join(".");
  throw new AppError("BAD_REQUEST", `${field}: ${i.message}`, { details: [{ field, message: i.message }] });
}

function actLinks(deps: OnCallRouteDeps): ProductActLinks {
  return {
    ...(deps.conditionIncidentOf ? { conditionIncidentOf: deps.conditionIncidentOf } : {}),
    actedThere: (channel, key, action, by) => deps.notify.actedInProduct(channel, key, action, by),
  };
}

/**
 * Applies a delivery the spool kept through a store outage. Its id goes to the replay guard so a copy the product
 * sends later is refused; its verdict is not asked: the product may have sent it again in between and it was applied
 * then, and an acknowledgement or resolve applied twice changes nothing the second time (act.ts).
 */
export async function applySpooledDelivery(deps: OnCallRouteDeps, d: SpooledDelivery): Promise<void> {
  await deps.replays.take(d.act.product, d.deliveryId, undefined);
  await actFromProduct(deps.incidents(), deps.audit, d.act, actLinks(deps));
}

export function registerOnCallRoutes(router: Router, deps: OnCallRouteDeps): void {
  const links = actLinks(deps);
  /**
   * The replay guard's word, then the act (a string: the reason it is ignored). While the store is unreachable, a
   * delivery that passed the signature and age checks is spooled and answered 202; a full spool lets the 503 through.
   */
  async function takeThenAct(
    c: Context<HttpEnv>,
    op: string,
    product: ProductAct["product"],
    deliveryId: string,
    atMs: number | undefined,
    act: ProductAct | string,
  ): Promise<Response> {
    try {
      const taken = await deps.replays.take(product, deliveryId, atMs);
      if (!taken.ok) return refuse(c, op, taken.reason, true);
      if (typeof act === "string") return c.json({ status: "ignored" as const, message: act }, 202);
      return c.json(await actFromProduct(deps.incidents(), deps.audit, act, links), 202);
    } catch (err) {
      if (!causedByStoreOutage(err)) throw err;
      if (typeof act === "string") return c.json({ status: "ignored" as const, message: act }, 202);
      if (!deps.spool || !deps.clock || !deps.spool.put({ act, deliveryId, receivedAtMs: deps.clock.now() })) throw err;
      return c.json(
        { status: "queued" as const, message: `the store is unreachable: the ${act.action} of ${act.key} is kept and applied once it answers` },
        202,
      );
    }
  }
  const responses = {
    202: { description: "Taken: what Steward did with it (queued: the store is unreachable, it is applied once it answers)", schema: Answer },
    503: { description: "The store is unreachable and the spool is full: the product is asked to send it again (Retry-After)" },
    401: { description: "The signature or token is missing or wrong (audited)" },
    409: { description: "A replay: the delivery was taken already, or is older than 10 minutes (audited once per caller and minute)" },
    404: { description: "No channel takes this webhook (no secret configured)" },
  };
  router.route(
    {
      method: "post",
      path: PAGERDUTY_WEBHOOK_PATH,
      summary: "PagerDuty v3 webhook: an incident acknowledged or resolved in PagerDuty is acknowledged or resolved in Steward",
      description:
        "Signed by PagerDuty (X-PagerDuty-Signature, HMAC-SHA256 of the body with the subscription's secret, a pagerduty channel's webhookSecret). " +
        "incident.acknowledged of an alert Steward opened acknowledges its incident or cause, incident.resolved resolves it (closed as resolved by PagerDuty's user; PagerDuty is not told back, the other products are); other events are ignored.",
      tags: ["Alerts"],
      scope: "public",
      responses,
    },
    async (c) => {
      const channels = deps.notify.channelsOfType("pagerduty").filter((ch) => ch.config.webhookSecret);
      if (channels.length === 0) throw new AppError("NOT_FOUND", "no pagerduty channel has a webhookSecret, so this webhook is off");
      const raw = new Uint8Array(await c.req.arrayBuffer());
      const signer = pagerDutySigner(
        raw,
        c.req.header("x-pagerduty-signature"),
        channels.map((ch) => ch.config.webhookSecret!),
      );
      if (signer < 0) return refuse(c, "pagerduty.webhook", "X-PagerDuty-Signature is missing or matches no pagerduty channel's webhookSecret");
      const { event } = parseJson(PagerDutyWebhookSchema, raw);
      const action = PAGERDUTY_ACTIONS[event.event_type];
      const key = event.data?.incident_key ?? undefined;
      const act: ProductAct | string =
        action && key
          ? {
              product: "pagerduty",
              productName: "PagerDuty",
              channel: channels[signer]!.name,
              action,
              key,
              agent: event.agent?.summary,
              reference: event.id,
              ip: auditActorOf(c).ip,
            }
          : `${event.event_type} is not acted on`;
      return takeThenAct(c, "pagerduty.webhook", "pagerduty", event.id, Date.parse(event.occurred_at), act);
    },
  );
  router.route(
    {
      method: "post",
      path: OPSGENIE_WEBHOOK_PATH,
      summary: "Opsgenie / Jira Service Management outgoing webhook: an alert acknowledged or closed there is acknowledged or resolved in Steward",
      description:
        "Carries an opsgenie channel's webhookToken in the X-Steward-Webhook-Token header (the products do not sign their webhooks). " +
        "Acknowledge of an alert Steward opened acknowledges its incident or cause, Close resolves it (closed as resolved by the product's user; that product is not told back, the others are); other actions are ignored.",
      tags: ["Alerts"],
      scope: "public",
      responses,
    },
    async (c) => {
      const channels = deps.notify.channelsOfType("opsgenie").filter((ch) => ch.config.webhookToken);
      if (channels.length === 0) throw new AppError("NOT_FOUND", "no opsgenie channel has a webhookToken, so this webhook is off");
      const owner = tokenOwner(
        c.req.header(OPSGENIE_TOKEN_HEADER),
        channels.map((ch) => ch.config.webhookToken!),
      );
      if (owner < 0) return refuse(c, "opsgenie.webhook", "X-Steward-Webhook-Token is missing or matches no opsgenie channel's webhookToken");
      const body = parseJson(OpsgenieWebhookSchema, new Uint8Array(await c.req.arrayBuffer()));
      const action = OPSGENIE_ACTIONS[body.action];
      const key = body.alert.alias;
      if (!action || !key) return c.json({ status: "ignored" as const, message: `${body.action} is not acted on` }, 202);
      // The token is no signature and the body carries no delivery id: the same action on the same alert within the
      // window is taken as a replay of one delivery.
      const deliveryId = `${body.alert.alertId ?? ""}|${key}|${body.action}`.slice(0, 1_000);
      const act: ProductAct = {
        product: "opsgenie",
        productName: "Opsgenie",
        channel: channels[owner]!.name,
        action,
        key,
        agent: body.alert.username,
        reference: body.alert.alertId,
        ip: auditActorOf(c).ip,
      };
      return takeThenAct(c, "opsgenie.webhook", "opsgenie", deliveryId, undefined, act);
    },
  );
}
