// `steward alert preview|test`: preview which routes an event matches and what each channel would send, or
// send a test alert through one channel. Both work offline (without the store), so they can run next to a
// running Steward.
import { memoryChannelState } from "../../tell/notify/channel-state";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { resolveConfig } from "./config-resolve";
import { loggerFor } from "./logging";
import { UsageError } from "./usage";
import { ALERT_HELP } from "./alert-help";
import { systemClock } from "../../platform/core/clock";
import { siteTimeZone } from "../../platform/core/site-clock";
import { cliTime, timesInText } from "../../platform/core/time-text";
import { AppError, describeError } from "../../platform/core/errors";
import { createSilentLogger } from "../../platform/core/logger";
import { createQrsClient } from "../../platform/qlik";
import { createRendererCache, templateDirsFor, varsOptionsFor } from "../../tell/notify/channel-setup";
import { CHANNELS } from "../../tell/notify/channels/registry";
import { AlertEventInputSchema, eventFromInput } from "../../tell/notify/event-schema";
import { buildNotification } from "../../tell/notify/notification";
import { planContextFor, previewEvent, type Preview } from "../../tell/notify/preview";
import { createQrsTaskLookup } from "../../tell/notify/qrs-lookup";
import { deliveryKey } from "../../tell/notify/planner";
import { type ChannelDefinition, type ChannelDeps, TEST_SEND_ROUTE } from "../../tell/notify/types";
import type { LoadedConfig } from "./steward-config";

const OPTIONS = {
  config: { type: "string", short: "c" },
  channel: { type: "string" },
  kind: { type: "string" },
  "task-type": { type: "string" },
  "task-id": { type: "string" },
  "task-name": { type: "string" },
  "app-name": { type: "string" },
  event: { type: "string" },
  json: { type: "boolean" },
  "log-level": { type: "string" },
  "log-format": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

type Flags = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>["values"];

export async function alertCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  const [sub, extra] = positionals;
  if (values.help || sub === undefined) {
    console.log(ALERT_HELP);
    return values.help ? 0 : 2;
  }
  if (extra !== undefined) throw new UsageError(`alert: unexpected argument ${extra}`);
  if (sub !== "preview" && sub !== "test") throw new UsageError(`alert: expected 'preview' or 'test', got '${sub}'`);
  const loaded = resolveConfig({ config: values.config });
  const event = await buildEvent(loaded, values);
  if (sub === "preview") {
    const preview = await runPreview(loaded, event);
    console.log(values.json ? JSON.stringify(preview, null, 2) : formatPreview(preview, siteTimeZone(loaded.config.notify.timeZone)));
    return 0;
  }
  if (!values.channel) throw new UsageError("alert test: --channel NAME is required");
  return sendTest(loaded, values.channel, event);
}

async function buildEvent(loaded: LoadedConfig, values: Flags) {
  let raw: unknown = {
    kind: values.kind,
    taskType: values["task-type"],
    taskId: values["task-id"],
    taskName: values["task-name"],
    appName: values["app-name"],
  };
  if (values.event) {
    try {
      raw = { event: JSON.parse(readFileSync(values.event, "utf8")) };
    } catch (err) {
      throw new UsageError(`--event ${values.event}: ${describeError(err)}`);
    }
  }
  const parsed = AlertEventInputSchema.safeParse(JSON.parse(JSON.stringify(raw)));
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new UsageError(`alert: ${i.path.join(".") || "event"}: ${i.message}`);
  }
  const config = loaded.config;
  let lookup;
  if (values["task-id"] && config.qlik) {
    const log = await loggerFor(config, { "log-level": values["log-level"] ?? "warn", "log-format": values["log-format"] }, loaded.secrets);
    lookup = createQrsTaskLookup(config, createQrsClient(config.qlik, { log, clock: systemClock, baseDir: loaded.baseDir }), { log, clock: systemClock });
  }
  const { event, note } = await eventFromInput(parsed.data, Date.now(), lookup);
  if (note) console.error(`note: ${note}`);
  return event;
}

function channelDepsFactory(loaded: LoadedConfig): (name: string) => ChannelDeps {
  const renderers = createRendererCache();
  const log = createSilentLogger();
  return (name) => ({
    name,
    log,
    clock: systemClock,
    baseDir: loaded.baseDir,
    templates: renderers(templateDirsFor(loaded.config, loaded.config.channels[name], loaded.baseDir)),
    state: memoryChannelState(),
    newRelic: loaded.config.newRelic,
    ...(loaded.config.http.publicUrl ? { publicUrl: loaded.config.http.publicUrl } : {}),
  });
}

