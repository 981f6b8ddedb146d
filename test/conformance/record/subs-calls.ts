// The requests of 38 calls of Butler's load-script subs (butler_subs.qvs of Butler 16.0.4), built as each sub builds
// them: Qlik's REST connector POSTs (GET for Butler_GET), X-HTTP-Method-Override, JSON bodies whose booleans and
// TTLs are text, `\` turned into `/` and `#` into `%23` in paths. `{F}` is the test's folder. In call order: the
// sequence is stateful (keys set before they are read, files copied before they are copied again).

export interface SubCall {
  /** The sub and its arguments, as a load script calls it. */
  name: string;
  method: "GET" | "POST";
  path: string;
  headers?: Record<string, string>;
  /** The body text the sub sends (sent as application/json, as Butler's Butler_POST connection). */
  body?: string;
}

const SALES_RELOAD = "7552d9fc-d1bb-4975-9a38-18357de531ea";
const USER_SYNC = "6e5d4c3b-2a19-4807-b6f5-e4d3c2b1a098";
const SALES_APP = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11";

const put = { "X-HTTP-Method-Override": "PUT" };
const del = { "X-HTTP-Method-Override": "DELETE" };
const json = (v: unknown) => JSON.stringify(v);
/** The path as CopyFile, MoveFile, DeleteFile and CreateDir put it into the body. */
const qlikPath = (p: string) => p.replace(/\\/g, "/").replace(/#/g, "%23");

const addKeyValue = (ns: string, key: string, value: string, ttl: number): SubCall => ({
  name: `AddKeyValue('${ns}', '${key}', '${value}', ${ttl})`,
  method: "POST",
  path: `/v4/keyvalues/${ns}`,
  // Without a TTL above 0 the sub leaves the ttl out.
  body: ttl > 0 ? json({ key, value, ttl: String(ttl) }) : json({ key, value }),
});
const getKeyValue = (ns: string, key: string): SubCall => ({ name: `GetKeyValue('${ns}', '${key}')`, method: "GET", path: `/v4/keyvalues/${ns}?key=${key}` });
const existsKeyValue = (ns: string, key: string): SubCall => ({
  name: `ExistsKeyValue('${ns}', '${key}')`,
  method: "GET",
  path: `/v4/keyvalues/${ns}/keyexists?key=${key}`,
});
const copyFile = (from: string, to: string, overwrite: boolean, preserve: boolean): SubCall => ({
  name: `CopyFile('${from}', '${to}', '${overwrite}', '${preserve}')`,
  method: "POST",
  path: "/v4/filecopy",
  headers: put,
  body: json({ fromFile: qlikPath(from), toFile: qlikPath(to), overwrite: String(overwrite), preserveTimestamp: String(preserve) }),
});
const moveFile = (from: string, to: string, overwrite: boolean): SubCall => ({
  name: `MoveFile('${from}', '${to}', '${overwrite}')`,
  method: "POST",
  path: "/v4/filemove",
  headers: put,
  body: json({ fromFile: qlikPath(from), toFile: qlikPath(to), overwrite: String(overwrite) }),
});
const deleteFile = (file: string): SubCall => ({
  name: `DeleteFile('${file}')`,
  method: "POST",
  path: "/v4/filedelete",
  headers: del,
  body: json({ deleteFile: qlikPath(file) }),
});
const startTask = (taskId: string, items: unknown[], name: string): SubCall => ({
  name,
  method: "POST",
  path: `/v4/reloadtask/${taskId}/start`,
  headers: put,
  body: json(items),
});

export const SUB_CALLS: SubCall[] = [
  { name: "GetEnabledButlerAPIEndpoints('endpoints')", method: "GET", path: "/v4/configfile/endpointsenabled" },
  addKeyValue("subs", "k1", "v1", 0),
  addKeyValue("subs", "k2", "v2", 60000),
  addKeyValue("subs", "k3", "three words", 0),
  getKeyValue("subs", "k1"),
  getKeyValue("subs", "k2"),
  existsKeyValue("subs", "k1"),
  existsKeyValue("subs", "nope"),
  { name: "GetAllKeysInNamespace('keys', 'subs')", method: "GET", path: "/v4/keylist/subs" },
  { name: "GetKeyValueNamespaces('namespaces')", method: "GET", path: "/v4/keyvaluesnamespaces" },
  { name: "DeleteKeyValue('subs', 'k1')", method: "POST", path: "/v4/keyvalues/subs/k1", headers: del },
  getKeyValue("subs", "k1"),
  existsKeyValue("subs", "k1"),
  { name: "DeleteKeyValue('subs', 'nope')", method: "POST", path: "/v4/keyvalues/subs/nope", headers: del },
  { name: "DeleteKeyValueNamespace('subs')", method: "POST", path: "/v4/keyvalues/subs", headers: del },
  { name: "GetAllKeysInNamespace('keys', 'subs')", method: "GET", path: "/v4/keylist/subs" },
  { name: "GetKeyValueNamespaces('namespaces')", method: "GET", path: "/v4/keyvaluesnamespaces" },
  copyFile("{F}/src/a.txt", "{F}/dst/a.txt", true, true),
  copyFile("{F}/src/a.txt", "{F}/dst/a.txt", true, false),
  copyFile("{F}\\src\\a.txt", "{F}\\dst\\b.txt", false, false),
  copyFile("{F}/src/a#b.txt", "{F}/dst/a#b.txt", false, false),
  copyFile("{F}/outside/x.txt", "{F}/dst/x.txt", true, false),
  moveFile("{F}/mvsrc/m.txt", "{F}/mvdst/m.txt", true),
  moveFile("{F}/mvsrc/m2.txt", "{F}/mvdst/m2.txt", false),
  deleteFile("{F}/del/d.txt"),
  deleteFile("{F}\\del\\d2.txt"),
  {
    name: "CreateDir('{F}/qvd/made')",
    method: "POST",
    path: "/v4/createdir",
    headers: { "Content-Type": "application/json" },
    body: json({ directory: "{F}/qvd/made" }),
  },
  {
    name: "CreateDirQVD('staging/2026')",
    method: "POST",
    path: "/v4/createdirqvd",
    headers: { "Content-Type": "application/json" },
    body: json({ directory: "staging/2026" }),
  },
  {
    name: "PostToMQTT('qliksense/subs', 'reload done')",
    method: "POST",
    path: "/v4/mqttpublishmessage",
    headers: { "Content-Type": "application/json", ...put },
    body: json({ topic: "qliksense/subs", message: "reload done" }),
  },
  {
    name: "PostToSlack('reloads', 'Qlik Sense', 'Finance reloaded', ':ghost:')",
    method: "POST",
    path: "/v4/slackpostmessage",
    headers: { "Content-Type": "application/json", ...put },
    body: json({ channel: "#reloads", from_user: "Qlik Sense", msg: "Finance reloaded", emoji: ":ghost:" }),
  },
  startTask(SALES_RELOAD, [], `StartTask('${SALES_RELOAD}', '', '', '', '')`),
  startTask("-", [{ type: "starttaskid", payload: { taskId: USER_SYNC } }], "StartTask('-', 'taskIds', '', '', '') with one id in the table"),
  startTask("-", [{ type: "starttasktag", payload: { tag: "financial-reports" } }], "StartTask('-', '', 'tags', '', '') with the tag financial-reports"),
  startTask(
    "-",
    [{ type: "starttaskcustomproperty", payload: { customPropertyName: "taskGroup", customPropertyValue: "operational-dashboards" } }],
    "StartTask('-', '', '', 'customProperties', '') with taskGroup = operational-dashboards",
  ),
  startTask(
    USER_SYNC,
    [{ type: "keyvaluestore", payload: { namespace: "chain", key: "run", value: "42", ttl: "" } }],
    `StartTask('${USER_SYNC}', '', '', '', 'kv') with a key-value item and no TTL`,
  ),
  startTask(
    SALES_RELOAD,
    [{ type: "keyvaluestore", payload: { namespace: "chain", key: "step", value: "2", ttl: "60000" } }],
    `StartTask_KeyValue('${SALES_RELOAD}', 'chain', 'step', '2', 60000)`,
  ),
  getKeyValue("chain", "step"),
  {
    name: `ReloadSenseApp('${SALES_APP}', 'false', 0, '[]', '[]')`,
    method: "POST",
    path: `/v4/app/${SALES_APP}/reload`,
    headers: put,
    body: '{"partialReload":"false", "reloadMode":0, "startQSEoWTaskOnSuccess":[], "startQSEoWTaskOnFailure":[]}',
  },
];
