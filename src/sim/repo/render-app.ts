// QRS JSON of apps, users, streams, tags, custom property definitions and server nodes (full and condensed).
import { iso } from "../util/time";
import { stableGuid } from "../util/ids";
import type { StreamModel, UserModel } from "../site/model";
import type { AppState, Repository } from "./repository";
import { privileges, renderCpValues, renderTagRef, type Json, type RenderOptions } from "./render-common";

function streamRef(repo: Repository, streamId: string | null, opts: RenderOptions): Json | null {
  if (streamId === null) return null;
  const s = repo.site.streams.find((x) => x.id === streamId);
  return { id: streamId, name: s?.name ?? "", privileges: privileges(opts) };
}

export function renderUserCondensed(u: UserModel, opts: RenderOptions): Json {
  return {
    id: u.id,
    userId: u.userId,
    userDirectory: u.userDirectory,
    userDirectoryConnectorName: u.userDirectory,
    name: u.name,
    privileges: privileges(opts),
  };
}

export function renderAppCondensed(repo: Repository, a: AppState, opts: RenderOptions): Json {
  const m = a.model;
  return {
    id: m.id,
    name: m.name,
    appId: "",
    publishTime: m.publishTime,
    published: m.streamId !== null,
    stream: streamRef(repo, m.streamId, opts),
    savedInProductVersion: `${repo.site.info.releaseLabel.replace(/\s+/g, "")}`,
    migrationHash: "a4e5c9d3b0f1e2a7c8d9e0f1a2b3c4d5e6f7a8b9",
    availabilityStatus: 0,
    privileges: privileges(opts),
  };
}

export function renderAppFull(repo: Repository, a: AppState, opts: RenderOptions): Json {
  const m = a.model;
  const owner = repo.site.users.find((u) => u.id === m.ownerId);
  return {
    id: m.id,
    createdDate: m.createdDate,
    modifiedDate: iso(a.modifiedMs),
    modifiedByUserName: owner ? `${owner.userDirectory}\\${owner.userId}` : "INTERNAL\\sa_repository",
    customProperties: renderCpValues(repo, m.cps, m.createdDate, opts),
    owner: owner ? renderUserCondensed(owner, opts) : null,
    name: m.name,
    appId: "",
    sourceAppId: "00000000-0000-0000-0000-000000000000",
    targetAppId: "00000000-0000-0000-0000-000000000000",
    publishTime: m.publishTime,
    published: m.streamId !== null,
    tags: m.tagIds.map((id) => renderTagRef(repo, id, opts)),
    description: m.description,
    stream: streamRef(repo, m.streamId, opts),
    fileSize: m.fileSize,
    lastReloadTime: iso(a.lastReloadMs),
    thumbnail: "",
    savedInProductVersion: repo.site.info.releaseLabel.replace(/\s+/g, ""),
    migrationHash: "a4e5c9d3b0f1e2a7c8d9e0f1a2b3c4d5e6f7a8b9",
    dynamicColor: "",
    availabilityStatus: 0,
    isDirectQueryMode: false,
    hasSectionAccess: false,
    privileges: privileges(opts),
    schemaPath: "App",
  };
}

export function renderUserFull(repo: Repository, u: UserModel, opts: RenderOptions): Json {
  return {
    id: u.id,
    createdDate: u.createdDate,
    modifiedDate: u.createdDate,
    modifiedByUserName: "INTERNAL\\sa_repository",
    customProperties: renderCpValues(repo, u.cps, u.createdDate, opts),
    userId: u.userId,
    userDirectory: u.userDirectory,
    userDirectoryConnectorName: u.userDirectory,
    name: u.name,
    roles: u.roles,
    attributes: u.emails.map((email, i) => ({
      id: stableGuid("userattr", `${u.id}/${i}`),
      createdDate: u.createdDate,
      modifiedDate: u.createdDate,
      modifiedByUserName: "INTERNAL\\sa_repository",
      attributeType: "Email",
      attributeValue: email,
      externalId: `mail${i}`,
      schemaPath: "UserAttribute",
    })),
    inactive: u.inactive,
    removedExternally: u.removedExternally,
    blacklisted: u.blacklisted,
    deleteProhibited: false,
    tags: u.tagIds.map((id) => renderTagRef(repo, id, opts)),
    favorites: [],
    privileges: privileges(opts),
    schemaPath: "User",
  };
}

export function renderStreamFull(repo: Repository, s: StreamModel, opts: RenderOptions): Json {
  return {
    id: s.id,
    createdDate: s.createdDate,
    modifiedDate: s.createdDate,
    modifiedByUserName: "INTERNAL\\sa_repository",
    customProperties: renderCpValues(repo, s.cps, s.createdDate, opts),
    owner: null,
    name: s.name,
    tags: s.tagIds.map((id) => renderTagRef(repo, id, opts)),
    privileges: privileges(opts),
    schemaPath: "Stream",
  };
}

const STAMP = "2024-01-15T10:00:00.000Z";

export function renderTagFull(id: string, name: string, opts: RenderOptions): Json {
  return { id, createdDate: STAMP, modifiedDate: STAMP, modifiedByUserName: "INTERNAL\\sa_repository", name, privileges: privileges(opts), schemaPath: "Tag" };
}

export function renderCpDefinitionFull(repo: Repository, id: string, opts: RenderOptions): Json {
  const d = repo.site.cpDefs.find((x) => x.id === id)!;
  return {
    id: d.id,
    createdDate: STAMP,
    modifiedDate: STAMP,
    modifiedByUserName: "INTERNAL\\sa_repository",
    name: d.name,
    valueType: d.valueType,
    choiceValues: d.choiceValues,
    objectTypes: d.objectTypes,
    description: d.description,
    privileges: privileges(opts),
    schemaPath: "CustomPropertyDefinition",
  };
}

export function renderNodeFull(repo: Repository, nodeId: string, opts: RenderOptions): Json {
  const n = repo.site.nodes.find((x) => x.id === nodeId)!;
  return {
    id: n.id,
    createdDate: STAMP,
    modifiedDate: STAMP,
    modifiedByUserName: "INTERNAL\\sa_repository",
    name: n.name,
    hostName: n.hostName,
    isCentral: n.central,
    nodePurpose: n.central ? 0 : 1,
    engineEnabled: true,
    proxyEnabled: n.central,
    schedulerEnabled: true,
    printingEnabled: n.central,
    tags: [],
    customProperties: [],
    privileges: privileges(opts),
    schemaPath: "ServerNodeConfiguration",
  };
}
