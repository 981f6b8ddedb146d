// Help texts and the usage-error type of the command line.
import { DOCTOR_HELP } from "./doctor-help";
import { ALERT_HELP } from "./alert-help";
import { APIKEY_HELP } from "./apikey-help";
import { SERVICE_HELP } from "./service-help";
export class UsageError extends Error {}

export const MAIN_HELP = `Steward — the companion service for Qlik Sense Enterprise.

Usage: steward <command> [options]

Commands:
  run [--config FILE]            Run Steward (REST API, UDP intake, alerts, scheduler …)
  demo [--cluster]               Run the demo: Qlik Sense simulator, Steward and a capture inbox, with a dashboard
  sim [options]                  Run the Qlik Sense simulator (QRS, Engine, scheduler datagrams)
  appender-xml --target HOST     Write the Qlik Sense Scheduler's LocalLogConfig.xml that sends task events here
                                 (--engine: the Engine's, that sends reloads outside the Scheduler)
  config check FILE              Validate a config file; errors name the line and the key
  config schema [--out FILE]     Print the JSON Schema of the config file (for editors)
  config explain KEY             Explain one config key (type, default, example), e.g. notify.outbox.maxAttempts
  config import-butler BUTLER.yaml [--out FILE] [--schedules FILE]
                                 Convert a Butler config; lists every key it could not convert
  config propose|apply-proposal ID
                                 Review a proposal of the noise report as a diff, or apply it (checked, audited)
  config rehearse NEW.yaml [--since 4w]
                                 Replay the recorded weeks through NEW.yaml beside the config in force; exit 1 when a fault would go unpaged
  alert preview|test [options]   Preview alert routing and rendering, or send a test alert through a channel
  schedules import FILE          Import Butler's schedule file into the store (Steward stopped, or a cluster's shared store)
  checks run --app APP           Evaluate the data checks of one app now and print the values
  doctor [--config FILE]         Try every dependency the config names (QRS, Engine, channels, PostgreSQL, UDP); PASS/FAIL each
  apikey create --name N --scopes a,b   Make an API key; prints it once plus the hash entry for the config
  silence list|add|show|end      Silence alerts until a time, through the running Steward (see steward help silence)
  report [--from T] [--to T]     The morning report now, for any span, from the running Steward (default: last 24 h)
  noise [--since-days N]         How noisy the pages were (default: last 7 days) and the config changes proposed
  service install|uninstall|start|stop|status [--config FILE] [--dry-run]
                                 Run Steward as a Windows service or a systemd unit
  version                        Print the version

Global options:
  --log-level LEVEL              fatal|error|warn|info|debug|trace|silent (overrides logging.level)
  --log-format FORMAT            json|pretty (overrides logging.format)
  -h, --help                     Help for steward or for one command

Exit codes: 0 ok, 1 runtime failure, 2 usage or config error.`;

