// `steward config check` for the notification pipeline: compiles every template a channel can use and
// renders it (through the channel's own preview) against sample events of every kind and task type, so a
// template error, output past the channel's size limit or a missing CA file shows up at check time, not as the
// plain form of the first real alert.
import { memoryChannelState } from "./channel-state";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { ChannelConfig, NotifierConfig } from "./config";
import { systemClock } from "../../platform/core/clock";
import { describeError } from "../../platform/core/errors";
import { createSilentLogger } from "../../platform/core/logger";
import {
  TASK_OUTCOMES,
  TASK_TYPES,
  type DomainEvent,
  SITE_EVENT_KINDS,
  DATA_CHECK_EVENT_KINDS,
  WATCHDOG_EVENT_KINDS,
  WATCH_CONDITIONS,
  CHECKIN_EVENT_KINDS,
  CHECKIN_CONDITIONS,
  FRESHNESS_EVENT_KINDS,
  ENGINE_RELOAD_EVENT_KINDS,
} from "../../platform/events/types";
import { syntheticCheckinEvent } from "../../watch/checkins/samples";
import { syntheticFreshnessEvent } from "../../watch/freshness/samples";
import { createRendererCache, templateDirsFor, varsOptionsFor } from "./channel-setup";
import { CHANNELS } from "./channels/registry";
import { buildNotification } from "./notification";
import { syntheticDataCheckEvent, syntheticServiceEvent, syntheticTaskEvent, syntheticSiteEvent, syntheticWatchdogEvent } from "./samples";
import { syntheticEngineReloadEvent } from "../../hear/engine/samples";
import type { ChannelDefinition, ChannelDeps } from "./types";

/** Sample sets: one event per kind × task type (rich and sparse), both service kinds, site and data check kinds, and a digest. */
export function sampleEventSets(): DomainEvent[][] {
  const sets: DomainEvent[][] = [];
  for (const outcome of TASK_OUTCOMES) {
    for (const taskType of TASK_TYPES) {
      sets.push([syntheticTaskEvent({ outcome, taskType, full: true })]);
      sets.push([syntheticTaskEvent({ outcome, taskType, full: false })]);
    }
  }
  for (const kind of ["task.recovered", "task.warning"] as const) {
    sets.push(
      [syntheticTaskEvent({ kind, full: true })],
      [syntheticTaskEvent({ kind, full: false })],
      [syntheticTaskEvent({ kind, taskType: "externalProgram", full: true })],
    );
  }
  for (const kind of ENGINE_RELOAD_EVENT_KINDS) sets.push([syntheticEngineReloadEvent(kind)], [syntheticEngineReloadEvent(kind, { full: false })]);
  sets.push([syntheticServiceEvent({ state: "stopped" })], [syntheticServiceEvent({ state: "started" })]);
  for (const kind of SITE_EVENT_KINDS) sets.push([syntheticSiteEvent(kind)]);
  for (const kind of DATA_CHECK_EVENT_KINDS) sets.push([syntheticDataCheckEvent(kind)], [syntheticDataCheckEvent(kind, { full: false })]);
  sets.push([syntheticDataCheckEvent("data.check_error", { runError: true })]);
  for (const kind of WATCHDOG_EVENT_KINDS) sets.push([syntheticWatchdogEvent(kind)], [syntheticWatchdogEvent(kind, { full: false })]);
  for (const condition of WATCH_CONDITIONS) sets.push([syntheticWatchdogEvent("task.on_track", { condition })]);
  for (const kind of CHECKIN_EVENT_KINDS) sets.push([syntheticCheckinEvent(kind)]);
  for (const condition of CHECKIN_CONDITIONS) sets.push([syntheticCheckinEvent("checkin.recovered", { condition })]);
  for (const kind of FRESHNESS_EVENT_KINDS) sets.push([syntheticFreshnessEvent(kind)]);
  sets.push([
    syntheticTaskEvent({ outcome: "failed" }),
    syntheticTaskEvent({ outcome: "aborted", taskType: "distribute", full: false }),
    syntheticServiceEvent(),
    syntheticDataCheckEvent("data.check_failed"),
  ]);
  return sets;
}

