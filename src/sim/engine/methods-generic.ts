// Engine methods on generic object, dimension, measure, bookmark and variable handles.
import { ERR, type Json } from "./rpc";
import {
  bookmarkLayout,
  bookmarkProperties,
  childLayout,
  childProperties,
  dimensionLayout,
  dimensionProperties,
  fullPropertyTree,
  measureLayout,
  measureProperties,
  objectLayout,
  objectProperties,
  sessionObjectLayout,
  variableLayout,
  variableProperties,
} from "./objects";
import type { EngineSession, HandleObject, MethodTable } from "./session-types";

function layout(s: EngineSession, h: HandleObject): Json {
  switch (h.kind) {
    case "GenericObject":
      if (h.session) return sessionObjectLayout(h.session, s.state.content(h.appId));
      if (h.def) return objectLayout(h.def, h.rank);
      return childLayout(h.child!);
    case "GenericDimension":
      return dimensionLayout(h.def);
    case "GenericMeasure":
      return measureLayout(h.def);
    case "GenericBookmark":
      return bookmarkLayout(h.def);
    case "GenericVariable":
      return variableLayout(h.def);
    default:
      throw ERR.methodNotFound("GetLayout");
  }
}

function properties(h: HandleObject): Json {
  switch (h.kind) {
    case "GenericObject":
      if (h.session) return h.session;
      if (h.def) return objectProperties(h.def, h.rank);
      return childProperties(h.child!);
    case "GenericDimension":
      return dimensionProperties(h.def);
    case "GenericMeasure":
      return measureProperties(h.def);
    case "GenericBookmark":
      return bookmarkProperties(h.def);
    case "GenericVariable":
      return variableProperties(h.def);
    default:
      throw ERR.methodNotFound("GetProperties");
  }
}

export const GENERIC_METHODS: MethodTable = {
  GetLayout: { params: [], run: (s, h) => ({ qLayout: layout(s, h) }) },
  GetProperties: { params: [], run: (_s, h) => ({ qProp: properties(h) }) },
  GetEffectiveProperties: { params: [], run: (_s, h) => ({ qProp: properties(h) }) },
  GetInfo: { params: [], run: (_s, h) => ({ qInfo: (properties(h).qInfo as Json | undefined) ?? {} }) },
};

/** Only generic objects have a property tree with children. */
export const OBJECT_ONLY_METHODS: MethodTable = {
  GetFullPropertyTree: {
    params: [],
    run: (_s, h) => {
      if (h.kind !== "GenericObject") throw ERR.methodNotFound("GetFullPropertyTree");
      if (h.def) return { qPropEntry: fullPropertyTree(h.def, h.rank) };
      return { qPropEntry: { qProperty: properties(h), qChildren: [], qEmbeddedSnapshotRef: null } };
    },
  },
  GetChildInfos: {
    params: [],
    run: (_s, h) => {
      if (h.kind !== "GenericObject") throw ERR.methodNotFound("GetChildInfos");
      return { qInfos: (h.def?.children ?? []).map((c) => ({ qId: c.id, qType: c.type })) };
    },
  },
};
