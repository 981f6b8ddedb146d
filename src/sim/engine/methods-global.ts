// Engine methods on the Global handle (-1): versions, GetDocList, OpenDoc, ConfigureReload, GetProgress, CancelReload.
import { qlikFileTime, iso } from "../util/time";
import { progressOf } from "./reload";
import { ERR, handleRef, str, type Json } from "./rpc";
import { addHandle, type MethodTable } from "./session-types";

export const GLOBAL_METHODS: MethodTable = {
  EngineVersion: { params: [], run: (s) => ({ qVersion: { qComponentVersion: s.state.repo.site.info.productVersion } }) },
  ProductVersion: { params: [], run: (s) => ({ qReturn: s.state.repo.site.info.productVersion }) },
  OSName: { params: [], run: () => ({ qReturn: "WindowsNT" }) },
  QTProduct: { params: [], run: () => ({ qReturn: "Qlik Sense" }) },
  IsDesktopMode: { params: [], run: () => ({ qReturn: false }) },
  GetAuthenticatedUser: { params: [], run: (s) => ({ qReturn: s.userHeader }) },
  GetDocList: {
    params: [],
    run: (s) => {
      const repo = s.state.repo;
      return {
        qDocList: [...repo.apps.values()].map((a) => {
          const stream = repo.site.streams.find((x) => x.id === a.model.streamId);
          return {
            qDocName: a.model.name,
            qDocId: a.model.id,
            qConnectedUsers: 0,
            qFileTime: qlikFileTime(a.modifiedMs),
            qFileSize: a.model.fileSize,
            qLastReloadTime: iso(a.lastReloadMs),
            qReadOnly: false,
            qMeta: {
              createdDate: a.model.createdDate,
              modifiedDate: iso(a.modifiedMs),
              published: a.model.streamId !== null,
              publishTime: a.model.publishTime,
              stream: stream ? { id: stream.id, name: stream.name } : null,
              privileges: ["read", "update", "delete", "reload", "export", "exportdata", "publish", "duplicate", "approve"],
              description: a.model.description,
              qFileSize: a.model.fileSize,
            },
            qTitle: a.model.name,
            qThumbnail: { qUrl: "" },
          };
        }),
      };
    },
  },
  OpenDoc: {
    params: ["qDocName", "qUserName", "qPassword", "qSerial", "qNoData"],
    run: (s, _h, args) => {
      const id = str(args, "qDocName");
      const app = s.state.repo.findApp(id);
      if (!app) throw ERR.appNotFound(id);
      // One app per session, as on the real engine.
      if (s.docHandle !== undefined) throw ERR.appAlreadyOpen(id);
      const handle = addHandle(s, { kind: "Doc", appId: app.model.id });
      s.docHandle = handle;
      return handleRef("Doc", handle, app.model.id);
    },
  },
  GetActiveDoc: {
    params: [],
    run: (s) => {
      const h = s.docHandle === undefined ? undefined : s.handles.get(s.docHandle);
      if (h?.kind !== "Doc") throw ERR.noActiveDoc();
      return handleRef("Doc", s.docHandle!, h.appId);
    },
  },
  GetProgress: {
    params: ["qRequestId"],
    run: (s, _h, args) => {
      const id = args.qRequestId;
      const match = s.reloads.find((r) => r.requestId === id);
      // qRequestId 0 (or unknown): report the reload going on in this session, if any.
      const current = match ?? [...s.reloads].reverse().find((r) => !r.finished) ?? s.reloads[s.reloads.length - 1];
      return progressOf(s.state, current, s.reloadConfig.useErrorData);
    },
  },
  ConfigureReload: {
    params: ["qCancelOnScriptError", "qUseErrorData", "qInteractOnError"],
    run: (s, _h, args): Json => {
      s.reloadConfig = { cancelOnScriptError: args.qCancelOnScriptError === true, useErrorData: args.qUseErrorData === true, interactOnError: args.qInteractOnError === true };
      return {};
    },
  },
  CancelReload: {
    params: [],
    run: (s): Json => {
      for (const r of s.reloads) if (!r.finished) r.cancel();
      return {};
    },
  },
  CancelRequest: {
    params: ["qRequestId"],
    run: (s, _h, args): Json => {
      for (const r of s.reloads) if (!r.finished && r.requestId === args.qRequestId) r.cancel();
      return {};
    },
  },
};
