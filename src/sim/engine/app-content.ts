// Realistic content of one app for the Engine's dump calls: sheets, stories, master items, bookmarks, variables,
// fields, connections and lineage — from the fixture where given, otherwise derived from the load script.
import { createHash } from "node:crypto";
import type { AppModel } from "../site/model";
import { scriptStatements } from "../tasks/script-log";
import { stableGuid } from "../util/ids";

export interface ObjectDef {
  id: string;
  type: string;
  title: string;
  description: string;
  visualization?: string;
  children: { id: string; type: string; title: string }[];
}

export interface DimensionDef {
  id: string;
  title: string;
  field: string;
  description: string;
}

export interface MeasureDef {
  id: string;
  title: string;
  expression: string;
  description: string;
}

export interface BookmarkDef {
  id: string;
  type: "bookmark" | "snapshot";
  title: string;
  description: string;
  field: string;
}

export interface VariableDef {
  id: string;
  name: string;
  definition: string;
  comment: string;
  isScriptCreated: boolean;
  isReserved: boolean;
  isConfig: boolean;
}

export interface FieldDef {
  name: string;
  srcTables: string[];
  cardinal: number;
  tags: string[];
  isSystem: boolean;
}

export interface ConnectionDef {
  id: string;
  name: string;
  connectionString: string;
  type: string;
}

export interface AppContent {
  objects: ObjectDef[];
  dimensions: DimensionDef[];
  measures: MeasureDef[];
  bookmarks: BookmarkDef[];
  variables: VariableDef[];
  media: string[];
  fields: FieldDef[];
  connections: ConnectionDef[];
  lineage: { qDiscriminator: string; qStatement: string }[];
}

/** Short alphanumeric object id like the engine's ("JxPbnk"), stable per app and seed. */
export function objectId(appId: string, seed: string): string {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  const h = createHash("sha1").update(`${appId}/${seed}`).digest();
  let out = "";
  for (let i = 0; i < 6; i++) out += alphabet[h[i]! % alphabet.length];
  return out;
}

const titled = (x: string | { title: string; description: string }) => (typeof x === "string" ? { title: x, description: "" } : x);

const RESERVED_VARS = ["ThousandSep", "DecimalSep", "MoneyThousandSep", "MoneyDecimalSep", "MoneyFormat", "TimeFormat", "DateFormat", "TimestampFormat"];

