// Qlik Cloud reloads started over MQTT (mqtt.cloudReloadStart): a payload is an app id or the JSON body of
// POST /v4/cloud/reloads; the result (or a clear error) goes to the reply topic, like task starts over MQTT.
import type { Logger } from "pino";
import { AppError, describeError } from "../../platform/core/errors";
import type { MqttService } from "../../start/mqtt/mqtt-client";
import { CloudStartSchema, type CloudStarter } from "./start-reload";

const MAX_PAYLOAD = 16 * 1024;

export function registerMqttCloudStart(
  mqtt: MqttService,
  cfg: { topic: string; replyTopic?: string | undefined; qos: 0 | 1 | 2 },
  deps: { start: CloudStarter; log: Logger },
): void {
  const replyTopic = cfg.replyTopic ?? `${cfg.topic}/result`;
  const reply = (message: Record<string, unknown>) =>
    mqtt
      .publish(replyTopic, JSON.stringify(message), { qos: cfg.qos })
      .catch((err) => deps.log.warn({ err: describeError(err) }, "could not publish the Cloud reload result"));
  mqtt.subscribe(cfg.topic, cfg.qos, async (topic, payload) => {
    const request = payload.toString("utf8").slice(0, 500);
    const text = payload.length > MAX_PAYLOAD ? "" : payload.toString("utf8").trim();
    let body: unknown = text;
    if (text.startsWith("{")) {
      try {
        body = JSON.parse(text);
      } catch (err) {
        return reply({ request, error: `payload is not valid JSON: ${(err as Error).message}`, code: "BAD_REQUEST" });
      }
    } else body = text ? { appId: text } : {};
    const parsed = CloudStartSchema.safeParse(body);
    if (!parsed.success) {
      const i = parsed.error.issues[0]!;
      return reply({ request, error: `payload is not a Cloud reload start: ${i.path.join(".") || "(root)"}: ${i.message}`, code: "BAD_REQUEST" });
    }
    try {
      await reply({ request, ...(await deps.start(parsed.data, { kind: "mqtt", name: topic })) });
    } catch (err) {
      deps.log.warn({ topic, err: describeError(err) }, "MQTT Cloud reload start failed");
      await reply({ request, error: err instanceof AppError ? err.message : describeError(err), code: err instanceof AppError ? err.code : "INTERNAL" });
    }
  });
}
