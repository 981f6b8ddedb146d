// Engine methods on a Doc handle: reloads, save, script, app properties, lineage, connections, object lookup.
import { iso } from "../util/time";
import { startEngineReload } from "./reload";
import { ERR, handleRef, NOT_FOUND_REF, RpcError, str, type Json } from "./rpc";
import { addHandle, type EngineSession, type HandleObject, type MethodTable } from "./session-types";
import { findChild } from "./objects";
import { evaluateExpression } from "./expressions";

const appIdOf = (h: HandleObject) => (h.kind === "Global" ? "" : h.appId);

function appState(s: EngineSession, h: HandleObject) {
  const app = s.state.repo.findApp(appIdOf(h));
  if (!app) throw ERR.appNotFound(appIdOf(h));
  return app;
}

function appProperties(s: EngineSession, h: HandleObject): Json {
  const app = appState(s, h);
  return {
    qTitle: app.model.name,
    qLastReloadTime: iso(app.lastReloadMs),
    qThumbnail: { qUrl: "" },
    qMigrationHash: "a4e5c9d3b0f1e2a7c8d9e0f1a2b3c4d5e6f7a8b9",
    qSavedInProductVersion: s.state.repo.site.info.productVersion,
    description: app.model.description,
    qHasSectionAccess: false,
    qUsage: "ANALYTICS",
    ...(s.state.appProps.get(app.model.id) ?? {}),
  };
}

async function reload(s: EngineSession, h: HandleObject, mode: number, partial: boolean, requestId: unknown) {
  const app = appState(s, h);
  const r = startEngineReload(s.state, app.model.id, {
    user: s.user,
    mode,
    partial,
    requestId: requestId as number,
    log: { hostName: s.node.hostName, nodeName: s.node.name, appId: app.model.id, sessionId: s.id, user: s.user, proxySessionId: s.proxySessionId },
  });
  s.reloads.push(r);
  if (s.reloads.length > 50) s.reloads.shift();
  const ok = await r.done;
  return { ok, logFile: r.record.scriptLogFile, rows: app.model.reload };
}

