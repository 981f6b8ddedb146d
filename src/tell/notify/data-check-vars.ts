// Template variables of a data.check_* event: the generic title, summary and facts (as site events have) plus
// the app, reload, check and value fields a template may want on their own.
import type { DataCheckEvent } from "../../platform/events/types";
import { showCheckValue } from "../../hear/events/data-check-event";
import { localTimes } from "./time-format";
import { appUrlFor } from "../../hear/events/enrich-mappers";
import type { TemplateVars, TemplateVarsOptions } from "./template-vars-types";

export function buildDataCheckVars(e: DataCheckEvent, opts: TemplateVarsOptions): TemplateVars {
  const c = e.check;
  return {
    isTask: false,
    isDataCheck: true,
    kind: e.kind,
    eventId: e.id,
    outcome: e.kind.slice("data.check_".length),
    receivedAt: localTimes(e.receivedAt, opts.timeZone),
    event: e,
    host: e.host,
    hostName: e.host,
    title: e.title,
    summary: e.summary,
    facts: e.facts,
    appName: e.app.name,
    appId: e.app.id,
    appUrl: appUrlFor(e.app.id, opts.hubUrl, opts.appBaseUrl) ?? "",
    appStreamName: e.app.stream ?? "",
    appTags: e.app.tags,
    taskName: e.task?.name ?? "",
    taskId: e.task?.id ?? "",
    reloadKind: e.reload.kind,
    reloadId: e.reload.id,
    runId: e.runId,
    checkName: c?.name ?? "",
    expression: c?.expression ?? "",
    expect: c?.expect ?? "",
    expectResolved: c?.resolved ?? c?.expect ?? "",
    severity: c?.severity ?? "",
    value: c ? showCheckValue(c.value) : "",
    valueNumber: c?.value?.number ?? null,
    previous: c?.previous ?? null,
    message: c?.message ?? e.error?.message ?? "",
    uncheckedChecks: e.error?.checks ?? [],
    holdsBack: e.holdsBack,
    qlikSenseQMC: opts.qmcUrl ?? "",
    qlikSenseHub: opts.hubUrl ?? "",
    genericUrls: opts.links,
  };
}
