// The Engine over WSS with a plain WebSocket client: connection rules, JSON-RPC framing, reloads (full, partial,
// DoReloadEx, progress, cancel), script get/set, and every call of the app dump (spec §3.4).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { engineClient, startTestSim, USER, type TestSim } from "./helpers";

let t: TestSim;
beforeAll(async () => {
  t = await startTestSim();
});
afterAll(() => t.stop());

const SALES = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11";
const FORSALJNING = "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a";

function refused(path: string, opts: { cert?: boolean; headers?: Record<string, string> }): Promise<string> {
  const tls = opts.cert === false ? { ca: t.sim.certs.ca } : { ca: t.sim.certs.ca, cert: t.sim.certs.clientCert, key: t.sim.certs.clientKey };
  const ws = new WebSocket(`${t.sim.urls.engine}${path}`, { headers: opts.headers ?? {}, tls } as unknown as string[]);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve("timeout"), 3_000);
    ws.onopen = () => {
      clearTimeout(timer);
      ws.close();
      resolve("opened");
    };
    ws.onerror = () => {
      clearTimeout(timer);
      resolve("refused");
    };
  });
}

describe("sim Engine: connection", () => {
  test("no client certificate → refused", async () => {
    expect(await refused("/app/engineData", { cert: false, headers: { "X-Qlik-User": USER } })).toBe("refused");
  });
  test("no or malformed X-Qlik-User → upgrade refused with 403", async () => {
    expect(await refused("/app/engineData", {})).toBe("refused");
    expect(await refused("/app/engineData", { headers: { "X-Qlik-User": "nonsense" } })).toBe("refused");
    const log = t.sim.requests.list({ source: "engine", method: "GET" });
    expect(log.filter((e) => e.status === 403).length).toBeGreaterThanOrEqual(2);
  });
  test("unknown path → refused (404)", async () => {
    expect(await refused("/qrs/about", { headers: { "X-Qlik-User": USER } })).toBe("refused");
  });
  test("OnConnected first, on every accepted path", async () => {
    for (const path of ["", "/", "/app/", "/app/engineData", `/app/${SALES}`, `/app/${SALES}/identity/dump`, "/app/engineData/ttl/30"]) {
      const c = await engineClient(t.sim, path);
      expect(c.notifications[0]).toEqual({ jsonrpc: "2.0", method: "OnConnected", params: { qSessionState: "SESSION_CREATED" } });
      c.close();
    }
  });
});

describe("sim Engine: global methods and errors", () => {
  test("EngineVersion, GetDocList", async () => {
    const c = await engineClient(t.sim, "");
    try {
      expect((await c.call("EngineVersion")).result).toEqual({ qVersion: { qComponentVersion: "14.212.7" } });
      const list = (await c.call("GetDocList", [], -1, { delta: true })).result.qDocList;
      expect(list).toHaveLength(14);
      const sales = list.find((d: any) => d.qDocId === SALES);
      expect(sales).toMatchObject({
        qDocName: "Sales dashboard",
        qTitle: "Sales dashboard",
        qConnectedUsers: 0,
        qReadOnly: false,
        qThumbnail: { qUrl: "" },
        qMeta: { published: true, stream: { name: "Sales" } },
      });
      expect(typeof sales.qFileTime).toBe("number");
      expect(sales.qFileSize).toBeGreaterThan(0);
    } finally {
      c.close();
    }
  });
  test("OpenDoc: unknown app → 1003; second OpenDoc → 1002; named params work", async () => {
    const c = await engineClient(t.sim);
    try {
      const bad = await c.call("OpenDoc", ["00000000-0000-4000-8000-000000000000", "", "", "", true]);
      expect(bad.error.code).toBe(1003);
      const ok = await c.call("OpenDoc", { qDocName: SALES, qNoData: true });
      expect(ok.result).toEqual({ qReturn: { qType: "Doc", qHandle: expect.any(Number), qGenericId: SALES } });
      const again = await c.call("OpenDoc", [SALES]);
      expect(again.error.code).toBe(1002);
    } finally {
      c.close();
    }
  });
  test("-32601 for unknown methods, -32602 for an unknown handle, -32700 for bad JSON", async () => {
    const c = await engineClient(t.sim);
    try {
      const unknown = await c.call("NoSuchMethod");
      expect(unknown).toEqual({ jsonrpc: "2.0", id: unknown.id, error: { code: -32601, parameter: "NoSuchMethod", message: "Method not found" } });
      expect((await c.call("GetScript", [], -1)).error.code).toBe(-32601);
      expect((await c.call("GetLayout", [], 999)).error.code).toBe(-32602);
      const parseErr = new Promise<any>((resolve) => {
        const prev = c.ws.onmessage;
        c.ws.onmessage = (ev) => {
          c.ws.onmessage = prev;
          resolve(JSON.parse(String(ev.data)));
        };
      });
      c.ws.send("{not json");
      expect((await parseErr).error.code).toBe(-32700);
    } finally {
      c.close();
    }
  });
  test("every RPC call is in the request log", async () => {
    const c = await engineClient(t.sim);
    await c.call("ProductVersion");
    c.close();
    const entry = t.sim.requests
      .list({ source: "engine" })
      .filter((e) => e.rpc?.method === "ProductVersion")
      .at(-1)!;
    expect(entry.path).toBe("/app/engineData");
    expect(entry.rpc).toMatchObject({ handle: -1, method: "ProductVersion", params: [] });
    expect(entry.headers.user).toBe(USER);
  });
});

