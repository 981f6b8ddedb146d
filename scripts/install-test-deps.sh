#!/usr/bin/env bash
# Installs the Debian packages the test suite needs beyond node_modules (run as root; `npm test` calls it
# when a tool is missing). No service is left running: tests start their own instances on free ports.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  echo "install-test-deps: must run as root: sudo bash scripts/install-test-deps.sh" >&2
  exit 1
fi

# Package → why the tests need it.
#   mosquitto             MQTT broker for the mqtt channel and inbound MQTT commands
#   influxdb              influxd 1.x for the InfluxDB v1 channel (queried back with InfluxQL)
#   victoria-metrics      InfluxDB v2 write API target for the v2 channel
#   wine64, wine          runs the Windows binary (64-bit only; no i386 multiarch needed)
#   gcc-mingw-w64-x86-64  compiles the bcryptprimitives.dll shim Wine 8 needs for Bun binaries
#   wixl                  builds the Windows installer (steward-<version>-x64.msi) from installer/steward.wxs
#   msitools              msibuild/msiinfo: finish the MSI's tables, and read them back in the tests
#   osslsigncode          Authenticode-signs the exe and the MSI of `npm run release` (tested with a made certificate)
#   unzip                 reads the release zip back in its test
#   chromium              the dashboard browser test (playwright-core drives /usr/bin/chromium)
#   firefox-esr           the alert links' browser test in a second engine (driven over WebDriver BiDi)
#   systemd               `systemd-analyze verify` of the generated unit file
#   postgresql            the cluster store; tests run initdb + postgres as nobody in a temp dir on a free port
#   util-linux            setpriv, which drops root to nobody for postgres (it refuses to run as root)
#   faketime              runs a Steward whose clock is ahead or behind (the cluster's clock-offset tests)
#   prometheus-alertmanager  the alertmanager channel's counterpart (alerts posted, silenced and ended in it)
PACKAGES=(mosquitto influxdb victoria-metrics wine64 wine gcc-mingw-w64-x86-64 wixl msitools osslsigncode unzip chromium firefox-esr systemd postgresql util-linux faketime prometheus-alertmanager)

export DEBIAN_FRONTEND=noninteractive

# Deny service starts from maintainer scripts while installing (invoke-rc.d honours policy-rc.d with exit
# 101). Only our own policy file is removed afterwards; a pre-existing one is left untouched.
POLICY=/usr/sbin/policy-rc.d
OWN_POLICY=0
if [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\n# temporary: written by steward scripts/install-test-deps.sh\nexit 101\n' > "$POLICY"
  chmod 755 "$POLICY"
  OWN_POLICY=1
fi
cleanup() { if [ "$OWN_POLICY" = 1 ]; then rm -f "$POLICY"; fi; }
trap cleanup EXIT

echo "install-test-deps: apt-get update"
apt-get update -q

missing=()
for p in "${PACKAGES[@]}"; do
  # Captured first: with pipefail, `grep -q` closing the pipe early would fail the check spuriously.
  policy="$(apt-cache policy "$p")"
  case "$policy" in *"Candidate: (none)"* | "") missing+=("$p") ;; esac
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-test-deps: no installable candidate for: ${missing[*]}" >&2
  exit 1
fi

echo "install-test-deps: apt-get install ${PACKAGES[*]}"
# --no-upgrade: an already installed package (systemd in most containers) is left exactly as it is.
apt-get install -y -q --no-install-recommends --no-upgrade \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${PACKAGES[@]}"

# Belt and braces: if an init system started a daemon anyway, stop it through the same init system.
for svc in mosquitto influxdb victoria-metrics postgresql; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
    systemctl stop "$svc" || true
    systemctl disable "$svc" >/dev/null 2>&1 || true
  elif [ -x "/etc/init.d/$svc" ] && "/etc/init.d/$svc" status >/dev/null 2>&1; then
    "/etc/init.d/$svc" stop || true
  fi
done

echo "install-test-deps: done"
