// Help text of `steward service` (its own file so usage.ts can show it without importing the command).
import { DEFAULT_WINDOWS_ACCOUNT } from "../services/install/windows-plan";

export const SERVICE_HELP = `Usage: steward service install   --config FILE [--name NAME] [--account ACCOUNT] [--password PW] [--user USER] [--start] [--dry-run]
       steward service uninstall [--name NAME] [--dry-run]
       steward service start|stop|status [--name NAME]

Windows: registers Steward with the Service Control Manager (automatic start, restart on failure, under
ACCOUNT: default "${DEFAULT_WINDOWS_ACCOUNT}"; a domain account or a gMSA "DOMAIN\\name$" works too).
Logs go to <dataDir>\\logs\\steward.log and warnings/errors to the Application event log. Run it from an
elevated prompt. NAME defaults to Steward.
Linux: writes a hardened systemd unit running as USER (default steward, created if missing) and enables it.
Needs root. NAME defaults to steward.

--dry-run prints the commands and the unit instead of running them; --start also starts the service.
(steward service run is what the Windows service itself runs; do not call it by hand.)`;