async function openDoc(appId: string, path = `/app/${appId}`) {
  const c = await engineClient(t.sim, path);
  const r = await c.call("OpenDoc", [appId, "", "", "", false]);
  return { c, doc: r.result.qReturn.qHandle as number };
}

describe("sim Engine: reloads", () => {
  test("DoReload full: qReturn true, DoSave, lastReloadTime updated in QRS", async () => {
    const before = (await t.qrs.get(`app/${SALES}`)).json().lastReloadTime;
    const { c, doc } = await openDoc(SALES);
    try {
      expect((await c.call("DoReload", [0, false], doc)).result).toEqual({ qReturn: true });
      expect((await c.call("DoSave", [], doc)).result).toEqual({});
      const after = (await t.qrs.get(`app/${SALES}`)).json().lastReloadTime;
      expect(Date.parse(after)).toBeGreaterThan(Date.parse(before));
      const list = (await t.control.get("/engine/reloads")).json<any[]>();
      expect(list.at(-1)).toMatchObject({ appId: SALES, status: "succeeded", partial: false, user: "INTERNAL\\sa_repository" });
    } finally {
      c.close();
    }
  });
  test("DoReload partial [0, true] and a failing app → qReturn false without a JSON-RPC error", async () => {
    const { c, doc } = await openDoc(SALES);
    const f = await openDoc(FORSALJNING);
    try {
      expect((await c.call("DoReload", [0, true, false], doc)).result).toEqual({ qReturn: true });
      expect((await t.control.get("/engine/reloads")).json<any[]>().at(-1).partial).toBe(true);
      const before = (await t.qrs.get(`app/${FORSALJNING}`)).json().lastReloadTime;
      const failed = await f.c.call("DoReload", [0, false], f.doc);
      expect(failed.result).toEqual({ qReturn: false });
      expect((await t.qrs.get(`app/${FORSALJNING}`)).json().lastReloadTime).toBe(before);
      // qMode 2 ignores script errors.
      expect((await f.c.call("DoReload", [2, false], f.doc)).result).toEqual({ qReturn: true });
    } finally {
      c.close();
      f.c.close();
    }
  });
  test("a failed reload's script error is in GetProgress's qErrorData only after ConfigureReload(qUseErrorData: true)", async () => {
    const f = await openDoc(FORSALJNING);
    try {
      const quiet = await f.c.call("DoReload", [0, false], f.doc);
      expect(quiet.result).toEqual({ qReturn: false });
      expect((await f.c.call("GetProgress", [quiet.id])).result.qProgressData.qErrorData).toEqual([]);
      expect((await f.c.call("ConfigureReload", [true, true, false])).result).toEqual({});
      const told = await f.c.call("DoReload", [0, false], f.doc);
      const errors = (await f.c.call("GetProgress", [told.id])).result.qProgressData.qErrorData;
      expect(errors).toHaveLength(1);
      expect(errors[0].qErrorString).toBe("Cannot open file: 'lib://Data/försäljning/orders_2025.qvd'");
    } finally {
      f.c.close();
    }
  });
  test("DoReloadEx returns qResult with qSuccess and the script log file", async () => {
    const { c, doc } = await openDoc(SALES);
    try {
      const r = await c.call("DoReloadEx", [{ qMode: 0, qPartial: true, qDebug: false, qReloadId: "", qSkipStore: false, qRowLimit: 0 }], doc);
      expect(r.result.qResult.qSuccess).toBe(true);
      expect(r.result.qResult.qEndedWithMemoryConstraint).toBe(false);
      expect(r.result.qResult.qScriptLogFile).toMatch(
        new RegExp(`^C:\\\\ProgramData\\\\Qlik\\\\Sense\\\\Log\\\\Script\\\\${SALES}\\.\\d{8}T\\d{6}\\.\\d{3}\\+0000\\.log$`),
      );
      const named = await c.call("DoReloadEx", { qParams: { qMode: 0, qPartial: false } }, doc);
      expect(named.result.qResult.qSuccess).toBe(true);
    } finally {
      c.close();
    }
  });
  test("GetProgress while a reload runs, then finished; CancelReload makes DoReload answer false", async () => {
    await t.control.send("PATCH", "/settings", { timing: { durationOverrideMs: 500 } });
    const { c, doc } = await openDoc(SALES);
    try {
      const reloadId = 9001;
      const pending = new Promise<any>((resolve) => {
        const prev = c.ws.onmessage!;
        c.ws.onmessage = (ev) => {
          const m = JSON.parse(String(ev.data));
          if (m.id === reloadId) resolve(m);
          else prev.call(c.ws, ev);
        };
      });
      c.ws.send(JSON.stringify({ jsonrpc: "2.0", id: reloadId, handle: doc, method: "DoReload", params: [0, false] }));
      await Bun.sleep(260);
      const p = (await c.call("GetProgress", [reloadId])).result.qProgressData;
      expect(p.qStarted).toBe(true);
      expect(p.qFinished).toBe(false);
      expect(p.qMillisecs).toBeGreaterThan(100);
      expect(p.qPersistentProgress).toContain("Lines fetched");
      expect((await pending).result).toEqual({ qReturn: true });
      expect((await c.call("GetProgress", [reloadId])).result.qProgressData.qFinished).toBe(true);

      const cancelled = c.call("DoReload", [0, false], doc);
      await Bun.sleep(50);
      expect((await c.call("CancelReload")).result).toEqual({});
      expect((await cancelled).result).toEqual({ qReturn: false });
      expect((await t.control.get("/engine/reloads")).json<any[]>().at(-1).status).toBe("cancelled");
    } finally {
      c.close();
      await t.control.send("PATCH", "/settings", { timing: { durationOverrideMs: 80 } });
    }
  });
  test("GetScript / SetScript", async () => {
    const { c, doc } = await openDoc(SALES);
    try {
      const original = (await c.call("GetScript", [], doc)).result.qScript;
      expect(original).toContain("LIB CONNECT TO 'SalesDB';");
      expect((await c.call("SetScript", ["LOAD 1 AS x AUTOGENERATE 1;"], doc)).result).toEqual({});
      expect((await c.call("GetScript", [], doc)).result.qScript).toBe("LOAD 1 AS x AUTOGENERATE 1;");
      await c.call("SetScript", { qScript: original }, doc);
      expect((await c.call("GetScript", [], doc)).result.qScript).toBe(original);
    } finally {
      c.close();
    }
  });
});

