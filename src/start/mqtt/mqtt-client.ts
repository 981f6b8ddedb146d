// Steward's MQTT connection: connects with credentials and TLS, reconnects with exponential backoff, reports
// its state on /ready and /metrics, re-subscribes after every reconnect, and publishes with a bounded wait.
import { type Timer, wallClock } from "../../platform/core/clock";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { resolve } from "node:path";
import type { IClientOptions, IPublishPacket, MqttClient } from "mqtt";
import type { Logger } from "pino";
import type { MqttConfig } from "./config";
import { AppError, describeError } from "../../platform/core/errors";
import type { Component } from "../../platform/core/lifecycle";
import type { MetricsRegistry } from "../../platform/core/metrics";
import type { Readiness } from "../../platform/core/readiness";

export type MqttMessageHandler = (topic: string, payload: Buffer, packet: IPublishPacket) => void | Promise<void>;

export interface PublishOptions {
  qos?: 0 | 1 | 2;
  retain?: boolean;
}

export interface MqttService extends Component {
  readonly connected: boolean;
  /** "connected to …", "reconnecting in 4000 ms (last error: …)", "stopped". */
  readonly state: string;
  /** Fails fast with UNAVAILABLE (503) when not connected, TIMEOUT when the broker does not acknowledge in time. */
  publish(topic: string, message: string | Buffer, opts?: PublishOptions): Promise<void>;
  /** Registers a subscription; it is (re)made on every connect. */
  subscribe(topic: string, qos: 0 | 1 | 2, handler: MqttMessageHandler): void;
  /** Calls `fn` after every (re)connect, once the subscriptions were made again. */
  onConnect(fn: () => void): void;
  /** The broker as host:port and the client id, for status messages. */
  readonly identity: { broker: string; clientId: string };
}

export interface MqttServiceDeps {
  log: Logger;
  metrics: MetricsRegistry;
  readiness: Readiness;
  /** Folder that relative TLS file paths are resolved against. */
  baseDir: string;
}

