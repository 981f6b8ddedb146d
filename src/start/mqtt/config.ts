// Config for Steward's MQTT connection: broker, credentials, TLS, reconnect backoff, and the inbound
// task-start topic (Butler's mqttConfig.taskStartTopic) with its reply topic.
// Built on first use (lazySection): a config that leaves the block out never builds its schema.
import { z } from "zod";
import { lazySection } from "../../platform/config/lazy-section";
import { MqttTlsSchema } from "../../tell/notify/channels/mqtt/schema";

export const MqttTaskStartSchema = z.lazy(() =>
  z
    .strictObject({
      topic: z.string().min(1).describe("Messages here start tasks: a task id, or the JSON body of POST /v4/reloadtask/-/start."),
      replyTopic: z.string().min(1).optional().describe("Where the start result is published; defaults to <topic>/result."),
      qos: z
        .union([z.literal(0), z.literal(1), z.literal(2)])
        .default(1)
        .describe("MQTT quality of service of the subscription and of the reply."),
    })
    .describe("Start tasks from MQTT messages (Butler's taskStartTopic)."),
);

export const MqttSchema = lazySection(() =>
  z
    .strictObject({
      enabled: z.boolean().default(true).describe("Connect to the broker. Off: the section is kept but not used."),
      url: z
        .string()
        .regex(/^(mqtts?|wss?):\/\/[^\s/]+/, "expected mqtt://host:port, mqtts://host:port, ws://… or wss://…")
        .describe("Broker URL, e.g. mqtt://broker.corp.example:1883 or mqtts://broker.corp.example:8883."),
      clientId: z.string().min(1).max(128).optional().describe("MQTT client id; a unique one is generated when absent."),
      username: z.string().min(1).optional().describe("User name for the broker, when it wants one."),
      password: z.string().optional().describe("Use ${env:…} or ${file:…}."),
      tls: MqttTlsSchema.optional(),
      connectTimeoutMs: z.number().int().min(500).max(120_000).default(10_000).describe("Time limit of one connection attempt, in milliseconds."),
      reconnect: z
        .strictObject({
          initialDelayMs: z.number().int().min(100).max(600_000).default(1000).describe("Wait before the first reconnect attempt, in milliseconds."),
          maxDelayMs: z.number().int().min(100).max(3_600_000).default(60_000).describe("Longest wait between reconnect attempts, in milliseconds."),
        })
        .prefault({})
        .describe("Reconnect backoff: the delay doubles after each failed attempt up to maxDelayMs, and resets once connected."),
      publishTimeoutMs: z.number().int().min(100).max(120_000).default(5000).describe("A publish not acknowledged within this fails."),
      required: z.boolean().default(false).describe("When true, /ready reports not ready while the broker is not connected."),
      taskStart: MqttTaskStartSchema.optional(),
      cloudReloadStart: z
        .strictObject({
          topic: z.string().min(1).describe("Messages here start Qlik Cloud reloads: an app id, or the JSON body of POST /v4/cloud/reloads."),
          replyTopic: z.string().min(1).optional().describe("Where the result is published; defaults to <topic>/result."),
          qos: z
            .union([z.literal(0), z.literal(1), z.literal(2)])
            .default(1)
            .describe("MQTT quality of service of the subscription and of the reply."),
        })
        .optional()
        .describe("Start Qlik Cloud reloads from MQTT messages (needs qlikCloud)."),
      butlerStatus: z
        .strictObject({
          connectTopic: z
            .string()
            .min(1)
            .default("qliksense/butler/mqtt/status")
            .describe('After every connect: "Connected to MQTT broker <host>:<port> with client ID <id>" (Butler\'s hard-coded topic).'),
          udpServerTopic: z
            .string()
            .min(1)
            .default("qliksense/butler/task_failure_server")
            .describe(
              '"start" once the UDP intake listens and the broker is connected; "error" on a UDP socket error (Butler\'s taskFailureServerStatusTopic).',
            ),
        })
        .optional()
        .describe("Butler's status messages, for subscribers that watch them. Off unless this block is given."),
    })
    .describe("Connection to an MQTT broker: inbound task starts and PUT /v4/mqttpublishmessage."),
);

export type MqttConfig = z.infer<typeof MqttSchema>;