function runPreview(loaded: LoadedConfig, event: Preview["event"]): Promise<Preview> {
  return previewEvent(loaded.config, planContextFor(loaded.config), channelDepsFactory(loaded), event, undefined, Date.now());
}

/** The preview as CLI lines; a reason's times ("activeTimes: … is outside …") on the site's clock, `zone`. */
export function formatPreview(p: Preview, zone: string): string {
  const at = (text: string) => timesInText(text, (ms) => cliTime(ms, zone));
  const lines: string[] = [];
  const e = p.event;
  lines.push(
    `Event ${e.kind} ${"taskType" in e ? `"${e.task.name}" (${e.taskType})` : "service" in e ? `${e.service.name} on ${e.host}` : `"${e.title}"`}${p.testMode ? "   [TEST MODE]" : ""}`,
  );
  lines.push("", "Routes:");
  if (p.routes.length === 0) lines.push("  (no routes configured)");
  for (const r of p.routes) {
    lines.push(`  ${r.matched ? "✔" : "✘"} ${r.route}${r.matched ? ` → ${r.channels.join(", ")}` : `: ${at(r.reason ?? "")}`}`);
    if (r.staticGated) lines.push(`      static recipients left out: ${r.staticGated}`);
    for (const s of r.skippedRecipients) lines.push(`      skipped ${s.address} (${s.channel}): ${at(s.reason)}`);
  }
  lines.push("", "Deliveries:");
  if (p.deliveries.length === 0) lines.push("  (none)");
  for (const d of p.deliveries) {
    const who = d.recipient ? ` to ${d.recipient}${d.target ? ` (test mode: sent to ${d.target})` : ""}` : d.target ? ` (test mode: ${d.target})` : "";
    const what = d.action === "send" ? "send" : d.action === "group" ? "fold into digest" : `${d.action}: ${at(d.reason ?? "")}`;
    lines.push(`  [${d.route}] ${d.channel} (${d.channelType})${who} — ${what}`);
    if (d.renderError) lines.push(`      RENDER ERROR: ${d.renderError}`);
    const r = d.rendered as { subject?: string; url?: string; messages?: Array<{ topic: string }>; lines?: string[] } | undefined;
    if (r?.subject) lines.push(`      subject: ${r.subject}`);
    if (r?.url) lines.push(`      POST ${r.url}`);
    for (const m of r?.messages ?? []) lines.push(`      topic: ${m.topic}`);
    for (const l of r?.lines ?? []) lines.push(`      ${l.length > 160 ? `${l.slice(0, 157)}…` : l}`);
  }
  lines.push("", "Use --json for the full rendered output.");
  return lines.join("\n");
}

async function sendTest(loaded: LoadedConfig, name: string, event: Preview["event"]): Promise<number> {
  const config = loaded.config;
  const ch = config.channels[name];
  if (!ch) throw new UsageError(`alert test: no channel named ${name} (channels: ${Object.keys(config.channels).join(", ") || "none"})`);
  const def = CHANNELS[ch.type] as ChannelDefinition<typeof ch.type>;
  const deps = channelDepsFactory(loaded)(name);
  const test = config.notify.testMode;
  const redirected = test.enabled && !test.unaffected.includes(name);
  const target = !redirected ? null : ch.type === "email" ? (test.email ?? null) : "testTarget" in ch ? (ch.testTarget ?? null) : null;
  if (redirected && !target) throw new AppError("CONFLICT", `test mode is on and channel ${name} has no testTarget, so nothing may be sent to it`);
  const recipients = def.addressable && ch.type === "email" ? ch.to : [""];
  if (recipients.length === 0) throw new UsageError(`alert test: channel ${name} has no static recipients (to:)`);
  const channel = def.create(ch as never, deps);
  let failed = 0;
  try {
    for (const recipient of recipients) {
      const n = buildNotification(
        { deliveryId: 0, key: deliveryKey(event.id, name, recipient), channel: name, route: TEST_SEND_ROUTE, events: [event], recipient, target, attempt: 1 },
        varsOptionsFor(config, ch),
      );
      const label = `${name}${recipient ? ` → ${recipient}` : ""}${target ? ` (test mode: ${target})` : ""}`;
      try {
        await channel.send(n, AbortSignal.timeout(ch.timeout));
        console.log(`sent: ${label}`);
      } catch (err) {
        failed++;
        console.error(`failed: ${label}: ${describeError(err)}`);
      }
    }
  } finally {
    await channel.close?.();
  }
  return failed === 0 ? 0 : 1;
}
