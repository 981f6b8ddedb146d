// MQTT channel: its own client per channel instance, connected on first use and kept open (mqtt.js
// reconnects). A delivery is acknowledged once every message of the event was published (PUBACK for QoS ≥ 1).
import type { IClientOptions, MqttClient } from "mqtt";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { ChannelDefinition } from "../../types";
import { deliveryError } from "../../../../platform/http/delivery-error";
import { mqttMessages } from "./messages";
import { MqttChannelSchema, type MqttChannelConfig } from "./schema";

function clientOptions(cfg: MqttChannelConfig, baseDir: string): IClientOptions {
  const file = (p: string | undefined) => (p ? readFileSync(resolve(baseDir, p)) : undefined);
  return {
    clientId: cfg.clientId ?? `steward-notify-${Math.random().toString(16).slice(2, 10)}`,
    username: cfg.username,
    password: cfg.password,
    ca: file(cfg.tls?.ca),
    cert: file(cfg.tls?.cert),
    key: file(cfg.tls?.key),
    rejectUnauthorized: cfg.tls?.rejectUnauthorized ?? true,
    servername: cfg.tls?.servername,
    reconnectPeriod: 2000,
    connectTimeout: Math.min(cfg.timeout, 30_000),
    // Never let mqtt.js queue while offline: the outbox retries, and a queued copy would be a duplicate.
    queueQoSZero: false,
  };
}

function waitConnected(client: MqttClient, signal: AbortSignal): Promise<void> {
  if (client.connected) return Promise.resolve();
  return new Promise((done, fail) => {
    const cleanup = () => {
      client.off("connect", onConnect);
      signal.removeEventListener("abort", onAbort);
    };
    const onConnect = () => {
      cleanup();
      done();
    };
    const onAbort = () => {
      cleanup();
      fail(deliveryError(`MQTT broker not connected${client.reconnecting ? " (reconnecting)" : ""}`, { cause: signal.reason }));
    };
    if (signal.aborted) return onAbort();
    client.on("connect", onConnect);
    signal.addEventListener("abort", onAbort);
  });
}

/** publishAsync takes no signal; the attempt timeout still has to end the wait for a PUBACK. */
function raceSignal<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((done, fail) => {
    const onAbort = () => fail(new Error("no acknowledgement from the broker before the timeout"));
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(done, fail).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

export const mqttChannel: ChannelDefinition<"mqtt"> = {
  type: "mqtt",
  schema: MqttChannelSchema,
  addressable: false,
  supportsDigest: false,
  templateParts: [],
  preview: (cfg, n) => ({ qos: cfg.qos, retain: cfg.retain, messages: n.events.flatMap((e) => mqttMessages(cfg, e, n.test?.target ?? "")) }),
  create(cfg, deps) {
    let client: MqttClient | undefined;
    const log = deps.log;
    const getClient = async () => {
      if (!client) {
        // mqtt.js loads with the first message, not at every start (a literal dynamic import: still in the binary).
        const { connect } = await import("mqtt");
        if (client) return client;
        client = connect(cfg.url, clientOptions(cfg, deps.baseDir));
        // mqtt.js emits errors on the client; without a listener they would be thrown.
        client.on("error", (err) => log.warn({ channel: deps.name, err: err.message }, "MQTT channel connection error"));
      }
      return client;
    };
    return {
      async send(n, signal) {
        const c = await getClient();
        const messages = n.events.flatMap((e) => mqttMessages(cfg, e, n.test?.target ?? ""));
        try {
          await waitConnected(c, signal);
          for (const m of messages) {
            if (signal.aborted) throw deliveryError("MQTT publish aborted", { cause: signal.reason });
            try {
              await raceSignal(c.publishAsync(m.topic, m.payload, { qos: cfg.qos, retain: cfg.retain }), signal);
            } catch (err) {
              throw deliveryError(`MQTT publish to ${m.topic} failed: ${(err as Error).message}`, { cause: err });
            }
          }
        } catch (err) {
          // mqtt.js keeps an unacknowledged QoS 1/2 publish and sends it again after reconnecting, while the
          // outbox retries the same delivery: two copies. A failed attempt therefore takes its client (and that
          // client's in-flight queue) with it; the next attempt connects afresh and only the outbox retries.
          if (client === c) {
            client = undefined;
            c.end(true);
          }
          throw err;
        }
      },
      async close() {
        if (client) await client.endAsync(false).catch(() => undefined);
      },
    };
  },
};
