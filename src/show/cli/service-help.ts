// Help text of `steward service` (its own file so usage.ts can show it without importing the command).
import { DEFAULT_WINDOWS_ACCOUNT, DEFAULT_WINDOWS_SERVICE_NAME } from "../../watch/services/install/windows-plan";

export const SERVICE_HELP = `Usage: steward service install   --config FILE [--name NAME] [--account ACCOUNT] [--password PW] [--user USER] [--start]
                                 [--update] [--create-config] [--firewall udp,rest] [--firewall-remote ADDRS]
                                 [--report FILE] [--own-folder DIR [--fresh-folder]] [--dry-run]
       steward service uninstall [--name NAME] [--report FILE] [--own-folder DIR] [--dry-run]
       steward service start|stop|status [--name NAME]

Windows: registers Steward with the Service Control Manager (automatic start, restart on failure, under
ACCOUNT: default "${DEFAULT_WINDOWS_ACCOUNT}"; a domain account or a gMSA "DOMAIN\\name$" works too).
Logs go to <dataDir>\\logs\\steward.log and warnings/errors to the Application event log. Run it from an
elevated prompt. NAME defaults to ${DEFAULT_WINDOWS_SERVICE_NAME}.
Linux: writes a hardened systemd unit running as USER (default steward, created if missing) and enables it.
Needs root. NAME defaults to steward.

--dry-run prints the commands and the unit instead of running them; --start also starts the service.
--update           Windows: if the service exists, reconfigure it in place (sc config) instead of failing; with
                   --start it is stopped first and started again. A domain account keeps its stored password
                   unless --password is given. (The MSI runs install with --update on every install and upgrade.)
--create-config    write a starter config to FILE when there is none (an existing file is never touched); on
                   Windows its folder is then restricted as with --own-folder.
--firewall         Windows: add inbound firewall rules for the UDP intake (udp.port) and/or the REST API
                   (http.port) of this config, bound to steward.exe; --firewall-remote limits them to those
                   addresses (e.g. 10.0.0.11,10.0.1.0/24). Uninstall removes them.
--report FILE      also append what was done to FILE (the MSI writes %ProgramData%\\Steward\\installer.log).
--own-folder DIR   Windows: a folder of this installation alone (the MSI's %ProgramData%\\Steward): refused if a
                   link stands in its place, restricted to Administrators and SYSTEM (plus the account's grants).
--fresh-folder     with --own-folder: a first install; refused when DIR already holds files (a config, a secrets
                   file or data someone else may have put there), its report file aside. The MSI passes it unless
                   ADOPTFOLDER=1.
(steward service run is what the Windows service itself runs; do not call it by hand.)`;
