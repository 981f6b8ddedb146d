// `steward appender-xml --engine --check FILE`: reads a node's existing Engine LocalLogConfig.xml (another tool's, such
// as Butler SOS's, or an older Steward's) and says what Steward's lines need that it lacks, and what to merge: Steward's
// appender, its filter chain, its pattern, and an appender-ref in each of the three loggers. What else the file holds
// is kept and named. A tolerant reader of log4net's few elements (appender, filter, param, layout, logger, level,
// appender-ref), not a general XML parser: log4net takes both `<param name="x" value="y"/>` and `<x value="y"/>`.
import type { AppenderTarget } from "../intake/appender-xml";
import {
  ENGINE_AUDIT_LOGGER,
  ENGINE_CONVERSION_FIELDS,
  ENGINE_LOGGERS,
  ENGINE_RELOAD_DATAGRAM_PREFIX,
  engineAppenderElement,
  engineFilterChain,
} from "./engine-appender-xml";

interface El {
  name: string;
  attrs: Record<string, string>;
  children: El[];
}

export interface AppenderCheck {
  /** Nothing to merge: Steward's lines come as they should. */
  complete: boolean;
  /** What the file holds that Steward's lines need or that stays as it is, one sentence each. */
  findings: Array<{ ok: boolean; text: string }>;
  /** What to merge into the file, as XML with a note where each part goes; "" when complete. */
  merge: string;
}

const xmlText = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