export const DOC_METHODS: MethodTable = {
  Evaluate: {
    params: ["qExpression"],
    run: (s, h, args) => ({ qReturn: evaluateExpression(appState(s, h).expressions, str(args, "qExpression")).qText }),
  },
  EvaluateEx: {
    params: ["qExpression"],
    run: (s, h, args) => ({ qValue: evaluateExpression(appState(s, h).expressions, str(args, "qExpression")) }),
  },
  DoReload: {
    params: ["qMode", "qPartial", "qDebug"],
    run: async (s, h, args, req) => {
      const { ok } = await reload(s, h, Number(args.qMode ?? 0), args.qPartial === true, req.id);
      return { qReturn: ok };
    },
  },
  DoReloadEx: {
    params: ["qParams"],
    run: async (s, h, args, req) => {
      const p = (args.qParams ?? {}) as Json;
      const { ok, logFile, rows } = await reload(s, h, Number(p.qMode ?? 0), p.qPartial === true, req.id);
      // Rows as the Engine counts them (DoReloadEx, 2024 and later): none when the script stopped on an error.
      return {
        qResult: {
          qSuccess: ok,
          qScriptLogFile: logFile,
          qEndedWithMemoryConstraint: ok && rows.memoryConstrained,
          qNbrOfLoadedRows: ok ? rows.loadedRows : 0,
          qNbrOfStoredRows: ok ? rows.storedRows : 0,
        },
      };
    },
  },
  DoSave: {
    params: ["qFileName"],
    run: (s, h): Json => {
      appState(s, h).modifiedMs = s.state.now();
      return {};
    },
  },
  GetScript: { params: [], run: (s, h) => ({ qScript: appState(s, h).script }) },
  SetScript: {
    params: ["qScript"],
    run: (s, h, args): Json => {
      appState(s, h).script = str(args, "qScript");
      return {};
    },
  },
  GetAppProperties: { params: [], run: (s, h) => ({ qProp: appProperties(s, h) }) },
  SetAppProperties: {
    params: ["qProp"],
    run: (s, h, args): Json => {
      const app = appState(s, h);
      const prop = args.qProp;
      if (!prop || typeof prop !== "object") throw ERR.invalidParams("qProp");
      s.state.appProps.set(app.model.id, { ...(s.state.appProps.get(app.model.id) ?? {}), ...(prop as Json) });
      return {};
    },
  },
  GetAppLayout: {
    params: [],
    run: (s, h) => {
      const app = appState(s, h);
      const p = appProperties(s, h);
      return {
        qLayout: {
          qTitle: p.qTitle,
          qFileName: app.model.id,
          qLastReloadTime: p.qLastReloadTime,
          qModified: false,
          qHasScript: true,
          qStateNames: [],
          qMeta: { privileges: ["read", "update", "delete", "reload"] },
          qLocaleInfo: { qDecimalSep: ",", qThousandSep: " ", qListSep: ";", qDateFmt: "YYYY-MM-DD", qTimeFmt: "hh:mm:ss", qCollation: "sv-SE" },
          qHasData: true,
          qReadOnly: false,
          qIsOpenedWithoutData: false,
          qIsSessionApp: false,
          qThumbnail: p.qThumbnail,
          qUnsupportedFeatures: [],
          qUsage: "ANALYTICS",
          description: p.description,
        },
      };
    },
  },
  GetLineage: { params: [], run: (s, h) => ({ qLineage: s.state.content(appIdOf(h)).lineage }) },
  GetConnections: {
    params: [],
    run: (s, h) => ({
      qConnections: s.state.content(appIdOf(h)).connections.map((c) => ({
        qId: c.id,
        qName: c.name,
        qConnectionString: c.connectionString,
        qType: c.type,
        qModifiedDate: "2024-11-02T10:20:30.000Z",
        qMeta: { name: c.name },
        qLogOn: "LOG_ON_SERVICE_USER",
      })),
    }),
  },
  GetConnection: {
    params: ["qConnectionId"],
    run: (s, h, args) => {
      const id = str(args, "qConnectionId");
      const c = s.state.content(appIdOf(h)).connections.find((x) => x.id === id);
      if (!c) throw new RpcError(2, "Connection not found", id);
      return {
        qConnection: {
          qId: c.id,
          qName: c.name,
          qConnectionString: c.connectionString,
          qType: c.type,
          qModifiedDate: "2024-11-02T10:20:30.000Z",
          qMeta: { name: c.name },
          qLogOn: "LOG_ON_SERVICE_USER",
        },
      };
    },
  },
  GetAllInfos: {
    params: [],
    run: (s, h) => {
      const c = s.state.content(appIdOf(h));
      return {
        qInfos: [
          ...c.objects.map((o) => ({ qId: o.id, qType: o.type })),
          ...c.dimensions.map((d) => ({ qId: d.id, qType: "dimension" })),
          ...c.measures.map((m) => ({ qId: m.id, qType: "measure" })),
          ...c.bookmarks.map((b) => ({ qId: b.id, qType: b.type })),
          ...c.variables.map((v) => ({ qId: v.id, qType: "variable" })),
        ],
      };
    },
  },
  CreateSessionObject: {
    params: ["qProp"],
    run: (s, h, args) => {
      const prop = args.qProp;
      if (!prop || typeof prop !== "object") throw ERR.invalidParams("qProp");
      const p = { ...(prop as Json) };
      const info = { ...((p.qInfo as Json | undefined) ?? {}) };
      if (typeof info.qId !== "string" || info.qId === "") info.qId = `session-${s.nextHandle}`;
      if (typeof info.qType !== "string") info.qType = "session";
      p.qInfo = info;
      // Duplicate qIds (the dump's two BookmarkList objects) are allowed: each gets its own handle.
      const handle = addHandle(s, {
        kind: "GenericObject",
        appId: appIdOf(h),
        id: String(info.qId),
        genericType: String(info.qType),
        session: p,
        def: undefined,
        child: undefined,
        rank: 0,
      });
      return handleRef("GenericObject", handle, String(info.qId), String(info.qType));
    },
  },
  DestroySessionObject: {
    params: ["qId"],
    run: (s, _h, args) => {
      const id = str(args, "qId");
      let found = false;
      for (const [n, o] of s.handles) {
        if (o.kind === "GenericObject" && o.session && o.id === id) {
          s.handles.delete(n);
          found = true;
        }
      }
      return { qSuccess: found };
    },
  },
  GetObject: {
    params: ["qId"],
    run: (s, h, args) => {
      const id = str(args, "qId");
      const c = s.state.content(appIdOf(h));
      const idx = c.objects.findIndex((o) => o.id === id);
      if (idx >= 0) {
        const def = c.objects[idx]!;
        const rank = c.objects.filter((o, i) => o.type === def.type && i < idx).length;
        const n = addHandle(s, { kind: "GenericObject", appId: appIdOf(h), id, genericType: def.type, session: undefined, def, child: undefined, rank });
        return handleRef("GenericObject", n, id, def.type);
      }
      const child = findChild(c, id);
      if (child) {
        const n = addHandle(s, { kind: "GenericObject", appId: appIdOf(h), id, genericType: child.type, session: undefined, def: undefined, child, rank: 0 });
        return handleRef("GenericObject", n, id, child.type);
      }
      for (const [n, o] of s.handles) if (o.kind === "GenericObject" && o.session && o.id === id) return handleRef("GenericObject", n, id, o.genericType);
      return NOT_FOUND_REF;
    },
  },
  GetDimension: {
    params: ["qId"],
    run: (s, h, args) => {
      const id = str(args, "qId");
      const def = s.state.content(appIdOf(h)).dimensions.find((d) => d.id === id);
      return def ? handleRef("GenericDimension", addHandle(s, { kind: "GenericDimension", appId: appIdOf(h), def }), id, "dimension") : NOT_FOUND_REF;
    },
  },
  GetMeasure: {
    params: ["qId"],
    run: (s, h, args) => {
      const id = str(args, "qId");
      const def = s.state.content(appIdOf(h)).measures.find((d) => d.id === id);
      return def ? handleRef("GenericMeasure", addHandle(s, { kind: "GenericMeasure", appId: appIdOf(h), def }), id, "measure") : NOT_FOUND_REF;
    },
  },
  GetBookmark: {
    params: ["qId"],
    run: (s, h, args) => {
      const id = str(args, "qId");
      const def = s.state.content(appIdOf(h)).bookmarks.find((d) => d.id === id);
      return def ? handleRef("GenericBookmark", addHandle(s, { kind: "GenericBookmark", appId: appIdOf(h), def }), id, def.type) : NOT_FOUND_REF;
    },
  },
  GetVariableById: {
    params: ["qId"],
    run: (s, h, args) => {
      const id = str(args, "qId");
      const def = s.state.content(appIdOf(h)).variables.find((d) => d.id === id);
      return def ? handleRef("GenericVariable", addHandle(s, { kind: "GenericVariable", appId: appIdOf(h), def }), id, "variable") : NOT_FOUND_REF;
    },
  },
  GetVariableByName: {
    params: ["qName"],
    run: (s, h, args) => {
      const name = str(args, "qName");
      const def = s.state.content(appIdOf(h)).variables.find((d) => d.name === name);
      return def ? handleRef("GenericVariable", addHandle(s, { kind: "GenericVariable", appId: appIdOf(h), def }), def.id, "variable") : NOT_FOUND_REF;
    },
  },
};
