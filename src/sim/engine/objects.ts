// Properties, layouts and property trees of generic objects, and the layouts of the engine's list objects.
import type { AppContent, BookmarkDef, DimensionDef, MeasureDef, ObjectDef, VariableDef } from "./app-content";
import type { Json } from "./rpc";

const META_DATE = "2025-01-15T09:00:00.000Z";

function meta(title: string, description: string): Json {
  return {
    title,
    description,
    tags: [],
    createdDate: META_DATE,
    modifiedDate: META_DATE,
    published: false,
    approved: false,
    privileges: ["read", "update", "delete", "publish", "exportdata"],
  };
}

export function childProperties(c: ObjectDef["children"][number]): Json {
  return {
    qInfo: { qId: c.id, qType: c.type },
    qMetaDef: {},
    visualization: c.type,
    title: c.title,
    showTitles: true,
    qHyperCubeDef: { qDimensions: [], qMeasures: [], qInterColumnSortOrder: [], qInitialDataFetch: [{ qWidth: 10, qHeight: 50 }] },
  };
}

export function objectProperties(o: ObjectDef, rank = 0): Json {
  const base: Json = { qInfo: { qId: o.id, qType: o.type }, qMetaDef: { title: o.title, description: o.description } };
  switch (o.type) {
    case "sheet":
      return {
        ...base,
        rank,
        thumbnail: { qStaticContentUrlDef: {} },
        columns: 24,
        rows: 12,
        cells: o.children.map((c, i) => ({ name: c.id, type: c.type, col: (i % 2) * 12, row: 0, colspan: 12, rowspan: 6 })),
        qChildListDef: { qData: { title: "/title" } },
      };
    case "story":
      return { ...base, rank, thumbnail: { qStaticContentUrlDef: {} }, qChildListDef: { qData: { title: "/title", rank: "/rank" } } };
    case "masterobject":
      return {
        ...base,
        visualization: o.visualization ?? "barchart",
        title: o.title,
        qHyperCubeDef: { qDimensions: [], qMeasures: [], qInterColumnSortOrder: [], qInitialDataFetch: [{ qWidth: 10, qHeight: 50 }] },
      };
    default:
      return { ...base, qMetaDef: {}, sheetTitleBgColor: "#F2F2F2", sheetTitleColor: "#404040", sheetLogoPosition: "left", theme: "sense" };
  }
}

export function fullPropertyTree(o: ObjectDef, rank = 0): Json {
  return {
    qProperty: objectProperties(o, rank),
    qChildren: o.children.map((c) => ({ qProperty: childProperties(c), qChildren: [], qEmbeddedSnapshotRef: null })),
    qEmbeddedSnapshotRef: null,
  };
}

export function objectLayout(o: ObjectDef, rank = 0): Json {
  // A layout carries qMeta (computed) instead of the qMetaDef the properties have.
  const { qMetaDef: _def, ...props } = objectProperties(o, rank);
  return {
    ...props,
    qMeta: meta(o.title, o.description),
    qSelectionInfo: {},
    qChildList: { qItems: o.children.map((c) => ({ qInfo: { qId: c.id, qType: c.type }, qData: { title: c.title } })) },
  };
}

export function childLayout(c: ObjectDef["children"][number]): Json {
  return { ...childProperties(c), qMeta: meta(c.title, ""), qSelectionInfo: {} };
}

export function findChild(content: AppContent, id: string) {
  for (const o of content.objects) {
    const c = o.children.find((x) => x.id === id);
    if (c) return c;
  }
  return undefined;
}

export const dimensionProperties = (d: DimensionDef): Json => ({
  qInfo: { qId: d.id, qType: "dimension" },
  qDim: { qGrouping: "N", qFieldDefs: [d.field], qFieldLabels: [""], title: d.title },
  qMetaDef: { title: d.title, description: d.description, tags: [] },
});

export const dimensionLayout = (d: DimensionDef): Json => ({
  qInfo: { qId: d.id, qType: "dimension" },
  qMeta: meta(d.title, d.description),
  qDim: { qGrouping: "N", qFieldDefs: [d.field], qFieldLabels: [""], title: d.title },
  qDimInfos: [{ qName: d.field, qTags: [], qIsSemantic: false }],
});

export const measureProperties = (m: MeasureDef): Json => ({
  qInfo: { qId: m.id, qType: "measure" },
  qMeasure: { qLabel: m.title, qDef: m.expression, qGrouping: "N", qExpressions: [], qActiveExpression: 0, qLabelExpression: "" },
  qMetaDef: { title: m.title, description: m.description, tags: [] },
});

export const measureLayout = (m: MeasureDef): Json => ({
  qInfo: { qId: m.id, qType: "measure" },
  qMeta: meta(m.title, m.description),
  qMeasure: { qLabel: m.title, qDef: m.expression, qGrouping: "N", qExpressions: [], qActiveExpression: 0 },
});

export const bookmarkProperties = (b: BookmarkDef): Json => ({
  qInfo: { qId: b.id, qType: b.type },
  qMetaDef: { title: b.title, description: b.description },
  creationDate: META_DATE,
});

