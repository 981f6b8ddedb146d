// The oldest Windows Steward's runtime runs on. Bun's Windows build targets Windows 10 1809 / Windows Server 2019
// (build 17763; Bun's own installer refuses older builds): on Windows Server 2016 (build 14393) the binary is
// not supported and may not start at all. Checked by `steward service install` before anything is installed
// (the MSI runs that command, so it stops there too).
export const MIN_WINDOWS_BUILD = 17763;
export const MIN_WINDOWS_NAME = "Windows Server 2019 / Windows 10 1809";

/** Why this Windows is too old for Steward (os.release() such as "10.0.14393"), or undefined when it is fine. */
export function windowsVersionProblem(release: string): string | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(release.trim());
  if (!m) return undefined; // unknown form: do not stand in the way
  const [major, build] = [Number(m[1]), Number(m[3])];
  if (major > 10 || (major === 10 && build >= MIN_WINDOWS_BUILD)) return undefined;
  const seen = major === 10 && build === 14393 ? "Windows Server 2016" : `Windows ${release}`;
  return (
    `${seen} (build ${build}) is older than Steward needs: ${MIN_WINDOWS_NAME} (build ${MIN_WINDOWS_BUILD}) or newer. ` +
    "Run Steward on a newer Windows server or on Linux beside the Qlik Sense nodes instead: it reaches QRS and the Engine over the network, " +
    "and the nodes' appenders send their datagrams to its address (/help/install-windows#older-windows, docs/install-windows.md)."
  );
}