/** The elements of the file as a tree; unbalanced tags close what they can (a hand-edited file is read as far as it goes). */
function readXml(text: string): El {
  const root: El = { name: "#root", attrs: {}, children: [] };
  const stack: El[] = [root];
  const body = text.replace(/<!--[\s\S]*?-->/g, "").replace(/<\?[\s\S]*?\?>/g, "");
  for (const m of body.matchAll(/<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g)) {
    const [, closing, name, raw, self] = m;
    if (closing) {
      const at = stack.map((e) => e.name.toLowerCase()).lastIndexOf(name!.toLowerCase());
      if (at > 0) stack.length = at;
      continue;
    }
    const attrs = Object.fromEntries(
      [...raw!.matchAll(/([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)].map((a) => [a[1]!.toLowerCase(), xmlText(a[2] ?? a[3] ?? "")]),
    );
    const el: El = { name: name!.toLowerCase(), attrs, children: [] };
    stack.at(-1)!.children.push(el);
    if (!self) stack.push(el);
  }
  return root;
}

const all = (e: El, name: string): El[] => [...(e.name === name ? [e] : []), ...e.children.flatMap((c) => all(c, name))];
/** A setting of an element: `<param name="x" value="y"/>` or `<x value="y"/>`, case-insensitive. */
function setting(e: El, key: string): string | undefined {
  const k = key.toLowerCase();
  for (const c of e.children) {
    if (c.name === "param" && c.attrs.name?.toLowerCase() === k) return c.attrs.value;
    if (c.name === k) return c.attrs.value;
  }
  return undefined;
}
const layoutPattern = (a: El) => {
  const layout = a.children.find((c) => c.name === "layout");
  return layout ? setting(layout, "conversionPattern") : undefined;
};

function describeAppender(a: El, loggers: El[]): string {
  const to = setting(a, "remoteAddress");
  const bound = loggers.filter((l) => l.children.some((c) => c.name === "appender-ref" && c.attrs.ref === a.attrs.name)).map((l) => l.attrs.name ?? "root");
  return `appender ${a.attrs.name ?? "(no name)"} (${a.attrs.type ?? "no type"}${to ? ` → ${to}:${setting(a, "remotePort") ?? "?"}` : ""})${bound.length ? `, bound to ${bound.join(", ")}` : ""}`;
}

/** What Steward's own appender in the file lacks: its pattern, its converters, its filter chain, a threshold. */
function checkOwn(a: El, add: (ok: boolean, text: string) => void): boolean {
  let fine = true;
  const name = a.attrs.name ?? "(no name)";
  const pattern = layoutPattern(a) ?? "";
  if (pattern !== `${ENGINE_RELOAD_DATAGRAM_PREFIX};${ENGINE_CONVERSION_FIELDS}`) {
    fine = false;
    add(false, `${name}: its conversion pattern is not the one Steward reads; set it to ${ENGINE_RELOAD_DATAGRAM_PREFIX};${ENGINE_CONVERSION_FIELDS}`);
  }
  const converters = all(a, "converter").map((c) => setting(c, "name"));
  for (const c of ["hostname", "longIso8601date"])
    if (!converters.includes(c)) {
      fine = false;
      add(
        false,
        `${name}: no <converter> named ${c} (Qlik's ${c === "hostname" ? "HostNamePatternConverter" : "Iso8601TimeOffsetPatternConverter"}): %${c} would not be written`,
      );
    }
  const filters = a.children.filter((c) => c.name === "filter");
  const byLogger = filters.some((f) => f.attrs.type?.endsWith("LoggerMatchFilter") && setting(f, "loggerToMatch") === ENGINE_AUDIT_LOGGER);
  const byLevel = filters.some((f) => f.attrs.type?.endsWith("LevelRangeFilter"));
  if (!byLogger || !byLevel) {
    fine = false;
    add(
      false,
      `${name}: its filters ${filters.length ? "pick lines by the words in them" : "are missing"}: the audit activity lines of reloads and a service log error that does not say "reload" are ${filters.length ? "not sent" : "mixed with every other line"}; replace its <filter> elements with Steward's chain (below)`,
    );
  }
  const threshold = setting(a, "threshold");
  if (threshold && threshold.toUpperCase() !== "ALL" && threshold.toUpperCase() !== "INFO" && threshold.toUpperCase() !== "DEBUG") {
    fine = false;
    add(false, `${name}: threshold ${threshold} drops the INFO lines a reload's start and success are; remove the threshold`);
  }
  if (fine) add(true, `${name}: Steward's appender, its pattern and filter chain as Steward writes them`);
  return fine;
}

/** The three loggers: each must exist and refer to Steward's appender, at a level that lets INFO through. */
function checkLoggers(loggers: El[], ownName: string, add: (ok: boolean, text: string) => void, merge: string[]): boolean {
  let fine = true;
  for (const name of ENGINE_LOGGERS) {
    const l = loggers.find((x) => x.attrs.name === name);
    const ref = `<appender-ref ref="${ownName}" />`;
    if (!l) {
      fine = false;
      add(false, `no <logger name="${name}">: its lines are not sent to Steward`);
      merge.push(`<!-- add inside <configuration> -->\n<logger name="${name}">\n  ${ref}\n</logger>`);
      continue;
    }
    const level = l.children.find((c) => c.name === "level")?.attrs.value?.toUpperCase();
    if (level && !["ALL", "DEBUG", "INFO"].includes(level)) {
      fine = false;
      add(
        false,
        `<logger name="${name}"> has level ${level}: its INFO lines (a reload's start and success) are not logged; remove the <level> or set it to INFO`,
      );
    }
    const others = l.children.filter((c) => c.name === "appender-ref" && c.attrs.ref !== ownName).map((c) => c.attrs.ref);
    if (l.children.some((c) => c.name === "appender-ref" && c.attrs.ref === ownName)) {
      add(true, `<logger name="${name}"> refers to ${ownName}${others.length ? ` (and keeps ${others.join(", ")})` : ""}`);
      continue;
    }
    fine = false;
    add(false, `<logger name="${name}"> does not refer to ${ownName}${others.length ? ` (it sends to ${others.join(", ")}: keep those)` : ""}`);
    merge.push(`<!-- add inside the existing <logger name="${name}"> -->\n  ${ref}`);
  }
  return fine;
}

/** Checks an Engine LocalLogConfig.xml; `targets` (optional) make the merge's appender point at Steward. */
export function checkEngineAppenderXml(text: string, targets: AppenderTarget[] = []): AppenderCheck {
  const doc = readXml(text);
  const findings: AppenderCheck["findings"] = [];
  const add = (ok: boolean, t: string) => findings.push({ ok, text: t });
  const merge: string[] = [];
  const appenders = all(doc, "appender");
  const loggers = [...all(doc, "logger"), ...all(doc, "root")];
  if (all(doc, "configuration").length === 0 && all(doc, "log4net").length === 0) add(false, "no <configuration> element: not a log4net file Qlik reads");
  const own = appenders.filter((a) => (layoutPattern(a) ?? "").startsWith(`${ENGINE_RELOAD_DATAGRAM_PREFIX};`));
  for (const a of appenders.filter((x) => !own.includes(x))) add(true, `kept: ${describeAppender(a, loggers)}`);
  let fine = own.length > 0;
  if (own.length === 0) {
    add(false, `no appender sends the Engine's lines to Steward (a UdpAppender whose pattern starts with ${ENGINE_RELOAD_DATAGRAM_PREFIX})`);
    merge.push(
      `<!-- add inside <configuration>${targets.length ? "" : "; give --target HOST[:PORT] for Steward's address (STEWARD-HOST:9998 here)"} -->\n${(targets.length ? targets : [{ host: "STEWARD-HOST", port: 9998 }]).map((t, i) => engineAppenderElement(targets.length > 1 ? `StewardEngineReload${i + 1}` : "StewardEngineReload", t)).join("\n")}`,
    );
  }
  for (const a of own) {
    add(true, `Steward's ${describeAppender(a, loggers)}`);
    if (!checkOwn(a, add)) {
      fine = false;
      merge.push(
        `<!-- the <filter> elements of ${a.attrs.name ?? "Steward's appender"}, in this order -->\n${engineFilterChain()}\n    <filter type="log4net.Filter.DenyAllFilter" />`,
      );
    }
  }
  const ownName = own[0]?.attrs.name ?? (targets.length > 1 ? "StewardEngineReload1" : "StewardEngineReload");
  if (!checkLoggers(loggers, ownName, add, merge)) fine = false;
  return { complete: fine, findings, merge: fine ? "" : merge.join("\n\n") };
}

/** The check as the command line prints it. */
export function renderAppenderCheck(file: string, c: AppenderCheck): string {
  const lines = [`${file}:`, ...c.findings.map((f) => `  ${f.ok ? "ok  " : "MISS"}  ${f.text}`)];
  if (c.complete)
    lines.push("", `Nothing to merge: the Engine sends Steward its reload lines once the Qlik Sense Engine Service has been restarted with this file.`);
  else
    lines.push(
      "",
      "To merge into the file (keep everything else in it), then restart the Qlik Sense Engine Service:",
      "",
      c.merge,
      "",
      `Keep the QMC's Engine "Audit activity log level" above Off: a reload's audit line comes from it.`,
    );
  return lines.join("\n");
}
