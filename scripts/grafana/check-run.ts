// Judges a dashboard run: every variable has values, every panel query answers without error and with data,
// every name a query uses (measurement, tag, field, metric) exists in the database, and every "group by"
// label is really on the answer. Returns the problems found, one line each (none: the dashboard works).
import type { Backend, DashboardRun, Frame } from "./run-queries";

export interface KnownNames {
  /** InfluxDB: measurements, tag keys and field keys. Prometheus: metric names. */
  names: Set<string>;
  measurements: Set<string>;
}

/** Expands a regex of the shapes the dashboards use, ^(a|b)_x_(c|d)$, into every name it can match. */
export function expandAlternatives(pattern: string): string[] {
  const body = pattern.replace(/^\^/, "").replace(/\$$/, "");
  const m = /\(([^()]*)\)/.exec(body);
  if (!m) return [body];
  const before = body.slice(0, m.index);
  const after = body.slice(m.index + m[0].length);
  return m[1]!.split("|").flatMap((alt) => expandAlternatives(before + alt + after));
}

function influxNames(query: string): { identifiers: string[]; aliases: Set<string>; measurementRegexes: string[]; groupBy: string[] } {
  const aliases = new Set([...query.matchAll(/\bAS\s+"([^"]+)"/gi)].map((m) => m[1]!));
  const identifiers = [...query.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
  const measurementRegexes = [...query.matchAll(/\bFROM\s+\/([^/]+)\//gi)].map((m) => m[1]!);
  const group = /\bGROUP BY\s+(.+?)(?:\s+fill\(|\s+ORDER|\s+LIMIT|$)/i.exec(query)?.[1] ?? "";
  const groupBy = [...group.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
  return { identifiers, aliases, measurementRegexes, groupBy };
}

function promNames(query: string): { metrics: string[]; nameRegexes: string[]; groupBy: string[] } {
  const metrics = [...query.matchAll(/([A-Za-z_:][\w:]*)\{/g)].map((m) => m[1]!);
  const nameRegexes = [...query.matchAll(/__name__=~"([^"]+)"/g)].map((m) => m[1]!);
  const groupBy = [...query.matchAll(/\bby\s*\(([^)]*)\)/g)].flatMap((m) => m[1]!.split(",").map((s) => s.trim())).filter((l) => l && l !== "le");
  return { metrics, nameRegexes, groupBy };
}

const hasRows = (frames: Frame[]) => frames.some((f) => f.rows.length > 0);

export function checkRun(run: DashboardRun, kind: Backend["kind"], known: KnownNames): string[] {
  const problems: string[] = [];
  for (const [name, values] of Object.entries(run.variables)) {
    if (values.length === 0) problems.push(`variable $${name}: no values`);
  }
  for (const p of run.panels) {
    for (const t of p.targets) {
      const where = `"${p.title}" ${t.refId}`;
      if (t.error) {
        problems.push(`${where}: error ${t.error} (${t.sent})`);
        continue;
      }
      if (!hasRows(t.frames)) problems.push(`${where}: no data (${t.sent})`);
      if (kind === "influxdb") {
        const n = influxNames(t.query);
        for (const id of n.identifiers) {
          if (!known.names.has(id) && !n.aliases.has(id)) problems.push(`${where}: "${id}" is no measurement, tag or field in the database`);
        }
        for (const re of n.measurementRegexes) {
          for (const m of expandAlternatives(re))
            if (!known.measurements.has(m)) problems.push(`${where}: measurement ${m} (from /${re}/) is not in the database`);
        }
        for (const tag of n.groupBy) {
          if (t.frames.some((f) => !f.labels[tag])) problems.push(`${where}: grouped by "${tag}" but a series has no such tag`);
        }
      } else {
        const n = promNames(t.query);
        for (const m of n.metrics) if (!known.names.has(m)) problems.push(`${where}: metric ${m} does not exist`);
        for (const re of n.nameRegexes) {
          for (const m of expandAlternatives(re)) if (!known.names.has(m)) problems.push(`${where}: metric ${m} (from ${re}) does not exist`);
        }
        for (const label of n.groupBy) {
          if (t.frames.some((f) => !f.labels[label])) problems.push(`${where}: grouped by ${label} but a series has no such label`);
        }
      }
    }
  }
  return problems;
}