export const COMMAND_HELP: Record<string, string> = {
  "appender-xml": `Usage: steward appender-xml [--engine] --target HOST[:PORT] [--target …] [--out FILE]
       steward appender-xml --engine --check FILE [--target HOST[:PORT]]

Prints (or writes to FILE) the log4net appender file for the Qlik Sense Scheduler. Save it as
%ProgramData%\\Qlik\\Sense\\Scheduler\\LocalLogConfig.xml on every node that runs the Scheduler service and
restart that service; the node then sends one UDP datagram per finished, failed or aborted task run.
HOST is the address the Sense nodes reach Steward at; PORT defaults to 9998 (udp.port). Give --target twice
to send every event to two Steward instances.

--engine writes the Engine's file instead: save it as %ProgramData%\\Qlik\\Sense\\Engine\\LocalLogConfig.xml
on every node that runs the Engine service and restart the Qlik Sense Engine Service; the node then sends its
reload lines (start, end, failure; app, session, user, node, time) for the reloads outside the Scheduler
(docs/engine-reloads.md). Both files send to the same UDP port.

--engine --check FILE reads a node's existing Engine LocalLogConfig.xml (Butler SOS's, an older Steward's) and
says what Steward's lines need that it lacks: Steward's appender, its filter chain and pattern, and a reference in
each of the loggers System.Engine, AuditActivity.Engine and Service.Engine; then what to merge, keeping the rest of
the file. --target puts Steward's address in the merge. Exit 0: nothing to merge; 1: something to merge.`,
  alert: ALERT_HELP,
  doctor: DOCTOR_HELP,
  apikey: APIKEY_HELP,
  service: SERVICE_HELP,
  run: `Usage: steward run [--config FILE] [--log-level LEVEL] [--log-format json|pretty]

Runs Steward until SIGINT/SIGTERM. --config (or -c, or Butler's --configfile) names the config file; without
it Steward reads the file named by STEWARD_CONFIG, else %ProgramData%\\Steward\\steward.yaml (Windows) or
/etc/steward/steward.yaml (Linux) if present, else ./steward.yaml if present, else the built-in defaults
(REST API on 127.0.0.1:8080, UDP intake on 0.0.0.0:9998, data in ./data).`,
  demo: `Usage: steward demo [--cluster] [--log-level LEVEL]

Starts the Qlik Sense simulator, Steward on the demo configuration and a capture inbox (SMTP server and
webhook receiver) in one process, runs a few simulated tasks (some fail) and prints each event and each
delivered alert. The dashboard is at http://127.0.0.1:7480/ui (another port if that one is taken; the
actual URLs are printed). Data lives in ./data/demo and is wiped at each start. Ctrl-C stops everything.

--cluster  Two Stewards (node-a on :7480, node-b on :7490) sharing a private PostgreSQL that the demo starts
           from this machine's PostgreSQL programs (Debian package postgresql; install with
           sudo bash scripts/install-test-deps.sh) and removes at exit. Both hear every datagram; each run is
           alerted once. Press k to stop the leading Steward and watch the other take over, s to start
           it again (or send SIGUSR2: it stops the leader, the next one restarts it).`,
  config: `Usage: steward config check FILE
       steward config schema [--out FILE]
       steward config explain KEY
       steward config import-butler BUTLER.yaml [--out FILE] [--schedules FILE] [--force]
       steward config propose|apply-proposal ID [--since-days N]
       steward config rehearse NEW.yaml [--since 4w] [--json]

check   Validates FILE. Exit 0 when valid, 2 with one line per problem: FILE:LINE:COL path: message.
        It also builds everything run would (certificates, TLS files, folders, templates) without starting it.
schema  Prints the JSON Schema of the config file, or writes it to --out FILE.
explain KEY
        Prints what one key does: type, default, description and an example (the entry of
        docs/configuration-reference.md). KEY is a dotted path such as notify.outbox.maxAttempts;
        a channel's or route's name or index may stand where the reference says * (channels.ops-mail.smtp.host).
import-butler BUTLER.yaml [--out FILE] [--schedules FILE] [--force]
        Converts a Butler config (and its schedule file) into a Steward config.
propose ID, apply-proposal ID
        Shows a proposal of the noise report (steward noise) as a diff against the config file, or writes it
        after the config check passes, audited and reloaded; see 'steward config propose --help'.
rehearse NEW.yaml [--since 4w]
        Replays the recorded history through NEW.yaml beside the config in force: pages per route and channel,
        retries, and the faults that would go unpaged (exit 1); see 'steward config rehearse --help'.`,
  version: `Usage: steward version

Prints the Steward version.`,
  checks: `Usage: steward checks run --app APP [--check NAME …] [--config FILE] [--json]

Evaluates the data checks of one app now and prints each value; see 'steward checks --help'.`,
  report: `Usage: steward report [--config FILE] [--from TIME] [--to TIME | --hours N] [--json]

Prints the morning report for a span from the running Steward; see 'steward report --help'.`,
  noise: `Usage: steward noise [--config FILE] [--since-days N] [--json]

How noisy the pages were, and the config changes proposed, from the running Steward; see 'steward noise --help'.`,
  silence: `Usage: steward silence list|add|show|end [options]

Silences alerts until a time, through the running Steward's REST API; see 'steward silence --help'.`,
  schedules: `Usage: steward schedules import FILE [--config FILE] [--replace]

Imports Butler's schedule file (root key butlerSchedule) into the store; see 'steward schedules --help'.`,
  sim: `Usage: steward sim [--site FILE] [--certs DIR] [--udp-target HOST:PORT …] [--node-udp-target NODE=HOST:PORT …] [--help]

Runs the Qlik Sense simulator until stopped. See 'steward sim --help' for every option.`,
};
