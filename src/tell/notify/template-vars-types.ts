// The variables a template sees and the options that shape them: a file of their own, so the builders of the
// event-specific variables (history, watchdog, data checks) and the main builder do not import each other.
import type { FitOptions } from "../../hear/events/script-log-excerpt";

import type { PageAfter } from "./page-after";

export type TemplateVars = Record<string, unknown>;

export interface TemplateVarsOptions {
  headLines: number;
  tailLines: number;
  /** The channel's message limits for the script-log excerpt (Slack and Teams cap a text block). */
  scriptLogFit?: FitOptions;
  timeZone?: string;
  qmcUrl?: string;
  hubUrl?: string;
  appBaseUrl?: string;
  links: Array<{ id: string; linkText: string; comment: string; url: string }>;
  /** notify.subjectPrefix: what every mail's subject starts with (templates read it as `it.subjectPrefix`). */
  subjectPrefix?: string;
  /** The "page after N failures" threshold of a route (its own), for the page that reaches it to list the held failures. */
  pageAfterOf?: (route: string) => PageAfter | undefined;
}
