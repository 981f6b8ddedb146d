// Butler's MQTT status messages: a line on its hard-coded status topic after every connect, and "start" / "error"
// on taskFailureServerStatusTopic for the UDP intake. Butler sent "start" only if the broker happened to be
// connected when the socket began listening; Steward sends it once both are up.
import type { Logger } from "pino";
import type { MqttConfig } from "./config";
import { describeError } from "../../platform/core/errors";
import type { Component } from "../../platform/core/lifecycle";
import type { UdpListener } from "../../hear/intake/udp-listener";
import type { MqttService } from "./mqtt-client";

type ButlerStatusConfig = NonNullable<MqttConfig["butlerStatus"]>;

export function createButlerStatusPublisher(cfg: ButlerStatusConfig, deps: { mqtt: MqttService; udp?: UdpListener; log: Logger }): Component {
  const log = deps.log.child({ module: "mqtt-butler-status" });
  let running = false;
  let startSent = false;
  const send = (topic: string, text: string) =>
    void deps.mqtt.publish(topic, text).catch((err) => log.warn({ topic, err: describeError(err) }, "Butler status message not published"));
  const sendStart = () => {
    if (!running || startSent || !deps.udp?.address() || !deps.mqtt.connected) return;
    startSent = true;
    send(cfg.udpServerTopic, "start");
  };
  // The broker may connect before this component starts (the MQTT client starts before the intake): the
  // connect line is then sent at start.
  let connectPending = false;
  const flush = () => {
    if (!running || !deps.mqtt.connected) return;
    if (connectPending) {
      connectPending = false;
      const { broker, clientId } = deps.mqtt.identity;
      send(cfg.connectTopic, `Connected to MQTT broker ${broker} with client ID ${clientId}`);
    }
    sendStart();
  };
  deps.mqtt.onConnect(() => {
    connectPending = true;
    flush();
  });
  deps.udp?.onError(() => {
    if (running && deps.mqtt.connected) send(cfg.udpServerTopic, "error");
  });
  return {
    name: "mqtt-butler-status",
    start() {
      running = true;
      startSent = false;
      flush();
    },
    stop() {
      running = false;
    },
  };
}