/** Which subscription filter a topic falls under (MQTT wildcards + and #). */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split("/");
  const t = topic.split("/");
  for (let i = 0; i < f.length; i++) {
    if (f[i] === "#") return true;
    if (i >= t.length) return false;
    if (f[i] !== "+" && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/** host:port of the broker, the port the scheme's default when the URL names none. */
function brokerAddress(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || (u.protocol === "mqtts:" ? "8883" : u.protocol === "wss:" ? "443" : u.protocol === "ws:" ? "80" : "1883")}`;
}

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, "//***@");
}

/** The TLS options of the connection, its files read now (a file that cannot be read is a config error naming it). */
function tlsOptions(cfg: MqttConfig, baseDir: string): Partial<IClientOptions> {
  if (!cfg.tls) return {};
  const read = (file: string | undefined, what: string) => {
    if (!file) return undefined;
    const path = resolve(baseDir, file);
    try {
      return readFileSync(path);
    } catch (err) {
      throw new AppError("CONFIG_INVALID", `mqtt.tls.${what}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? describeError(err)}`, {
        cause: err,
      });
    }
  };
  return {
    ca: read(cfg.tls.ca, "ca"),
    cert: read(cfg.tls.cert, "cert"),
    key: read(cfg.tls.key, "key"),
    rejectUnauthorized: cfg.tls.rejectUnauthorized,
    ...(cfg.tls.servername ? { servername: cfg.tls.servername } : {}),
  };
}

/** Hands a message to the handler of every subscription whose filter it falls under. */
function dispatch(subs: Array<{ topic: string; handler: MqttMessageHandler }>, log: Logger, topic: string, payload: Buffer, packet: IPublishPacket): void {
  for (const s of subs) {
    if (!topicMatches(s.topic, topic)) continue;
    // A handler must never take the connection down: its errors are logged here.
    Promise.resolve()
      .then(() => s.handler(topic, payload, packet))
      .catch((err) => log.error({ topic, err: describeError(err) }, "MQTT message handler failed"));
  }
}

export function createMqttService(cfg: MqttConfig, deps: MqttServiceDeps): MqttService {
  const log = deps.log.child({ module: "mqtt" });
  const subs: Array<{ topic: string; qos: 0 | 1 | 2; handler: MqttMessageHandler }> = [];
  const connectListeners: Array<() => void> = [];
  const clientId = cfg.clientId ?? `steward-${hostname()}-${Math.random().toString(16).slice(2, 10)}`;
  const broker = brokerAddress(cfg.url);
  const target = redactUrl(cfg.url);
  let client: MqttClient | undefined;
  let stopping = false;
  let connected = false;
  let delayMs = cfg.reconnect.initialDelayMs;
  let reconnectTimer: Timer | undefined;
  let lastError = "";
  let state = "not started";

  const published = deps.metrics.counter("steward_mqtt_published_total", "MQTT publishes by result (ok, not_connected, failed).");
  const received = deps.metrics.counter("steward_mqtt_received_total", "MQTT messages received on subscribed topics.");
  const reconnects = deps.metrics.counter("steward_mqtt_reconnects_total", "MQTT reconnect attempts.");
  deps.metrics.gaugeFn("steward_mqtt_connected", "1 while the MQTT broker connection is up.", () => (connected ? 1 : 0));
  deps.readiness.register({ name: "mqtt", required: cfg.required, check: () => ({ ok: connected, detail: state }) });

  function scheduleReconnect() {
    if (stopping || reconnectTimer || !client) return;
    const wait = delayMs;
    delayMs = Math.min(delayMs * 2, cfg.reconnect.maxDelayMs);
    state = `reconnecting to ${target} in ${wait} ms${lastError ? ` (last error: ${lastError})` : ""}`;
    // Wall time: the broker is always a real one over the network, never simulated.
    reconnectTimer = wallClock.setTimeout(() => {
      reconnectTimer = undefined;
      if (stopping || !client) return;
      reconnects.inc();
      client.reconnect();
    }, wait);
  }

  function onMessage(topic: string, payload: Buffer, packet: IPublishPacket) {
    received.inc();
    dispatch(subs, log, topic, payload, packet);
  }

  return {
    name: "mqtt",
    get connected() {
      return connected;
    },
    get state() {
      return state;
    },
    async start() {
      stopping = false;
      const options: IClientOptions = {
        clientId,
        ...(cfg.username ? { username: cfg.username } : {}),
        ...(cfg.password !== undefined ? { password: cfg.password } : {}),
        connectTimeout: cfg.connectTimeoutMs,
        // Steward drives reconnects itself (exponential backoff); mqtt.js would retry at a fixed period.
        reconnectPeriod: 0,
        resubscribe: false,
        clean: true,
        ...tlsOptions(cfg, deps.baseDir),
      };
      state = `connecting to ${target}`;
      // mqtt.js (with its stream and timer dependencies) loads when a broker is configured, not at every start.
      // A literal dynamic import: bundled into the binary, evaluated only here, the same on Bun and Deno.
      const { connect } = await import("mqtt");
      if (stopping) return;
      client = connect(cfg.url, options);
      client.on("connect", () => {
        connected = true;
        delayMs = cfg.reconnect.initialDelayMs;
        lastError = "";
        state = `connected to ${target}`;
        log.info({ url: target }, "connected to the MQTT broker");
        for (const s of subs) {
          client?.subscribe(s.topic, { qos: s.qos }, (err) => {
            if (err) log.error({ topic: s.topic, err: describeError(err) }, "MQTT subscribe failed");
          });
        }
        for (const fn of connectListeners) {
          try {
            fn();
          } catch (err) {
            log.error({ err: describeError(err) }, "MQTT connect listener failed");
          }
        }
      });
      client.on("message", onMessage);
      client.on("error", (err) => {
        lastError = describeError(err);
        log.warn({ url: target, err: lastError }, "MQTT connection error");
      });
      client.on("close", () => {
        if (connected) log.warn({ url: target }, "MQTT connection lost");
        connected = false;
        scheduleReconnect();
      });
    },
    async stop(budgetMs) {
      stopping = true;
      wallClock.clearTimeout(reconnectTimer);
      reconnectTimer = undefined;
      const c = client;
      client = undefined;
      connected = false;
      state = "stopped";
      if (!c) return;
      await Promise.race([c.endAsync(false), new Promise<void>((r) => wallClock.setTimeout(r, Math.max(100, budgetMs - 100)))]);
      if (!c.disconnected) await c.endAsync(true);
    },
    async publish(topic, message, opts = {}) {
      if (!client || !connected) {
        published.inc({ result: "not_connected" });
        throw new AppError("UNAVAILABLE", `MQTT broker ${target} is not connected (${state})`);
      }
      let timer: Timer | undefined;
      try {
        await Promise.race([
          client.publishAsync(topic, message, { qos: opts.qos ?? 1, retain: opts.retain ?? false }),
          new Promise((_, reject) => {
            timer = wallClock.setTimeout(
              () => reject(new AppError("TIMEOUT", `MQTT broker ${target} did not acknowledge the publish within ${cfg.publishTimeoutMs} ms`)),
              cfg.publishTimeoutMs,
            );
          }),
        ]);
        published.inc({ result: "ok" });
      } catch (err) {
        published.inc({ result: "failed" });
        if (err instanceof AppError) throw err;
        throw new AppError("UNAVAILABLE", `MQTT publish to ${topic} failed: ${describeError(err)}`, { cause: err });
      } finally {
        wallClock.clearTimeout(timer);
      }
    },
    subscribe(topic, qos, handler) {
      subs.push({ topic, qos, handler });
      if (client && connected) client.subscribe(topic, { qos });
    },
    onConnect(fn) {
      connectListeners.push(fn);
    },
    identity: { broker, clientId },
  };
}
