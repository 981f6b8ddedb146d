// Inbound task starts over MQTT (Butler's taskStartTopic): a payload is a task id (seed 001) or the JSON body of
// a REST start (seed 000). The result goes to the reply topic; a bad payload is logged, counted and answered.
import type { Logger } from "pino";
import type { AuditLog } from "../../platform/audit/audit-log";
import type { MqttConfig } from "./config";
import { AppError, describeError } from "../../platform/core/errors";
import type { MetricsRegistry } from "../../platform/core/metrics";
import type { StartHandler } from "../control/start-handler";
import { StartBodySchema, type StartBody } from "../control/start-request";
import { isGuid } from "../../platform/qlik/qrs-filter";
import type { MqttService } from "./mqtt-client";

export interface MqttTaskStartDeps {
  handle: StartHandler;
  log: Logger;
  metrics: MetricsRegistry;
  audit: AuditLog;
  /** Whether people's direct starts need two people (remediation.approval.directStarts): a topic names nobody, so none starts. */
  twoPeople?: () => boolean;
}

const TWO_PEOPLE =
  "the two-person rule (remediation.approval.directStarts: two-person) needs two verified people for a direct start, and an MQTT message names none: start the task over REST with your own API key, where a second person confirms it";

type Parsed = { ok: true; pathId?: string; body?: StartBody } | { ok: false; reason: string; message: string };

const MAX_PAYLOAD = 64 * 1024;
const MAX_IN_FLIGHT = 8;
const MAX_WAITING = 1000;

export function parseTaskStartPayload(payload: Buffer): Parsed {
  if (payload.length > MAX_PAYLOAD) return { ok: false, reason: "too_large", message: `payload is larger than ${MAX_PAYLOAD} bytes` };
  const text = payload
    .toString("utf8")
    .replace(/^\uFEFF/, "")
    .trim();
  if (text === "") return { ok: false, reason: "empty", message: "empty payload: send a task id or a JSON start body" };
  if (isGuid(text)) return { ok: true, pathId: text };
  if (text.startsWith("{") || text.startsWith("[")) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      return { ok: false, reason: "bad_json", message: `payload is not valid JSON: ${(err as Error).message}` };
    }
    const parsed = StartBodySchema.safeParse(json);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      return { ok: false, reason: "bad_body", message: `payload is not a start body: ${i ? `${i.path.join(".") || "(root)"}: ${i.message}` : "invalid"}` };
    }
    return { ok: true, body: parsed.data };
  }
  return { ok: false, reason: "not_task_id", message: "payload is neither a task id (GUID) nor a JSON start body" };
}

export function registerMqttTaskStart(mqtt: MqttService, cfg: NonNullable<MqttConfig["taskStart"]>, deps: MqttTaskStartDeps): void {
  const log = deps.log.child({ module: "mqtt-task-start" });
  const replyTopic = cfg.replyTopic ?? `${cfg.topic}/result`;
  const bad = deps.metrics.counter("steward_mqtt_task_start_rejected_total", "MQTT task-start messages rejected, by reason.");
  const handled = deps.metrics.counter("steward_mqtt_task_start_handled_total", "MQTT task-start messages handled.");

  const reply = async (message: Record<string, unknown>) => {
    try {
      await mqtt.publish(replyTopic, JSON.stringify(message), { qos: cfg.qos });
    } catch (err) {
      log.warn({ replyTopic, err: describeError(err) }, "could not publish the task start result");
    }
  };

  // A burst of messages must not become a burst of QRS calls: a few run at once, the rest wait (bounded).
  let running = 0;
  const waiting: Array<() => void> = [];
  const slot = async (): Promise<boolean> => {
    if (running < MAX_IN_FLIGHT) {
      running++;
      return true;
    }
    if (waiting.length >= MAX_WAITING) return false;
    await new Promise<void>((resolve) => waiting.push(resolve));
    return true;
  };
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };

  mqtt.subscribe(cfg.topic, cfg.qos, async (topic, payload) => {
    if (!(await slot())) {
      bad.inc({ reason: "overloaded" });
      log.warn({ topic, waiting: waiting.length }, "MQTT task start dropped: too many waiting");
      await reply({ request: payload.toString("utf8").slice(0, 500), error: "too many task start messages waiting; try again later", code: "RATE_LIMITED" });
      return;
    }
    try {
      await handleMessage(topic, payload);
    } finally {
      release();
    }
  });

  async function handleMessage(topic: string, payload: Buffer): Promise<void> {
    const request = payload.toString("utf8").slice(0, 500);
    const parsed = parseTaskStartPayload(payload);
    const origin = { kind: "mqtt" as const, name: topic };
    if (!parsed.ok) {
      bad.inc({ reason: parsed.reason });
      log.warn({ topic, reason: parsed.reason, payload: request.slice(0, 120) }, "MQTT task start rejected");
      deps.audit.record({ actor: { kind: "mqtt", name: topic }, action: "task.start", result: "failed", details: { reason: parsed.message } });
      await reply({ request, error: parsed.message, code: "BAD_REQUEST" });
      return;
    }
    if (deps.twoPeople?.()) {
      bad.inc({ reason: "two_person_rule" });
      log.warn({ topic, payload: request.slice(0, 120) }, "MQTT task start refused: the two-person rule applies to direct starts");
      deps.audit.record({
        actor: { kind: "mqtt", name: topic },
        action: "task.start",
        result: "denied",
        details: { reason: TWO_PEOPLE, request: request.slice(0, 200) },
      });
      await reply({ request, error: TWO_PEOPLE, code: "FORBIDDEN", details: { field: "approval" } });
      return;
    }
    try {
      const result = await deps.handle(parsed.pathId, parsed.body, origin);
      handled.inc();
      await reply({ request, ...result });
    } catch (err) {
      const code = err instanceof AppError ? err.code : "INTERNAL";
      if (code === "BAD_REQUEST") bad.inc({ reason: "invalid_task_id" });
      log.warn({ topic, err: describeError(err) }, "MQTT task start failed");
      await reply({
        request,
        error: err instanceof AppError ? err.message : describeError(err),
        code,
        ...(err instanceof AppError && err.details !== undefined ? { details: err.details } : {}),
      });
    }
  }
}
