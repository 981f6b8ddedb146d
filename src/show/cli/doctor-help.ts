// `steward doctor --help` (kept apart so the usage text does not load the probes).
export const DOCTOR_HELP = `Usage: steward doctor [--config FILE] [--json]

Checks that Steward can do its job here: the config as \`steward run\` would read it, then every dependency the
config names, tried for real: QRS and the Engine with the client certificates, each alert channel (an SMTP
login, or a TCP/TLS connection to a webhook's server; no message is sent), the MQTT broker, PostgreSQL and the
cluster's members, and the UDP port for the Scheduler's datagrams. One line each, PASS or FAIL, with what to do.
Run it after installing, after a change on the network, or when alerts stop. A running Steward answers the same
at GET /v4/doctor (admin scope) and on the dashboard's Health page.

Exit codes: 0 every check passed, 1 a check failed, 2 usage error.`;