/** The channel's certificate files, each with its key path below the channel. */
function caFiles(ch: ChannelConfig): Array<[file: string, key: string[]]> {
  const some = (entries: Array<[string | undefined, string[]]>) => entries.filter((e): e is [string, string[]] => Boolean(e[0]));
  switch (ch.type) {
    case "email":
      return some([[ch.smtp.ca, ["smtp", "ca"]]]);
    case "webhook":
    case "influxdb":
      return some([[ch.ca, ["ca"]]]);
    case "mqtt":
      return some([
        [ch.tls?.ca, ["tls", "ca"]],
        [ch.tls?.cert, ["tls", "cert"]],
        [ch.tls?.key, ["tls", "key"]],
      ]);
    default:
      return [];
  }
}

/** A problem with the YAML path of the key it is about. */
export interface NotifyProblem {
  path: Array<string | number>;
  message: string;
}

/** Problems found, one line each (empty when everything renders). */
export function checkNotifyConfig(config: NotifierConfig, baseDir: string): string[] {
  return notifyProblems(config, baseDir).map((p) => (p.path[0] === "channels" ? `${p.path.slice(0, 2).join(".")}: ${p.message}` : p.message));
}

/** Problems found, each with the key it is about (empty when everything renders). */
export function notifyProblems(config: NotifierConfig, baseDir: string): NotifyProblem[] {
  const problems: NotifyProblem[] = [];
  const renderers = createRendererCache();
  const log = createSilentLogger();
  if (config.notify.templatesDir) {
    try {
      renderers(templateDirsFor(config, undefined, baseDir));
    } catch (err) {
      problems.push({ path: ["notify", "templatesDir"], message: describeError(err) });
    }
  }
  const sets = sampleEventSets();
  for (const [name, ch] of Object.entries(config.channels)) {
    for (const [file, key] of caFiles(ch)) {
      if (!existsSync(resolve(baseDir, file)))
        problems.push({ path: ["channels", name, ...key], message: `file ${file} does not exist (relative to ${baseDir})` });
    }
    let templates;
    try {
      templates = renderers(templateDirsFor(config, ch, baseDir));
    } catch (err) {
      const msg = describeError(err);
      if (!problems.some((p) => p.message === msg)) problems.push({ path: ["channels", name], message: msg });
      continue;
    }
    const def = CHANNELS[ch.type] as ChannelDefinition<typeof ch.type>;
    // Strict: a template that fails, or makes more than the channel takes, is a problem here, not a plain-form alert later.
    const deps: ChannelDeps = {
      name,
      log,
      clock: systemClock,
      templates,
      strictTemplates: true,
      baseDir,
      state: memoryChannelState(),
      newRelic: config.newRelic,
      ...(config.http?.publicUrl ? { publicUrl: config.http.publicUrl } : {}),
    };
    const seen = new Set<string>();
    for (const events of sets) {
      if (events.length > 1 && !def.supportsDigest) continue;
      const n = buildNotification(
        {
          deliveryId: 0,
          key: `check|${name}`,
          channel: name,
          route: "check",
          events,
          recipient: def.addressable ? "check@steward.invalid" : "",
          target: null,
          attempt: 1,
          groupWindowMs: 300_000,
        },
        varsOptionsFor(config, ch),
      );
      try {
        def.preview(ch as never, n, deps);
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        if (!seen.has(msg))
          problems.push({
            path: ["channels", name],
            message: `${msg} (sample: ${events.map((e) => ("taskType" in e ? `${e.kind} ${e.taskType}` : e.kind)).join(", ")})`,
          });
        seen.add(msg);
      }
    }
  }
  return problems;
}
