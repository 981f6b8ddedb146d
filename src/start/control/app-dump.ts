// Serialises an app through the Engine (GET /v4/app/{appId}/dump): properties, script, lineage, every app object
// list, dimensions, measures, bookmarks, snapshots, media, fields, data connections and variables (spec §3.4).
import { mapLimited } from "../../platform/core/map-limited";
import { AppError } from "../../platform/core/errors";
import type { EngineClient } from "../../platform/qlik/engine-client";
import { callForHandle, getDocList, openDoc } from "../../platform/qlik/engine-doc";
import type { EngineSession } from "../../platform/qlik/engine-session";
import { isGuid } from "../../platform/qlik/qrs-filter";

type Json = Record<string, unknown>;

export interface AppDump {
  properties: Json;
  loadScript: string;
  lineage?: unknown[];
  sheets: unknown[];
  stories: unknown[];
  masterobjects: unknown[];
  appprops: unknown[];
  dimensions: unknown[];
  measures: unknown[];
  bookmarks: unknown[];
  embeddedmedia: unknown[];
  snapshots: unknown[];
  fields: unknown[];
  dataconnections: unknown[];
  variables: unknown[];
  appId: string;
}

export const DUMP_SECTIONS = [
  "properties",
  "loadScript",
  "lineage",
  "sheets",
  "stories",
  "masterobjects",
  "appprops",
  "dimensions",
  "measures",
  "bookmarks",
  "embeddedmedia",
  "snapshots",
  "fields",
  "dataconnections",
  "variables",
  "appId",
] as const;

interface ListItem {
  qInfo: { qId: string; qType?: string };
  [k: string]: unknown;
}

/** CreateSessionObject(def) → GetLayout → the item list under `listKey`. */
async function listItems(s: EngineSession, doc: number, def: Json, listKey: string): Promise<ListItem[]> {
  const qId = (def.qInfo as { qId: string }).qId;
  const h = await callForHandle(s, doc, "CreateSessionObject", [def], `session object ${qId}`);
  const r = await s.call<{ qLayout?: Record<string, { qItems?: ListItem[] } | undefined> }>(h, "GetLayout", []);
  return r.qLayout?.[listKey]?.qItems ?? [];
}

