// Cloud reload starts over MQTT (qlikCloud.mqttTopic): a message is the JSON body of POST /v4/cloud/reloads; the
// answer (the queued reload, or why not) goes to `<topic>/result`. Audited as a task start by the topic.
import type { Logger } from "pino";
import type { AuditLog } from "../audit/audit-log";
import { AppError, describeError } from "../core/errors";
import type { MetricsRegistry } from "../core/metrics";
import type { MqttService } from "../mqtt/mqtt-client";
import { CloudStartBodySchema, startCloudReload, type CloudTenantHandle } from "./start-reload";

const MAX_PAYLOAD = 16 * 1024;

export function registerCloudMqttStart(
  mqtt: MqttService,
  topic: string,
  deps: { tenants: readonly CloudTenantHandle[]; audit: AuditLog; log: Logger; metrics: MetricsRegistry },
): void {
  const log = deps.log.child({ module: "cloud-mqtt" });
  const replyTopic = `${topic}/result`;
  const rejected = deps.metrics.counter("steward_mqtt_cloud_reload_rejected_total", "MQTT Cloud reload messages rejected, by reason.");
  const reply = (m: Record<string, unknown>) =>
    mqtt
      .publish(replyTopic, JSON.stringify(m), { qos: 1 })
      .catch((err: unknown) => log.warn({ replyTopic, err: describeError(err) }, "could not publish the result"));

  // Messages are handled one after another: a burst becomes a queue of tenant calls, not a burst of them.
  let chain: Promise<void> = Promise.resolve();
  mqtt.subscribe(topic, 1, (t, payload) => {
    chain = chain.then(() => handle(t, payload)).catch(() => {});
    return chain;
  });

  async function handle(t: string, payload: Buffer): Promise<void> {
    const request = payload.toString("utf8").slice(0, 500);
    const actor = { kind: "mqtt", name: t };
    let body: unknown;
    try {
      if (payload.length > MAX_PAYLOAD) throw new Error(`payload is larger than ${MAX_PAYLOAD} bytes`);
      body = JSON.parse(payload.toString("utf8").replace(/^\uFEFF/, ""));
    } catch (err) {
      rejected.inc({ reason: "bad_json" });
      await reply({ request, error: `payload is not a JSON body {appId, tenant?, partial?}: ${(err as Error).message}`, code: "BAD_REQUEST" });
      return;
    }
    const parsed = CloudStartBodySchema.safeParse(body);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      rejected.inc({ reason: "bad_body" });
      await reply({ request, error: `${i?.path.join(".") || "(root)"}: ${i?.message ?? "invalid"}`, code: "BAD_REQUEST" });
      return;
    }
    try {
      await reply({ request, ...(await startCloudReload(deps.tenants, parsed.data, actor, deps.audit)) });
    } catch (err) {
      log.warn({ topic: t, err: describeError(err) }, "MQTT Cloud reload start failed");
      await reply({ request, error: describeError(err), code: err instanceof AppError ? err.code : "INTERNAL" });
    }
  }
}
