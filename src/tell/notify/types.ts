// The contract between the pipeline and its channels: a Notification is built once per delivery (event or
// digest × channel × recipient) and handed to a Channel, which only formats and sends it.
import type { InfluxConflictMonitor } from "../influx-conflicts";
import type { z } from "zod";
import type { Logger } from "pino";
import type { ChannelConfig, ChannelType } from "./config";
import type { Clock } from "../../platform/core/clock";
import type { DomainEvent, EventKind } from "../../platform/events/types";
import type { FitOptions } from "../../hear/events/script-log-excerpt";
import type { TemplateRenderer } from "./templates/renderer";
import type { SendReport } from "./fallback/format";
import type { TemplateVars } from "./template-vars";
import type { ChannelState } from "./channel-state";
import type { NewRelicConfig } from "../newrelic/config";
import type { OnDutyMention } from "../oncall/mention";

/** The route of a test send to one channel (POST /v4/alerts/test?channel=, `steward alert test`). */
export const TEST_SEND_ROUTE = "alert-test";

export interface Notification {
  /** Outbox row id, stable across retries. */
  deliveryId: number;
  /** Idempotency key: event id (or digest id) + channel + recipient. Sent as Message-ID / header so receivers can dedupe. */
  key: string;
  /** Channel instance name (the YAML key). */
  channel: string;
  route: string;
  /** Event kind; for a digest the kind of its events when they share one. */
  kind: EventKind;
  /** The event, or the first event of a digest. */
  event: DomainEvent;
  /** All events of a digest (length > 1), else [event]. */
  events: DomainEvent[];
  digest: boolean;
  /** Template variables of `event` (Butler's names plus Steward's). */
  vars: TemplateVars;
  /** Variables of each event of a digest, in order. */
  digestVars: TemplateVars[];
  /** The original addressee (e-mail address) for addressable channels; undefined for the others. */
  recipient?: string;
  /** Set in test mode: where the message goes instead and the original recipient for the subject prefix. */
  test?: { target?: string; originalRecipient?: string };
  /** 1 for the first attempt. */
  attempt: number;
  /** The route's attachScriptLog: attach the script log whatever the outcome (true) or never (false); unset: the channel decides. */
  attachScriptLog?: boolean;
  /**
   * Set on a delivery that is no page but a step of an alert already sent (src/tell/notify/on-call): the incident was
   * acknowledged in Steward, so the product's alert is acknowledged too; or resolved by hand with nothing else to end
   * it (a cause holding no open incident), so the product's alert is resolved. `note` says by whom. "note": what
   * Steward's remediation did (vars.remediationLines) is added to the open alert, which stays as it is.
   */
  action?: "acknowledge" | "resolve" | "note";
  note?: string;
  /**
   * Set when the event would end its on-call alert while an action on it is pending or running, or its outcome is not
   * told yet (a re-run waiting for an engine after the queue's cause closed): why the alert stays open. An on-call
   * channel then adds the message's lines as a note instead of resolving (on-call/held-open.ts).
   */
  heldOpen?: string;
  /** Slack and Teams: whoever is on duty in the route's recipients.onCall schedule, to mention (src/tell/oncall/mention.ts). */
  onDuty?: OnDutyMention;
}

export interface Channel {
  /** Resolves once the receiver took it; says so when it went out in the plain form (src/tell/notify/fallback). */
  // biome-ignore lint/suspicious/noConfusingVoidType: channels without templates (MQTT, SIGNL4, …) resolve with nothing.
  send(n: Notification, signal: AbortSignal): Promise<void | SendReport>;
  /** Releases pooled connections and clients. */
  close?(): Promise<void>;
}

export interface ChannelDeps {
  name: string;
  log: Logger;
  clock: Clock;
  templates: TemplateRenderer;
  /** A template that fails (or makes more than the channel takes) throws instead of sending the plain form: config check. */
  strictTemplates?: boolean;
  /** Folder relative paths (CA files) are resolved against. */
  baseDir: string;
  /** Durable per-channel memory (open incidents); in-memory for previews and checks. */
  state: ChannelState;
  /** New Relic accounts and endpoints (config newRelic:), for newrelic channels. */
  newRelic?: NewRelicConfig;
  /** http.publicUrl: the dashboard an alert links to (PagerDuty's and Opsgenie's links, Alertmanager's generatorURL). */
  publicUrl?: string;
  /** Where influxdb channels report the field type conflicts InfluxDB answers with (and the writes it accepts). */
  influxConflicts?: InfluxConflictMonitor;
  /** An on-call channel's product accepted a trigger that opened alert `key` (the convergence sweep looks at it at once). */
  alertOpened?: (key: string) => void;
}

/** One channel type: its YAML block and a factory. The registry maps every `type` to one of these. */
export interface ChannelDefinition<T extends ChannelType> {
  type: T;
  schema: z.ZodType<Extract<ChannelConfig, { type: T }>, unknown>;
  /** Channels that address people take per-recipient deliveries (e-mail); the others get one delivery. */
  addressable: boolean;
  /** Message channels can fold a burst into a digest; data sinks (MQTT, InfluxDB) get every event. */
  supportsDigest: boolean;
  /** Time series (InfluxDB, New Relic): every event, whatever a route's renotify says, so counts stay right. */
  dataSink?: boolean;
  /** On-call products (PagerDuty, Opsgenie): told when an incident whose alert they opened is acknowledged in Steward. */
  followsAcknowledgements?: boolean;
  /**
   * Keeps an alert open until told it ended (PagerDuty, Opsgenie / JSM, Alertmanager, SIGNL4): sent only what
   * something will end, never a failure heard after its task's next success.
   */
  keepsAlerts?: boolean;
  /**
   * Takes a note on an alert it holds open (PagerDuty, Opsgenie / JSM): told there what Steward's remediation did when
   * the message that tells it would otherwise end the alert (a symptom's recovery under a cause still open).
   */
  takesNotes?: boolean;
  /** Template sets this channel renders (checked at config check). */
  templateParts: readonly string[];
  /** Limits of the target for the script-log excerpt in a message (Slack and Teams cap a text block). */
  scriptLogFit?: FitOptions;
  create(cfg: Extract<ChannelConfig, { type: T }>, deps: ChannelDeps): Channel;
  /** What send() would transmit, for previews: rendered mail, JSON payload, MQTT messages, line protocol. */
  preview(cfg: Extract<ChannelConfig, { type: T }>, n: Notification, deps: ChannelDeps): unknown;
}