export const bookmarkLayout = (b: BookmarkDef): Json => ({
  qInfo: { qId: b.id, qType: b.type },
  qMeta: meta(b.title, b.description),
  qBookmark: {
    qStateData: [
      {
        qStateName: "$",
        qFieldItems: [
          {
            qDef: { qName: b.field, qType: "PRESENT" },
            qSelectInfo: {
              qTextSearch: "",
              qRangeLo: "NaN",
              qRangeHi: "NaN",
              qNumberFormat: { qType: "U", qnDec: 10, qUseThou: 0 },
              qRangeInfo: [],
              qSoftLock: false,
              qContinuousRangeInfo: [],
              qSelectFieldSearch: false,
            },
            qValues: [],
            qExcludedValues: [],
            qAndMode: false,
            qOneAndOnlyOne: false,
          },
        ],
      },
    ],
    qUtcModifyTime: 45_672.4,
    qVariableItems: [],
    qPatches: [],
  },
});

export const variableProperties = (v: VariableDef): Json => ({
  qInfo: { qId: v.id, qType: "variable" },
  qName: v.name,
  qDefinition: v.definition,
  qComment: v.comment,
  qIncludeInBookmark: false,
  qMetaDef: {},
});

export const variableLayout = (v: VariableDef): Json => ({
  qInfo: { qId: v.id, qType: "variable" },
  qMeta: meta(v.name, v.comment),
  qText: v.definition,
  qIsScriptCreated: v.isScriptCreated,
});

/** Evaluates a JSON pointer such as `/qInfo/qId` against an object. */
export function pointer(obj: unknown, path: unknown): unknown {
  if (typeof path !== "string" || !path.startsWith("/")) return undefined;
  let v: unknown = obj;
  for (const seg of path.slice(1).split("/")) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Json)[seg.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return v;
}

function evalData(def: unknown, source: Json): Json {
  const out: Json = {};
  if (def && typeof def === "object") for (const [k, p] of Object.entries(def as Json)) out[k] = pointer(source, p) ?? null;
  return out;
}

/** GetLayout of a session object: the list it defines (qAppObjectListDef, qDimensionListDef, …) filled from the app. */
export function sessionObjectLayout(props: Json, content: AppContent): Json {
  const layout: Json = { qInfo: props.qInfo, qMeta: { privileges: ["read", "update", "delete"] }, qSelectionInfo: {} };
  const d = (k: string) => props[k] as Json | undefined;
  const appObj = d("qAppObjectListDef");
  if (appObj) {
    const type = String(appObj.qType ?? "");
    const objs = content.objects.filter((o) => o.type === type);
    layout.qAppObjectList = {
      qItems: objs.map((o, i) => {
        const p = objectProperties(o, i);
        return { qInfo: p.qInfo, qMeta: meta(o.title, o.description), qData: evalData(appObj.qData, p) };
      }),
    };
  }
  const dimList = d("qDimensionListDef");
  if (dimList) {
    layout.qDimensionList = {
      qItems: content.dimensions.map((x) => {
        const l = dimensionLayout(x);
        return { qInfo: l.qInfo, qMeta: l.qMeta, qData: evalData(dimList.qData, l) };
      }),
    };
  }
  const measureList = d("qMeasureListDef");
  if (measureList) {
    layout.qMeasureList = {
      qItems: content.measures.map((x) => {
        const l = measureLayout(x);
        return { qInfo: l.qInfo, qMeta: l.qMeta, qData: evalData(measureList.qData, l) };
      }),
    };
  }
  const bookmarkList = d("qBookmarkListDef");
  if (bookmarkList) {
    const type = String(bookmarkList.qType ?? "bookmark");
    layout.qBookmarkList = {
      qItems: content.bookmarks
        .filter((b) => b.type === type)
        .map((b) => {
          const l = bookmarkLayout(b);
          return { qInfo: l.qInfo, qMeta: l.qMeta, qData: evalData(bookmarkList.qData, { ...bookmarkProperties(b), ...l }) };
        }),
    };
  }
  if (d("qMediaListDef")) {
    layout.qMediaList = { qItems: content.media.map((m) => ({ qUrlDef: m, qUrl: m })) };
  }
  const fieldList = d("qFieldListDef");
  if (fieldList) {
    const showSystem = fieldList.qShowSystem === true;
    layout.qFieldList = {
      qItems: content.fields
        .filter((f) => showSystem || !f.isSystem)
        .map((f) => ({
          qName: f.name,
          ...(fieldList.qShowSrcTables === true ? { qSrcTables: f.srcTables } : {}),
          qIsSystem: f.isSystem,
          qIsHidden: f.isSystem,
          qIsSemantic: false,
          qTags: f.tags,
          qCardinal: f.cardinal,
          qTotalCount: f.cardinal,
        })),
    };
  }
  const varList = d("qVariableListDef");
  if (varList) {
    layout.qVariableList = {
      qItems: content.variables
        .filter((v) => (varList.qShowReserved === true || !v.isReserved) && (varList.qShowConfig === true || !v.isConfig))
        .map((v) => ({
          qName: v.name,
          qDefinition: v.definition,
          qDescription: v.comment,
          qInfo: { qId: v.id, qType: "variable" },
          qMeta: meta(v.name, v.comment),
          qIsScriptCreated: v.isScriptCreated,
          qIsReserved: v.isReserved,
          qIsConfig: v.isConfig,
          qData: evalData(varList.qData, variableLayout(v)),
        })),
    };
  }
  return layout;
}