export function createAppDumper(engine: EngineClient, concurrency = 8) {
  async function appObjects(s: EngineSession, doc: number, type: string): Promise<unknown[]> {
    const items = await listItems(
      s,
      doc,
      { qInfo: { qId: `${type}List`, qType: `${type}List` }, qAppObjectListDef: { qType: type, qData: { id: "/qInfo/qId" } }, qMetaDef: {}, qExtendsId: "" },
      "qAppObjectList",
    );
    return mapLimited(items, concurrency, async (item) => {
      const h = await callForHandle(s, doc, "GetObject", [item.qInfo.qId], `object ${item.qInfo.qId}`);
      return (await s.call<{ qPropEntry?: unknown }>(h, "GetFullPropertyTree", [])).qPropEntry;
    });
  }

  async function properties(s: EngineSession, doc: number, items: ListItem[], getter: string, withLayout = false): Promise<unknown[]> {
    return mapLimited(items, concurrency, async (item) => {
      const h = await callForHandle(s, doc, getter, [item.qInfo.qId], `${getter} ${item.qInfo.qId}`);
      const prop = (await s.call<{ qProp?: Json }>(h, "GetProperties", [])).qProp ?? {};
      if (!withLayout) return prop;
      // Bookmarks: the selection state lives in the layout; keep it with the properties as Butler's dump does.
      const layout = (await s.call<{ qLayout?: { qBookmark?: unknown } }>(h, "GetLayout", [])).qLayout;
      const data = (prop.qData as Json | undefined) ?? {};
      return { ...prop, qData: { ...data, qBookMark: layout?.qBookmark } };
    });
  }

  async function dump(appId: string): Promise<AppDump> {
    if (!isGuid(appId)) throw new AppError("BAD_REQUEST", "Invalid app ID format", { details: "App ID must be a valid GUID" });
    const s = await engine.openSession("/app/engineData");
    try {
      const doc = await openDoc(s, appId, true);
      const dimInfo = { qData: { info: "/qDimInfos" }, qMeta: {} };
      const [
        props,
        script,
        lineage,
        sheets,
        stories,
        masterobjects,
        appprops,
        dimItems,
        measureItems,
        bookmarkItems,
        snapshotItems,
        media,
        fields,
        connections,
        variableItems,
      ] = await Promise.all([
        s.call<{ qProp?: Json }>(doc, "GetAppProperties", []).then((r) => r.qProp ?? {}),
        s.call<{ qScript?: string }>(doc, "GetScript", []).then((r) => r.qScript ?? ""),
        // Lineage is unavailable on some apps (e.g. never reloaded); its absence must not fail the dump.
        s.call<{ qLineage?: unknown[] }>(doc, "GetLineage", []).then(
          (r) => r.qLineage,
          () => undefined,
        ),
        appObjects(s, doc, "sheet"),
        appObjects(s, doc, "story"),
        appObjects(s, doc, "masterobject"),
        appObjects(s, doc, "appprops"),
        listItems(s, doc, { qInfo: { qId: "DimensionList", qType: "DimensionList" }, qDimensionListDef: { qType: "dimension", ...dimInfo } }, "qDimensionList"),
        listItems(s, doc, { qInfo: { qId: "MeasureList", qType: "MeasureList" }, qMeasureListDef: { qType: "measure", ...dimInfo } }, "qMeasureList"),
        listItems(s, doc, { qInfo: { qId: "BookmarkList", qType: "BookmarkList" }, qBookmarkListDef: { qType: "bookmark", ...dimInfo } }, "qBookmarkList"),
        // Its own qId (Butler reuses "BookmarkList" for both lists, which the real engine's handling of is unverified).
        listItems(s, doc, { qInfo: { qId: "SnapshotList", qType: "SnapshotList" }, qBookmarkListDef: { qType: "snapshot", ...dimInfo } }, "qBookmarkList"),
        listItems(s, doc, { qInfo: { qId: "mediaList", qType: "MediaList" }, qMediaListDef: {} }, "qMediaList"),
        listItems(
          s,
          doc,
          {
            qInfo: { qId: "FieldList", qType: "FieldList" },
            qFieldListDef: { qShowSystem: true, qShowHidden: true, qShowSrcTables: true, qShowSemantic: true },
          },
          "qFieldList",
        ),
        s.call<{ qConnections?: Array<{ qId: string }> }>(doc, "GetConnections", []).then((r) => r.qConnections ?? []),
        listItems(
          s,
          doc,
          {
            qInfo: { qId: "VariableList", qType: "VariableList" },
            qVariableListDef: { qType: "variable", qShowReserved: true, qShowConfig: true, ...dimInfo },
          },
          "qVariableList",
        ),
      ]);
      const [dimensions, measures, bookmarks, snapshots, dataconnections, variables] = await Promise.all([
        properties(s, doc, dimItems, "GetDimension"),
        properties(s, doc, measureItems, "GetMeasure"),
        properties(s, doc, bookmarkItems, "GetBookmark", true),
        properties(s, doc, snapshotItems, "GetBookmark"),
        mapLimited(connections, concurrency, async (c) => (await s.call<{ qConnection?: unknown }>(doc, "GetConnection", [c.qId])).qConnection),
        properties(s, doc, variableItems, "GetVariableById"),
      ]);
      const embeddedmedia = (media as Array<{ qUrlDef?: string }>).filter((m) => typeof m.qUrlDef === "string" && m.qUrlDef.startsWith("/media/"));
      return {
        properties: props,
        loadScript: script,
        ...(lineage ? { lineage } : {}),
        sheets,
        stories,
        masterobjects,
        appprops,
        dimensions,
        measures,
        bookmarks,
        embeddedmedia,
        snapshots,
        fields,
        dataconnections,
        variables,
        appId,
      };
    } finally {
      await s.close();
    }
  }

  async function listApps(): Promise<Array<{ id: string; name: string; lastReloadTime?: string; published?: boolean; stream?: string }>> {
    const s = await engine.openSession("");
    try {
      const docs = await getDocList(s);
      return docs.map((d) => ({
        id: d.qDocId,
        name: d.qDocName,
        ...(d.qLastReloadTime ? { lastReloadTime: d.qLastReloadTime } : {}),
        ...(typeof d.qMeta?.published === "boolean" ? { published: d.qMeta.published } : {}),
        ...(d.qMeta?.stream?.name ? { stream: d.qMeta.stream.name } : {}),
      }));
    } finally {
      await s.close();
    }
  }

  return { dump, listApps };
}

export type AppDumper = ReturnType<typeof createAppDumper>;
