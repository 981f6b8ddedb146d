// PUT /v4/slackpostmessage (Butler-compatible): posts a plain message through the configured Slack webhook
// (control.slack.webhookUrl). Unlike Butler, Slack's refusal is passed on as an error status, not a 201.
// Its schemas are built on first use (z.lazy): a start that never needs them does not pay for building them.
import { auditActorOf } from "../audit-actor";
import { z } from "zod";
import type { AuditLog } from "../../audit/audit-log";
import type { SlackMessageConfig } from "../config";
import { AppError, describeError } from "../../core/errors";
import { butlerText } from "../../core/butler-values";
import type { Router } from "../route";

/** Butler's Fastify took a number or boolean as its text; so do we (msg: 42 is posted as "42"). */
const SlackBodySchema = z.lazy(() =>
  z.strictObject({
    channel: butlerText.pipe(z.string().min(1)).describe("Channel, e.g. #qlik-ops (webhooks bound to one channel may ignore it)."),
    from_user: butlerText.pipe(z.string().min(1)).describe("Display name of the sender."),
    msg: butlerText.pipe(z.string().min(1)).describe("Message text (Slack mrkdwn)."),
    emoji: butlerText.optional().describe("Icon emoji, e.g. ghost or :ghost:."),
  }),
);

const ErrorSchema = z.lazy(() => z.object({ error: z.string(), code: z.string(), details: z.unknown().optional() }));

/** Sends one message; resolves on 2xx, throws CHANNEL_SEND with Slack's answer otherwise. */
export async function postSlackMessage(cfg: SlackMessageConfig, body: z.infer<typeof SlackBodySchema>): Promise<void> {
  const emoji = body.emoji ? `:${body.emoji.replace(/^:|:$/g, "")}:` : undefined;
  let res: Response;
  try {
    res = await fetch(cfg.webhookUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ channel: body.channel, username: body.from_user, text: body.msg, ...(emoji ? { icon_emoji: emoji } : {}) }),
      signal: AbortSignal.timeout(cfg.timeoutMs),
    });
  } catch (err) {
    const timedOut = (err as Error).name === "TimeoutError";
    throw new AppError(
      timedOut ? "TIMEOUT" : "CHANNEL_SEND",
      `Slack webhook ${timedOut ? `did not answer within ${cfg.timeoutMs} ms` : `unreachable: ${describeError(err)}`}`,
      { cause: err },
    );
  }
  const text = (await res.text()).slice(0, 500);
  if (!res.ok) {
    throw new AppError("CHANNEL_SEND", `Slack refused the message: ${res.status} ${text}`, { details: { slackStatus: res.status, slackResponse: text } });
  }
}

export function registerSlackRoutes(router: Router, deps: { slack: SlackMessageConfig | undefined; audit: AuditLog }): void {
  router.route(
    {
      method: "put",
      path: "/v4/slackpostmessage",
      summary: "Post a message to Slack",
      description: "Uses control.slack.webhookUrl. 502 with Slack's answer when Slack refuses; 503 when no webhook is configured.",
      tags: ["slack"],
      scope: "mqtt",
      butlerFlag: "slackPostMessage",
      body: SlackBodySchema,
      responses: {
        201: { description: "Slack accepted it; echoes the request.", schema: SlackBodySchema },
        502: { description: "Slack refused the message or could not be reached.", schema: ErrorSchema },
        503: { description: "No Slack webhook configured.", schema: ErrorSchema },
      },
    },
    async (c, { body }) => {
      if (!deps.slack) throw new AppError("UNAVAILABLE", "no Slack webhook configured (control.slack.webhookUrl)");
      const actor = auditActorOf(c);
      try {
        await postSlackMessage(deps.slack, body);
        deps.audit.record({ actor, action: "slack.post", target: body.channel, result: "ok" });
      } catch (err) {
        deps.audit.record({ actor, action: "slack.post", target: body.channel, result: "failed", details: { error: (err as Error).message } });
        throw err;
      }
      return c.json(body, 201);
    },
  );
}
