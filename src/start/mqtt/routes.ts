// PUT /v4/mqttpublishmessage (Butler-compatible): publishes to any topic. Answers 503 at once when the broker
// is not connected or MQTT is not configured, instead of hanging like Butler.
// Its schemas are built on first use (z.lazy): a start that never needs them does not pay for building them.
import { auditActorOf } from "../../platform/http/audit-actor";
import { z } from "zod";
import type { AuditLog } from "../../platform/audit/audit-log";
import { AppError } from "../../platform/core/errors";
import { butlerBoolean, butlerInteger, butlerText } from "../../platform/core/butler-values";
import { topicMatches, type MqttService } from "./mqtt-client";
import type { Router } from "../../platform/http/route";
import { principalOf } from "../../platform/http/request-state";

const PublishBodySchema = z.lazy(() =>
  z.strictObject({
    topic: z
      .string()
      .min(1)
      .refine((t) => !/[+#]/.test(t), "a publish topic cannot contain the wildcards + or #"),
    message: butlerText.describe('The payload; a number or boolean is published as its text (42 → "42"), as Butler did.'),
    qos: butlerInteger
      .pipe(z.union([z.literal(0), z.literal(1), z.literal(2)]))
      .optional()
      .describe("Default 1."),
    retain: butlerBoolean.optional().describe("Default false."),
  }),
);

const ErrorSchema = z.lazy(() => z.object({ error: z.string(), code: z.string() }));

/** Steward subscribes to mqtt.taskStart.topic and starts tasks from it; a shared subscription names the topic after $share/<group>/. */
function startFilter(topic: string | undefined): string | undefined {
  return topic?.replace(/^\$share\/[^/]+\//, "");
}

export function registerMqttRoutes(router: Router, deps: { mqtt: MqttService | undefined; audit: AuditLog; taskStartTopic?: string }): void {
  const filter = startFilter(deps.taskStartTopic);
  router.route(
    {
      method: "put",
      path: "/v4/mqttpublishmessage",
      summary: "Publish a message to an MQTT topic",
      description: "Waits for the broker's acknowledgement (QoS 1 by default, bounded by mqtt.publishTimeoutMs). 503 when the broker is not connected.",
      tags: ["mqtt"],
      scope: "mqtt",
      butlerFlag: "mqttPublishMessage",
      body: PublishBodySchema,
      responses: {
        201: { description: "Published; echoes the request.", schema: PublishBodySchema },
        503: { description: "MQTT not configured or broker not connected.", schema: ErrorSchema },
        504: { description: "The broker did not acknowledge in time.", schema: ErrorSchema },
      },
    },
    async (c, { body }) => {
      const actor = auditActorOf(c);
      if (!deps.mqtt) throw new AppError("UNAVAILABLE", "MQTT is not configured (add an mqtt: section with the broker url)");
      // A message on the task-start topic starts a task: without this, the mqtt scope alone could start tasks.
      const scopes = principalOf(c).scopes ?? [];
      if (filter && topicMatches(filter, body.topic) && scopes !== "all" && !scopes.includes("tasks") && !scopes.includes("admin")) {
        deps.audit.record({ actor, action: "mqtt.publish", target: body.topic, result: "denied", details: { reason: "task-start topic" } });
        throw new AppError("FORBIDDEN", `${body.topic} is Steward's task-start topic (mqtt.taskStart.topic): publishing there needs scope "tasks" too`);
      }
      try {
        await deps.mqtt.publish(body.topic, body.message, { qos: body.qos, retain: body.retain });
        deps.audit.record({ actor, action: "mqtt.publish", target: body.topic, result: "ok", details: { bytes: Buffer.byteLength(body.message) } });
      } catch (err) {
        deps.audit.record({ actor, action: "mqtt.publish", target: body.topic, result: "failed", details: { error: (err as Error).message } });
        throw err;
      }
      return c.json(body, 201);
    },
  );
}
