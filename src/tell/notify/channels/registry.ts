// Every channel type Steward knows, keyed by its YAML `type`. Typed over the config union, so a channel type
// added to the config without a definition here (or the reverse) does not compile.
import type { ChannelConfig, ChannelType } from "../config";
import type { Channel, ChannelDefinition, ChannelDeps } from "../types";
import { alertmanagerChannel } from "./alertmanager";
import { emailChannel } from "./email";
import { influxDbChannel } from "./influxdb";
import { mqttChannel } from "./mqtt";
import { newRelicChannel } from "./newrelic";
import { opsgenieChannel } from "./opsgenie";
import { pagerDutyChannel } from "./pagerduty";
import { signl4Channel } from "./signl4";
import { slackChannel } from "./slack";
import { teamsChannel } from "./teams";
import { webhookChannel } from "./webhook";

export type ChannelRegistry = { readonly [K in ChannelType]: ChannelDefinition<K> };

export const CHANNELS: ChannelRegistry = {
  email: emailChannel,
  slack: slackChannel,
  teams: teamsChannel,
  webhook: webhookChannel,
  mqtt: mqttChannel,
  influxdb: influxDbChannel,
  signl4: signl4Channel,
  newrelic: newRelicChannel,
  pagerduty: pagerDutyChannel,
  opsgenie: opsgenieChannel,
  alertmanager: alertmanagerChannel,
};

export function channelDefinition<T extends ChannelType>(type: T): ChannelDefinition<T> {
  return CHANNELS[type] as ChannelDefinition<T>;
}

/** Creates the channel of one config block through its definition. */
export function createChannel(cfg: ChannelConfig, deps: ChannelDeps): Channel {
  const def = CHANNELS[cfg.type] as ChannelDefinition<typeof cfg.type>;
  return def.create(cfg as never, deps);
}
