// The built-in pattern table behind `errorClass`: rules tried in order, first match wins, and one hint per
// class. Data, not code: config (incidents.errorClasses) puts its own rules in front of these. Measured on a corpus
// of real Qlik error lines (test/fixtures/error-corpus/qlik-error-lines.json, test/unit/tell/incidents/error-corpus.test.ts);
// a rule that would misclassify a line there is left out, because a wrong class sends the person on call the wrong
// way while `unknown` only sends them to the log.
import type { ErrorClass } from "../../platform/events/run-context";

export interface ErrorRule {
  class: Exclude<ErrorClass, "unknown">;
  pattern: RegExp;
}

export const ERROR_HINTS: Record<ErrorClass, string> = {
  connection:
    "The data source refused or did not answer: check the data connection in the QMC (server, port, driver or DSN), its credentials, and that the source is up and reachable from the reload node.",
  file: "A file or folder the script reads is missing, moved, damaged or in another format: check the lib:// path and that the step that writes it ran first.",
  lock: "A file is held by another process (another reload, a user with it open, a virus scanner): stagger the tasks that share it or find what holds it, then run the task again.",
  script:
    "The load script stopped on an error of its own (syntax, a field or table that does not exist): open it in the data load editor at the line in the log; a source may have renamed a column.",
  memory:
    "The engine ran out of memory: check RAM on the reload node and the reloads running at the same time; load less data or move the task to a quieter hour.",
  timeout: "The run hit a time limit: check what it was waiting on (a source, a lock), or raise the task's session timeout in the QMC if it needs longer.",
  access: "Permission denied: check the service account's rights on the folder or source, and the app's security rules and section access.",
  executor:
    "The Scheduler could not start the run (no engine or executor free, a node down): check the Qlik Sense services on the reload nodes and Max concurrent reloads.",
  queue:
    "Qlik cancelled the run: it waited in its node's Scheduler queue for a free engine longer than the queue timeout, so no script ran. It runs again at its next trigger; start it by hand if its data is needed sooner. The node was running its Max concurrent reloads: raise that limit in the QMC (Schedulers → the node → Advanced) if the node has the cores, or move some triggers to a quieter hour.",
  unknown: "No known pattern matched: the lines of the script log below say what happened.",
};

const r = (cls: ErrorRule["class"], pattern: RegExp): ErrorRule => ({ class: cls, pattern });

/**
 * Tried on the line with its quoted names blanked ('lib://Access/403.qvd' becomes ''), so a path or a field name
 * never decides the class. Order matters: a message names several things at once ("Cannot open file … being used
 * by another process" is a lock, not a missing file; "SQL Server does not exist or access denied" is a connection,
 * not a permission), so the narrower reading comes first. Qlik's own statement errors are anchored at the start of
 * the line: what follows them is script text, which may say anything.
 */
