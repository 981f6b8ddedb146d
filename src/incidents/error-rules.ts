// The built-in pattern table behind `errorClass`: rules tried in order, first match wins, and one hint per
// class. Data, not code: config (incidents.errorClasses) puts its own rules in front of these. Tested on a corpus of
// real Qlik Sense error lines (test/fixtures/error-corpus/); a rule that would misclassify a line there is left out,
// because a wrong class sends the person on call the wrong way while `unknown` only sends them to the log.
import type { ErrorClass } from "../events/run-context";

export interface ErrorRule {
  class: Exclude<ErrorClass, "unknown">;
  pattern: RegExp;
}

export const ERROR_HINTS: Record<ErrorClass, string> = {
  connection:
    "The data source refused or did not answer: check the data connection in the QMC (server, port, driver or DSN), its credentials, and that the source is up and reachable from the reload node.",
  file: "A file or folder the script reads is missing, moved or unreadable: check the lib:// path and that the step that writes it ran first.",
  lock: "A file is held by another process (another reload, a user with it open, a virus scanner): stagger the tasks that share it or find what holds it, then run the task again.",
  script:
    "The load script stopped on an error of its own (syntax, a field or table that does not exist): open it in the data load editor at the line in the log; a source may have renamed a column.",
  memory: "The engine ran out of memory: check RAM on the reload node and the reloads running at the same time; load less data or move the task to a quieter hour.",
  timeout: "The run hit a time limit: check what it was waiting on (a source, a lock), or raise the task's session timeout in the QMC if it needs longer.",
  access: "Permission denied: check the service account's rights on the folder or source, and the app's security rules and section access.",
  executor: "The Scheduler could not start the run (no engine or executor free, a node down): check the Qlik Sense services on the reload nodes and Max concurrent reloads.",
  unknown: "No known pattern matched: the lines of the script log below say what happened.",
};

const r = (cls: ErrorRule["class"], pattern: RegExp): ErrorRule => ({ class: cls, pattern });

/**
 * Order matters: a message names several things at once ("Cannot open file … being used by another process" is a
 * lock, not a missing file; "SQL Server does not exist or access denied" is a connection, not a permission), so the
 * narrower reading comes first.
 */
export const BUILTIN_RULES: readonly ErrorRule[] = [
  // A file another process holds.
  r("lock", /being used by another process/i),
  r("lock", /sharing violation/i),
  r("lock", /\b(?:file|qvd|table)\b[^.]{0,80}\bis locked\b|\blocked by another\b/i),
  // The engine's memory.
  r("memory", /out of (?:virtual and\/or logical )?memory|\bOutOfMemory|insufficient memory|not enough memory|memory allocation failed|bad_alloc/i),
  r("memory", /\bmemory (?:limit|constraint|quota)\b[^.]{0,60}\b(?:exceed|reach|exhaust)|\b(?:exceed|reach|exhaust)\w*\b[^.]{0,60}\bmemory (?:limit|constraint|quota)/i),
  // The Scheduler could not run it at all.
  r("executor", /could not reserve an executor|failed to start (?:the )?session|no (?:available )?(?:slave|worker|reload) (?:node|scheduler)s?\b/i),
  // SQL a source rejected because of the statement (before the connection rules: the reply came from a live source).
  r("script", /invalid (?:column|object) name|incorrect syntax near|syntax error at or near|\bORA-00(?:904|942)\b|\bSQL compilation error\b/i),
  // Data sources: credentials, drivers, network.
  r("connection", /login failed for user|password authentication failed|authentication failed for user|\bORA-(?:01017|12154|12170|12514|12541|28000|03113|03114)\b|\bTNS:/i),
  r("connection", /data source name not found|SQL Server does not exist|network-related or instance-specific error|no such host is known|\bSqlState: ?08\d{3}\b|\[08\d{3}\]/i),
  r("connection", /(?:failed|unable) to connect|could not (?:open a )?connect|cannot connect to|connection (?:refused|reset|was forcibly closed|timed out)|a connection attempt failed|underlying connection was closed/i),
  r("connection", /QVX_UNEXPECTED_END_OF_DATA|Connector connect error|HTTP protocol error 40[17]\b|ErrorMsg: ?Timeout\b|Timeout expired/i),
  // A time limit of the task or the engine.
  r("timeout", /session (?:has )?timed out|timed out waiting|\btime ?limit\b|exceeded (?:the )?(?:maximum|max\.?) (?:reload |execution |run ?)?(?:time|duration)|\btask (?:was )?aborted (?:due to|because of) (?:a )?timeout/i),
  // Permissions.
  r("access", /access (?:to the path .{1,300} )?is denied|access denied|permission denied|\bforbidden\b|\b403\b|not (?:authori[sz]ed|allowed) to|insufficient (?:privileges|permissions)|UnauthorizedAccess|section access/i),
  // Files and folders.
  r("file", /cannot open file|file not found|path not found|cannot find the (?:file|path)|could not find (?:a part of the path|file)|non existing dir|no such file or directory|cannot access the (?:file|folder)|wrong format|unsupported file format/i),
  // The script itself.
  r("script", /field '[^']*' not found|field not found|table '[^']*' not found|table not found|unknown statement|unexpected token|syntax error|garbage after statement|field names must be unique|invalid expression|script line error|semantic error|unknown (?:script )?function/i),
];