/** Runs the dump call sequence Butler's GET /v4/app/{id}/dump uses and returns what it collected. */
async function dump(appId: string) {
  const c = await engineClient(t.sim, "/app/engineData");
  try {
    const doc = (await c.call("OpenDoc", [appId, "", "", "", true])).result.qReturn.qHandle;
    const call = async (method: string, params: unknown = [], handle = doc) => {
      const r = await c.call(method, params, handle);
      if (r.error) throw new Error(`${method}: ${r.error.message}`);
      return r.result;
    };
    const out: Record<string, any> = {};
    out.properties = (await call("GetAppProperties")).qProp;
    out.loadScript = (await call("GetScript")).qScript;
    out.lineage = (await call("GetLineage")).qLineage;
    for (const type of ["sheet", "story", "masterobject", "appprops"]) {
      const list = (
        await call("CreateSessionObject", [
          {
            qInfo: { qId: `${type}List`, qType: `${type}List` },
            qAppObjectListDef: { qType: type, qData: { id: "/qInfo/qId" } },
            qMetaDef: {},
            qExtendsId: "",
          },
        ])
      ).qReturn;
      expect(list).toMatchObject({ qType: "GenericObject", qGenericType: `${type}List`, qGenericId: `${type}List` });
      const items = (await call("GetLayout", [], list.qHandle)).qLayout.qAppObjectList.qItems;
      out[type] = [];
      for (const item of items) {
        expect(item.qData.id).toBe(item.qInfo.qId);
        const obj = (await call("GetObject", [item.qInfo.qId])).qReturn;
        out[type].push((await call("GetFullPropertyTree", [], obj.qHandle)).qPropEntry);
      }
    }
    const dimList = (
      await call("CreateSessionObject", [
        { qInfo: { qId: "DimensionList", qType: "DimensionList" }, qDimensionListDef: { qType: "dimension", qData: { info: "/qDimInfos" }, qMeta: {} } },
      ])
    ).qReturn;
    out.dimensions = [];
    for (const item of (await call("GetLayout", [], dimList.qHandle)).qLayout.qDimensionList.qItems) {
      const h = (await call("GetDimension", [item.qInfo.qId])).qReturn;
      out.dimensions.push((await call("GetProperties", [], h.qHandle)).qProp);
    }
    const mList = (
      await call("CreateSessionObject", [
        { qInfo: { qId: "MeasureList", qType: "MeasureList" }, qMeasureListDef: { qType: "measure", qData: { info: "/qDimInfos" }, qMeta: {} } },
      ])
    ).qReturn;
    out.measures = [];
    for (const item of (await call("GetLayout", [], mList.qHandle)).qLayout.qMeasureList.qItems) {
      const h = (await call("GetMeasure", [item.qInfo.qId])).qReturn;
      out.measures.push((await call("GetProperties", [], h.qHandle)).qProp);
    }
    // Bookmarks and snapshots: two session objects with the same qId, created together.
    const [bList, sList] = await Promise.all(
      ["bookmark", "snapshot"].map(
        async (qType) =>
          (
            await call("CreateSessionObject", [
              { qInfo: { qId: "BookmarkList", qType: "BookmarkList" }, qBookmarkListDef: { qType, qData: { title: "/qMetaDef/title" } } },
            ])
          ).qReturn,
      ),
    );
    expect(bList.qHandle).not.toBe(sList.qHandle);
    for (const [key, list] of [
      ["bookmarks", bList],
      ["snapshots", sList],
    ] as const) {
      out[key] = [];
      for (const item of (await call("GetLayout", [], list.qHandle)).qLayout.qBookmarkList.qItems) {
        const h = (await call("GetBookmark", [item.qInfo.qId])).qReturn;
        const prop = (await call("GetProperties", [], h.qHandle)).qProp;
        const layout = (await call("GetLayout", [], h.qHandle)).qLayout;
        out[key].push({ ...prop, qData: { qBookMark: layout.qBookmark }, title: item.qData.title });
      }
    }
    const media = (await call("CreateSessionObject", [{ qInfo: { qId: "mediaList", qType: "MediaList" }, qMediaListDef: {} }])).qReturn;
    out.allMedia = (await call("GetLayout", [], media.qHandle)).qLayout.qMediaList.qItems;
    out.embeddedmedia = out.allMedia.filter((m: any) => m.qUrlDef.startsWith("/media/"));
    const fields = (
      await call("CreateSessionObject", [
        { qInfo: { qId: "FieldList", qType: "FieldList" }, qFieldListDef: { qShowSystem: true, qShowHidden: true, qShowSrcTables: true, qShowSemantic: true } },
      ])
    ).qReturn;
    out.fields = (await call("GetLayout", [], fields.qHandle)).qLayout.qFieldList.qItems;
    const conns = (await call("GetConnections")).qConnections;
    out.dataconnections = [];
    for (const conn of conns) out.dataconnections.push((await call("GetConnection", [conn.qId])).qConnection);
    const vars = (
      await call("CreateSessionObject", [
        {
          qInfo: { qId: "VariableList", qType: "VariableList" },
          qVariableListDef: { qType: "variable", qShowReserved: true, qShowConfig: true, qData: { info: "/qDimInfos" }, qMeta: {} },
        },
      ])
    ).qReturn;
    out.variables = [];
    out.variableItems = (await call("GetLayout", [], vars.qHandle)).qLayout.qVariableList.qItems;
    for (const item of out.variableItems) {
      const h = (await call("GetVariableById", [item.qInfo.qId])).qReturn;
      out.variables.push((await call("GetProperties", [], h.qHandle)).qProp);
    }
    out.missing = await call("GetObject", ["nope"]);
    return out;
  } finally {
    c.close();
  }
}

