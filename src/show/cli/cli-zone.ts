// The zone a CLI line writes times in: the site's (notify.timeZone of the config, else this machine's), as the
// dashboard and the mails do, so one instant reads the same everywhere.
import { siteTimeZone } from "../../platform/core/site-clock";
import { resolveConfig } from "./config-resolve";

export function cliZone(config?: string): string {
  let zone: string | undefined;
  try {
    zone = resolveConfig(config ? { config } : {}).config.notify.timeZone;
  } catch {
    // An unreadable config is not this command's business (it may talk to a Steward elsewhere via --url).
  }
  return siteTimeZone(zone);
}