export const BUILTIN_RULES: readonly ErrorRule[] = [
  // A file another process holds.
  r("lock", /being used by another process|sharing violation/i),
  r("lock", /\b(?:file|qvd)\b[^.]{0,80}\bis locked\b|\blocked by another (?:process|user|reload)/i),
  // The engine's own script errors, as the script log starts them.
  r(
    "script",
    /^(?:unexpected token|unknown statement|syntax error|garbage after statement|semantic error|script line error|invalid expression|field '[^']*' not found|table '[^']*' not found|field not found|table not found)\b/i,
  ),
  r(
    "script",
    /^(?:the following (?:table|field|mapping table) could not be found|the following statement could not be identified|there is a syntax problem|the engine (?:expected|found) |there is no previously loaded table)/i,
  ),
  // The engine's own file errors.
  r(
    "file",
    /^(?:cannot open (?:the following )?file|(?:there is )?no qualified path for (?:the following )?file|file not found\b|file has wrong format|unsupported file format)/i,
  ),
  // The engine's memory.
  r(
    "memory",
    /out of (?:virtual and\/or logical )?memory|\bOutOfMemory|insufficient memory|not enough memory|memory allocation failed|bad_alloc|memory limit reached|exceeds the memory limit/i,
  ),
  r(
    "memory",
    /\bmemory (?:limit|constraint|quota)\b[^.]{0,60}\b(?:exceed|reach|exhaust)|\b(?:exceed|reach|exhaust)\w*\b[^.]{0,60}\bmemory (?:limit|constraint|quota)/i,
  ),
  // The Scheduler could not run it at all.
  r("executor", /could not reserve an executor|failed to start (?:the )?session|no (?:available )?(?:slave|worker|reload) (?:node|scheduler)s?\b/i),
  // SQL a source rejected because of the statement (before the connection rules: the reply came from a live source).
  r("script", /invalid (?:column|object) name|incorrect syntax near|syntax error at or near|\bORA-00(?:904|942)\b|\bSQL compilation error\b/i),
  // Data sources: credentials, drivers, network, the connection named in the script.
  r(
    "connection",
    /login failed for user|password authentication failed|authentication failed for user|\bORA-(?:01017|12154|12170|12514|12541|28000|03113|03114)\b|\bTNS:/i,
  ),
  r(
    "connection",
    /data source name not found|SQL Server does not exist|network-related or instance-specific error|no such host is known|host could not be resolved|\bSqlState: ?08\d{3}\b|\[08\d{3}\]/i,
  ),
  r(
    "connection",
    /(?:failed|unable) to connect|could not (?:open a )?connect|cannot connect to|connection (?:refused|reset|was forcibly closed|timed out)|a connection attempt failed|underlying connection was closed/i,
  ),
  r(
    "connection",
    /\b(?:odbc|ole ?db|custom) (?:connection|read) failed|database connection failed|\bdatabase not found|no open data connection|the following connection could not be found|connector (?:connect error|failed to start|is not responding)/i,
  ),
  r(
    "connection",
    /QVX_UNEXPECTED_END_OF_DATA|HTTP protocol error 40[17]\b|ErrorMsg: ?Timeout\b|Timeout expired|handshake failed|received nothing from remote server|error occurred on a REST endpoint/i,
  ),
  // A time limit of the task or the engine.
  r(
    "timeout",
    /session (?:has )?timed out|request has timed out|operation timeout|timed out waiting|\btime ?limit\b|exceeded (?:the )?(?:maximum|max\.?) (?:reload |execution |run ?)?(?:time|duration)|\btask (?:was )?aborted (?:due to|because of) (?:a )?timeout/i,
  ),
  // Permissions. ("Access to the path … is denied" is left out: Windows says it of a locked file as well.)
  r(
    "access",
    /access (?:is|was) denied|access denied|permission denied|\bforbidden\b|not (?:authori[sz]ed|allowed) to|insufficient (?:privileges|permissions)|UnauthorizedAccess|section access|you do not have access|authori[sz]ation failed|account is inactive|HTTP code: ?403/i,
  ),
  // Files and folders.
  r(
    "file",
    /file not found|path not found|cannot find the (?:file|path)|could not find (?:a part of the path|file)|non existing dir|no such file or directory|cannot access the (?:file|folder)|wrong format|unsupported file format/i,
  ),
  r(
    "file",
    /path is outside the folder|\bis corrupt\b|incorrect format or may be damaged|file protected by password|file read failed|\bfile\b[^.]{0,40}\bnot found/i,
  ),
  // The script itself, anywhere in the line.
  r(
    "script",
    /field '[^']*' not found|field not found|table '[^']*' not found|table not found|unknown statement|unexpected token|syntax error|garbage after statement|field names must be unique|invalid expression|script line error|semantic error|unknown (?:script )?function/i,
  ),
];

/**
 * Blank what is quoted ('…' and "…"), keeping the quotes: a quote opens only after the start, a space or ( [ : = ,
 * and closes only before the end, a space or ) ] . , ; : — so the apostrophe of "can't" opens nothing.
 */
export function blankQuoted(line: string): string {
  return line.replace(/(^|[\s([:=,])(['"])[^'"\n]{0,400}\2(?=$|[\s)\].,;:])/g, "$1$2$2");
}