describe("sim Engine: Evaluate and EvaluateEx", () => {
  test("values from the site file: numbers, duals, texts; named and positional params", async () => {
    const { c, doc } = await openDoc(SALES);
    try {
      expect((await c.call("EvaluateEx", ["NoOfRows('Orders')"], doc)).result).toEqual({ qValue: { qText: "118204", qIsNumeric: true, qNumber: 118204 } });
      expect((await c.call("EvaluateEx", { qExpression: " Max(OrderDate) " }, doc)).result).toEqual({
        qValue: { qText: "2026-11-21", qIsNumeric: true, qNumber: 46347 },
      });
      expect((await c.call("EvaluateEx", ["Only(Currency)"], doc)).result).toEqual({ qValue: { qText: "EUR", qIsNumeric: false } });
      expect((await c.call("Evaluate", ["Sum(Amount)"], doc)).result).toEqual({ qReturn: "12 480 211,50" });
    } finally {
      c.close();
    }
  });

  test("an expression it has no value for is answered as a bad expression: an error text, not a JSON-RPC error", async () => {
    const { c, doc } = await openDoc(SALES);
    try {
      const r = await c.call("EvaluateEx", ["Sum(Amount"], doc);
      expect(r.error).toBeUndefined();
      expect(r.result.qValue.qIsNumeric).toBe(false);
      expect(r.result.qValue.qText).toStartWith("Error in expression: ");
      expect(r.result.qValue.qNumber).toBeUndefined();
      expect((await c.call("Evaluate", ["Sum(Amount"], doc)).result.qReturn).toStartWith("Error in expression: ");
      // Evaluate needs a Doc handle, as on the real Engine.
      expect((await c.call("Evaluate", ["1"], -1)).error.code).toBe(-32601);
    } finally {
      c.close();
    }
  });

  test("PUT /apps/{id}/expressions replaces the values between reloads; an error value is the Engine's message", async () => {
    const put = await t.control.send("PUT", `/apps/${FORSALJNING}/expressions`, {
      "NoOfRows('Orders')": 0,
      "Sum(": { error: "')' expected" },
      "Only(X)": null,
      "Max(D)": { text: "2026-01-01", number: 46023 },
    });
    expect(put.status).toBe(200);
    const { c, doc } = await openDoc(FORSALJNING);
    try {
      expect((await c.call("EvaluateEx", ["NoOfRows('Orders')"], doc)).result.qValue).toEqual({ qText: "0", qIsNumeric: true, qNumber: 0 });
      expect((await c.call("EvaluateEx", ["Sum("], doc)).result.qValue).toEqual({ qText: "Error in expression: ')' expected", qIsNumeric: false });
      expect((await c.call("EvaluateEx", ["Only(X)"], doc)).result.qValue).toEqual({ qText: "-", qIsNumeric: false });
      expect((await c.call("EvaluateEx", ["Max(D)"], doc)).result.qValue).toEqual({ qText: "2026-01-01", qIsNumeric: true, qNumber: 46023 });
    } finally {
      c.close();
    }
    expect((await t.control.get(`/apps/${FORSALJNING}/expressions`)).json().expressions["NoOfRows('Orders')"]).toBe(0);
    expect((await t.control.send("PUT", `/apps/${FORSALJNING}/expressions`, { x: { nope: 1 } })).status).toBe(400);
    expect((await t.control.send("PUT", "/apps/00000000-0000-4000-8000-000000000000/expressions", {})).status).toBe(404);
  });
});

