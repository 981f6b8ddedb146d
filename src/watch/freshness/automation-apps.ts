// A Qlik Automate automation (Qlik Cloud) a freshness promise waits on is kept in the promises' store as an app of its
// own, `automation:<id>`: a run that finished (with or without warnings) is the data arriving, a failed one a failed
// reload. A promise names automations only through its `automations` list, so an app of the same name is never it.
import { AUTOMATION_APP_PREFIX } from "../../platform/events/cloud-events";

export { AUTOMATION_APP_PREFIX, automationAppId } from "../../platform/events/cloud-events";
/** The tag such an app carries in the store (and the events' facts). */
export const AUTOMATION_TAG = "Qlik Automate";

export const isAutomationApp = (appId: string) => appId.startsWith(AUTOMATION_APP_PREFIX);

/** Does a promise's `automations` list (lower-case ids or names) name this automation's app? */
export function namesAutomation(automations: ReadonlySet<string> | undefined, a: { appId: string; appName: string }): boolean {
  if (!automations || automations.size === 0) return false;
  return automations.has(a.appId.slice(AUTOMATION_APP_PREFIX.length)) || automations.has(a.appName.toLowerCase());
}