export function buildAppContent(app: AppModel, script: string): AppContent {
  const id = (seed: string) => objectId(app.id, seed);
  const c = app.content;
  const statements = scriptStatements(script);

  // Fields and tables from LOAD/SELECT statements; table label from a preceding "[name]:" line.
  const fieldTables = new Map<string, Set<string>>();
  const connections = new Map<string, ConnectionDef>();
  const lineage: AppContent["lineage"] = [];
  let currentLib: string | undefined;
  statements.forEach((s, i) => {
    const all = s.lines.map((l) => l.text.trim()).join(" ");
    const label = /^\[?([^\]:]+)\]?:\s*$/.exec(s.lines[0]?.text.trim() ?? "")?.[1] ?? `Table${i + 1}`;
    const lib = /LIB CONNECT TO\s+'([^']+)'/i.exec(all)?.[1];
    if (lib) {
      currentLib = lib;
      connections.set(lib, {
        id: "",
        name: lib,
        connectionString: `CUSTOM CONNECT TO "provider=QvOdbcConnectorPackage.exe;driver=sqlserver;host=sqlprod01.corp.example;database=${lib}"`,
        type: "QvOdbcConnectorPackage.exe",
      });
    }
    for (const m of all.matchAll(/\[?lib:\/\/([^/\]]+)\/([^\]\s]*)\]?/gi)) {
      const name = m[1]!;
      if (!connections.has(name)) connections.set(name, { id: "", name, connectionString: `D:\\QlikData\\${name}\\`, type: "folder" });
      if (/\bFROM\b/i.test(all)) lineage.push({ qDiscriminator: `lib://${name}/${m[2]!}`, qStatement: "" });
    }
    if (/\bSQL\s+SELECT\b/i.test(all))
      lineage.push({ qDiscriminator: `{LIB CONNECT TO '${currentLib ?? "DWH"}'}`, qStatement: all.replace(/^\[[^\]]+\]:\s*/, "") });
    for (const f of s.fields) {
      const set = fieldTables.get(f) ?? new Set<string>();
      set.add(label);
      fieldTables.set(f, set);
    }
  });
  const fields: FieldDef[] = [...fieldTables.entries()].map(([name, tables]) => {
    const numeric = /(sales|amount|belopp|quantity|antal|id|price|count)$/i.test(name);
    const h = createHash("md5").update(`${app.id}/${name}`).digest().readUInt32BE(0);
    return { name, srcTables: [...tables], cardinal: 10 + (h % 50_000), tags: numeric ? ["$numeric", "$integer"] : ["$text", "$ascii"], isSystem: false };
  });
  for (const sys of ["$Field", "$Table", "$Rows", "$Fields", "$FieldNo", "$Info"]) {
    fields.push({ name: sys, srcTables: [], cardinal: 10, tags: ["$system"], isSystem: true });
  }
  const userFields = fields.filter((f) => !f.isSystem);
  const numericField = userFields.find((f) => f.tags.includes("$numeric") && !/id$/i.test(f.name))?.name;
  const textFields = userFields.filter((f) => f.tags.includes("$text")).map((f) => f.name);

  const dimensions: DimensionDef[] = (c?.dimensions ?? textFields.slice(0, 2).map((f) => ({ title: f, field: f, description: "" }))).map((d) => ({
    id: id(`dim/${d.title}`),
    ...d,
  }));
  const measures: MeasureDef[] = (
    c?.measures ??
    (numericField
      ? [{ title: `Total ${numericField}`, expression: `Sum(${numericField})`, description: "" }]
      : [{ title: "Row count", expression: "Count(1)", description: "" }])
  ).map((m) => ({ id: id(`measure/${m.title}`), ...m }));

  const chartTypes = ["barchart", "kpi", "linechart", "table", "piechart", "filterpane"];
  const makeObject = (type: string, t: { title: string; description: string }, n: number, visualization?: string): ObjectDef => {
    const oid = id(`${type}/${t.title}`);
    const children =
      type === "sheet"
        ? [0, 1].map((k) => {
            const vt = chartTypes[(n * 2 + k) % chartTypes.length]!;
            return { id: id(`${type}/${t.title}/child${k}`), type: vt, title: `${t.title} ${vt}` };
          })
        : [];
    return { id: oid, type, title: t.title, description: t.description, children, ...(visualization ? { visualization } : {}) };
  };
  const sheets = (c?.sheets ?? ["Overview", "Details", "Trends"]).map(titled);
  const stories = (c?.stories ?? [`${app.name} – story`]).map(titled);
  const masters = c?.masterObjects ?? measures.slice(0, 1).map((m) => ({ title: `${m.title} chart`, visualization: "barchart", description: "" }));
  const objects: ObjectDef[] = [
    ...sheets.map((s, i) => makeObject("sheet", s, i)),
    ...stories.map((s, i) => makeObject("story", s, i)),
    ...masters.map((m, i) => makeObject("masterobject", m, i, m.visualization)),
    makeObject("appprops", { title: "AppProps", description: "" }, 0),
  ];

  const firstDimField = dimensions[0]?.field ?? textFields[0] ?? "Region";
  const bookmarks: BookmarkDef[] = [
    ...(c?.bookmarks ?? ["My selection"]).map(titled).map((b) => ({ id: id(`bookmark/${b.title}`), type: "bookmark" as const, field: firstDimField, ...b })),
    ...(c?.snapshots ?? []).map(titled).map((b) => ({ id: id(`snapshot/${b.title}`), type: "snapshot" as const, field: firstDimField, ...b })),
  ];

  const variables: VariableDef[] = [];
  for (const s of statements) {
    const m = /^\s*(SET|LET)\s+([A-Za-z_][\w]*)\s*=\s*(.*?);?\s*$/i.exec(s.lines.map((l) => l.text).join(" "));
    if (!m) continue;
    const name = m[2]!;
    const reserved = RESERVED_VARS.includes(name);
    variables.push({
      id: id(`var/${name}`),
      name,
      definition: m[3]!.replace(/^'(.*)'$/, "$1"),
      comment: "",
      isScriptCreated: true,
      isReserved: reserved,
      isConfig: reserved,
    });
  }
  for (const v of c?.variables ?? [{ name: "vToday", definition: "=Today()", comment: "" }]) {
    variables.push({
      id: id(`var/${v.name}`),
      name: v.name,
      definition: v.definition,
      comment: v.comment,
      isScriptCreated: false,
      isReserved: false,
      isConfig: false,
    });
  }

  const conns = [...connections.values()].map((x) => ({ ...x, id: stableGuid("connection", x.name.toLowerCase()) }));
  return {
    objects,
    dimensions,
    measures,
    bookmarks,
    variables,
    // The default background is not under /media/; the dump keeps only /media/ items.
    media: [...(c?.media ?? ["/media/Logo.png"]), "/content/Default/Backgrounds/Qlik-default.png"],
    fields,
    connections: conns,
    lineage,
  };
}