describe("sim Engine: app dump (spec §3.4)", () => {
  test("Sales dashboard: fixture content through every dump call", async () => {
    const d = await dump(SALES);
    expect(d.properties).toMatchObject({
      qTitle: "Sales dashboard",
      qThumbnail: { qUrl: "" },
      qSavedInProductVersion: "14.212.7",
      description: "Daily sales by region, product and sales rep.",
      qHasSectionAccess: false,
    });
    expect(typeof d.properties.qMigrationHash).toBe("string");
    expect(d.properties.qLastReloadTime).toMatch(/Z$/);
    expect(d.loadScript).toContain("[orders]:");
    expect(d.lineage).toContainEqual({ qDiscriminator: "lib://Data/orders.qvd", qStatement: "" });
    expect(d.lineage.some((l: any) => l.qStatement.startsWith("SQL SELECT ProductID"))).toBe(true);

    expect(d.sheet.map((s: any) => s.qProperty.qMetaDef.title)).toEqual(["Overview", "Regions", "Products", "Sales reps"]);
    expect(d.sheet[0]).toMatchObject({ qProperty: { qInfo: { qType: "sheet" } }, qEmbeddedSnapshotRef: null });
    expect(d.sheet[0].qChildren).toHaveLength(2);
    expect(d.sheet[0].qProperty.cells.map((c: any) => c.name)).toEqual(d.sheet[0].qChildren.map((c: any) => c.qProperty.qInfo.qId));
    expect(d.sheet[3].qProperty.qMetaDef.description).toBe("Ranking per rep");
    expect(d.story.map((s: any) => s.qProperty.qMetaDef.title)).toEqual(["Q3 review"]);
    expect(d.masterobject.map((s: any) => [s.qProperty.qMetaDef.title, s.qProperty.visualization])).toEqual([
      ["Sales by region", "barchart"],
      ["Sales trend", "linechart"],
    ]);
    expect(d.appprops).toHaveLength(1);
    expect(d.appprops[0].qProperty.qInfo.qType).toBe("appprops");

    expect(d.dimensions.map((x: any) => [x.qInfo.qType, x.qDim.qFieldDefs[0], x.qMetaDef.title])).toEqual([
      ["dimension", "Region", "Region"],
      ["dimension", "CustomerName", "Customer"],
    ]);
    expect(d.dimensions[0].qDim).toMatchObject({ qGrouping: "N", qFieldLabels: [""] });
    expect(d.measures.map((x: any) => x.qMeasure.qDef)).toEqual(["Sum(Sales)", "Count(distinct OrderID)"]);
    expect(d.measures[0].qMeasure).toMatchObject({ qLabel: "Total sales", qGrouping: "N", qExpressions: [], qActiveExpression: 0 });
    expect(d.bookmarks.map((b: any) => b.title)).toEqual(["Nordics 2025", "Top customers"]);
    expect(d.bookmarks[0].qData.qBookMark.qStateData[0].qFieldItems[0].qDef.qName).toBe("Region");
    expect(d.bookmarks[0].qData.qBookMark).toHaveProperty("qUtcModifyTime");
    expect(d.snapshots.map((b: any) => [b.title, b.qInfo.qType])).toEqual([["Board meeting October", "snapshot"]]);
    expect(d.embeddedmedia.map((m: any) => m.qUrlDef)).toEqual(["/media/Logo.png", "/media/Sales_banner.jpg"]);
    expect(d.allMedia.length).toBe(3);
    const orderId = d.fields.find((x: any) => x.qName === "OrderID");
    expect(orderId).toMatchObject({ qSrcTables: ["orders"], qIsSystem: false, qTags: ["$numeric", "$integer"] });
    expect(d.fields.find((x: any) => x.qName === "CustomerID").qSrcTables).toEqual(["orders", "customers"]);
    expect(d.fields.some((x: any) => x.qName === "$Table" && x.qIsSystem)).toBe(true);
    expect(d.dataconnections.map((x: any) => [x.qName, x.qType])).toEqual([
      ["SalesDB", "QvOdbcConnectorPackage.exe"],
      ["Data", "folder"],
    ]);
    expect(d.dataconnections[1]).toMatchObject({ qConnectionString: "D:\\QlikData\\Data\\", qMeta: { name: "Data" } });
    expect(d.variables.map((v: any) => v.qName)).toEqual(["ThousandSep", "DecimalSep", "DateFormat", "vToday", "vSalesTarget"]);
    expect(d.variables[3]).toEqual({
      qInfo: { qId: expect.any(String), qType: "variable" },
      qName: "vToday",
      qDefinition: "=Today()",
      qComment: "",
      qIncludeInBookmark: false,
      qMetaDef: {},
    });
    expect(d.variableItems[0]).toMatchObject({ qIsScriptCreated: true, qIsReserved: true, qIsConfig: true });
    expect(d.variables[4].qComment).toBe("Yearly target in EUR");
    expect(d.missing).toEqual({ qReturn: { qType: null, qHandle: null } });
  });

  test("an app without explicit content gets generated content from its script", async () => {
    const d = await dump(FORSALJNING);
    expect(d.sheet.length).toBe(3);
    expect(d.dimensions.map((x: any) => x.qDim.qFieldDefs[0])).toEqual(["Butik", "Vecka"]);
    expect(d.measures[0].qMeasure.qDef).toBe("Sum(Belopp)");
    expect(d.lineage.map((l: any) => l.qDiscriminator)).toContain("lib://Data/försäljning/orders_2025.qvd");
    expect(d.fields.find((x: any) => x.qName === "Butik").qSrcTables).toEqual(["försäljning", "butiker"]);
  });
});
