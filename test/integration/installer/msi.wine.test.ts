// The Windows installer: steward-<version>-x64.msi built by scripts/msi.ts (wixl) from two builds of steward.exe
// (this version as `npm run release` packs it, and the next patch), its tables read back with msiinfo, then
// installed, upgraded, refused as a downgrade and uninstalled with Wine's msiexec /qn in one reused prefix
// (test/helpers/wine-installer.ts), with Wine's Service Control Manager running the installed steward.exe.
//
// What Wine cannot show, and a real Windows does differently or in addition (also in docs/install-windows.md):
// - the upgrade in place: Wine's RemoveExistingProducts runs the old package's uninstall without
//   UPGRADINGPRODUCTCODE, so the old package removes the service and the new one registers it again; on Windows
//   the old package leaves it and the new one updates it with `sc config` (which Wine's sc.exe lacks);
// - firewall rules: Wine's netsh accepts `advfirewall` and does nothing (the steps show "ok", no rule exists);
// - recovery actions (registered with sc failure, never exercised), the service accounts (Wine runs every
//   service as one user), icacls rights, the event log, and the MSI log hiding SERVICEPASSWORD;
// - any ACL: Wine's icacls and cacls accept every command, change nothing and print nothing, and `dir /q` names
//   the Unix user as every file's owner; so %ProgramData%\Steward's own ACL is checked in the package's
//   MsiLockPermissionsEx table, while the refusal of a folder holding planted files runs for real.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pkg from "../../../package.json" with { type: "json" };
import { buildVersion } from "../../../scripts/build";
import { buildMsi, msiTable, MSI_PROPERTIES, PROGRAMDATA_SDDL, type BuiltMsi } from "../../../scripts/msi";
import { serviceCommand } from "../../../src/show/cli/service";
import type { CommandRunner } from "../../../src/watch/services/command-runner";
import { compiledBinaries } from "../../helpers/compiled-binaries";
import { findExecutable } from "../../helpers/executables";
import { freeTcpPort } from "../../helpers/free-port";
import { createTempDir } from "../../helpers/temp-dir";
import { waitFor } from "../../helpers/wait-for";
import { runUnderWine } from "../../helpers/wine";
import { hostPath, INSTALLER_PREFIX, prepareInstallerPrefix, releaseInstallerPrefix, wineRegistryKey } from "../../helpers/wine-installer";
import { wallLimit } from "../../helpers/time-limit";

const haveMsiTools = Boolean(findExecutable(["wixl"]) && findExecutable(["msiinfo"]) && findExecutable(["msibuild"]));
const haveWine = haveMsiTools && Boolean(findExecutable(["wine64", "wine"]) && findExecutable(["x86_64-w64-mingw32-gcc"]));

const VERSION_A = pkg.version;
const VERSION_B = VERSION_A.replace(/\d+$/, (patch) => String(Number(patch) + 1));
/**
 * What MSI A's steward.exe says it is: the executable the other test files run (compiled once for all of them,
 * test/helpers/compiled-binaries.ts), with package.json's version and the commit, as `npm run release` packs it.
 * MSI B's is a build of its own that says VERSION_B.
 */
const EXE_VERSION_A = buildVersion();
const SERVICE_KEY = "HKLM\\System\\CurrentControlSet\\Services\\Steward";
const EXE = "C:\\Program Files\\Steward\\steward.exe";
const SITE_CONFIG = "C:\\StewardTest\\steward.yaml";
const DEFAULT_CONFIG = "C:\\ProgramData\\Steward\\steward.yaml";
const INSTALLER_LOG = "C:\\ProgramData\\Steward\\installer.log";

const tmp = createTempDir("steward-msi-");
const winPath = (p: string) => `Z:${p.replace(/\//g, "\\")}`;

// Both MSIs are built once for the whole file (two wixl runs of ~5 CPU s each). A's steward.exe is the run's shared
// build; B's is compiled for this file (~3 CPU s), or found in the cache when src/ has not changed since.
let built: Promise<{ a: BuiltMsi; b: BuiltMsi }> | undefined;
function buildBoth() {
  built ??= (async () => {
    const msi = async (version: string, exeVersion: string) => {
      const [exe] = await compiledBinaries({ targets: ["windows-x64"], outDir: join(tmp.path, `bin-${version}`), version: exeVersion });
      return buildMsi({ exe: exe!.path, version, outDir: join(tmp.path, "msi") });
    };
    return { a: await msi(VERSION_A, EXE_VERSION_A), b: await msi(VERSION_B, VERSION_B) };
  })();
  return built;
}

afterAll(() => tmp.remove());

describe.skipIf(!haveMsiTools)("the MSI's tables", () => {
  let a: BuiltMsi;
  beforeAll(async () => {
    a = (await buildBoth()).a;
  }, wallLimit(300_000));

  test("a per-machine x64 package: steward.exe in a 64-bit component under Program Files, %ProgramData%\\Steward created", () => {
    const props = Object.fromEntries(msiTable(a.path, "Property").map((r) => [r.Property, r.Value]));
    expect(props).toMatchObject({ ALLUSERS: "1", ProductName: "Steward", ProductVersion: VERSION_A, MsiHiddenProperties: "SERVICEPASSWORD" });
    expect(props.SecureCustomProperties!.split(";")).toEqual(expect.arrayContaining([...MSI_PROPERTIES, "WIX_UPGRADE_DETECTED"]));
    const dirs = Object.fromEntries(msiTable(a.path, "Directory").map((r) => [r.Directory, r]));
    expect(dirs.INSTALLDIR).toMatchObject({ Directory_Parent: "ProgramFiles64Folder", DefaultDir: "Steward" });
    expect(dirs.PROGRAMDATADIR).toMatchObject({ Directory_Parent: "CommonAppDataFolder", DefaultDir: "Steward" });
    expect(msiTable(a.path, "File").map((r) => r.FileName)).toEqual(["steward.exe"]);
    const exe = msiTable(a.path, "Component").find((r) => r.Component === "StewardExe")!;
    expect(Number(exe.Attributes) & 0x100).toBe(0x100); // msidbComponentAttributes64bit
    expect(msiTable(a.path, "CreateFolder").map((r) => r.Directory_)).toEqual(["PROGRAMDATADIR"]);
  });

  test("%ProgramData%\\Steward gets its own ACL from Windows Installer: owner Administrators, SYSTEM and Administrators only, nothing inherited", () => {
    expect(msiTable(a.path, "MsiLockPermissionsEx")).toEqual([
      { MsiLockPermissionsEx: "ProgramDataAcl", LockObject: "PROGRAMDATADIR", Table: "CreateFolder", SDDL: PROGRAMDATA_SDDL, Condition: "" },
    ]);
    // Protected (P: no inheritance from ProgramData, whose Users may create files), two grants, no Users (BU), no Everyone (WD).
    expect(PROGRAMDATA_SDDL).toBe("O:BAG:SYD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)");
    // A first install is told to check the folder; an upgrade, a repair or ADOPTFOLDER=1 is not.
    const actions = Object.fromEntries(msiTable(a.path, "CustomAction").map((r) => [r.Action, r]));
    expect(actions.FirstInstallCheck).toMatchObject({ Source: "FRESHFOLDER_ARG", Target: "--fresh-folder" });
    expect(actions.RegisterService!.Target).toContain("[FRESHFOLDER_ARG]");
    const seq = Object.fromEntries(msiTable(a.path, "InstallExecuteSequence").map((r) => [r.Action, r]));
    expect(seq.FirstInstallCheck!.Condition).toBe("NOT Installed AND NOT WIX_UPGRADE_DETECTED AND NOT ADOPTFOLDER");
    expect(Number(seq.FirstInstallCheck!.Sequence)).toBeGreaterThan(Number(seq.FindRelatedProducts!.Sequence));
  });

  test("the service is stopped (and waited for) before steward.exe is replaced or removed; no ServiceInstall of its own", () => {
    const [control] = msiTable(a.path, "ServiceControl");
    // msidbServiceControlEventStop (2) | msidbServiceControlEventUninstallStop (32)
    expect(control).toMatchObject({ Name: "Steward", Event: "34", Wait: "1", Component_: "StewardExe" });
    expect(msiTable(a.path, "ServiceInstall")).toEqual([]);
  });

  test("the custom actions: deferred, as SYSTEM, register after the files and unregister before they go (not on an upgrade)", () => {
    const actions = Object.fromEntries(msiTable(a.path, "CustomAction").map((r) => [r.Action, r]));
    const register = Number(actions.RegisterService!.Type);
    expect(register & 0x3f).toBe(18); // an exe from the installed File table
    expect(register & 0x400).toBe(0x400); // deferred (in-script)
    expect(register & 0x800).toBe(0x800); // no impersonation: runs as LocalSystem
    expect(register & 0x2000).toBe(0x2000); // HideTarget: SERVICEPASSWORD stays out of the log
    expect(Number(actions.UnregisterService!.Type) & 0x40).toBe(0x40); // an uninstall goes on if it fails
    const seq = Object.fromEntries(msiTable(a.path, "InstallExecuteSequence").map((r) => [r.Action, r]));
    const at = (name: string) => Number(seq[name]!.Sequence);
    expect(at("RegisterService")).toBeGreaterThan(at("InstallFiles"));
    expect(at("RegisterService")).toBeGreaterThan(at("WriteRegistryValues"));
    expect(seq.RegisterService!.Condition).toBe('NOT REMOVE~="ALL"');
    expect(at("UnregisterService")).toBeGreaterThan(at("StopServices"));
    expect(at("UnregisterService")).toBeLessThan(at("RemoveFiles"));
    expect(seq.UnregisterService!.Condition).toBe('REMOVE~="ALL" AND NOT UPGRADINGPRODUCTCODE');
    // A value given on the command line wins over the remembered one: saved before AppSearch, restored after.
    expect(at("SaveConfigArg")).toBeLessThan(at("AppSearch"));
    expect(at("RestoreConfigArg")).toBeGreaterThan(at("AppSearch"));
    expect(at("DefaultConfig")).toBeGreaterThan(at("RestoreConfigArg"));
    expect(actions.DefaultConfig).toMatchObject({ Source: "CONFIG", Target: "[CommonAppDataFolder]Steward\\steward.yaml" });
  });

  test("the commands the custom actions run are accepted by this steward (no drift between installer/steward.wxs and the CLI)", async () => {
    const actions = Object.fromEntries(msiTable(a.path, "CustomAction").map((r) => [r.Action, r.Target!]));
    const cfg = join(tmp.path, "cli-check/steward.yaml");
    mkdirSync(join(tmp.path, "cli-check"), { recursive: true });
    writeFileSync(cfg, "http: { host: 127.0.0.1, port: 8443 }\n");
    const values: Record<string, string> = {
      CONFIG: cfg,
      SERVICEACCOUNT: "",
      SERVICEPASSWORD: "",
      FIREWALL: "udp,rest",
      FIREWALLREMOTE: "10.0.0.0/24",
      PROGRAMDATADIR: `${join(tmp.path, "cli-check")}/`,
      FRESHFOLDER_ARG: "",
    };
    const argv = (target: string) =>
      [...target.replace(/\[(\w+)\]/g, (_m, p: string) => values[p] ?? `[${p}]`).matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
    const notInstalled: CommandRunner = async () => ({
      code: 1060,
      stdout: "The specified service does not exist as an installed service.",
      stderr: "",
      timedOut: false,
    });
    const out: string[] = [];
    // main.ts hands `steward service …` to serviceCommand without the word "service".
    const run = (target: string) => {
      const [command, ...rest] = argv(target);
      expect(command).toBe("service");
      return serviceCommand([...rest, "--dry-run", "--platform", "windows"], { out: (s) => out.push(s), run: notInstalled, self: [EXE] });
    };
    expect(await run(actions.RegisterService!)).toBe(0);
    const plan = out.join("\n");
    expect(plan).toContain(`sc.exe create Steward binPath= "\\"${EXE}\\" service run --config ${cfg} --name Steward" start= auto`);
    expect(plan).toContain('obj= "NT AUTHORITY\\LocalService"');
    expect(plan).toContain("sc.exe failure Steward reset= 86400 actions= restart/5000/restart/30000/restart/60000");
    expect(plan).toContain(
      `"name=Steward UDP intake" dir=in action=allow protocol=UDP localport=9998 "program=${EXE}" enable=yes profile=any remoteip=10.0.0.0/24`,
    );
    expect(plan).toContain("protocol=TCP localport=8443");
    expect(plan).toContain("sc.exe start Steward");
    out.length = 0;
    expect(await run(actions.UnregisterService!)).toBe(0);
    expect(out.join("\n")).toContain("sc.exe delete Steward");
    expect(readFileSync(join(tmp.path, "cli-check/installer.log"), "utf8")).toContain("service uninstall --name Steward");
  });
});

describe.skipIf(!haveWine)("the MSI under Wine: install, upgrade, uninstall", () => {
  let a: BuiltMsi;
  let b: BuiltMsi;
  let port = 0;
  let siteConfig = "";

  let msiRuns = 0;
  /**
   * msiexec /qn says nothing but its exit code: each run keeps a verbose log, and a run that does not exit 0 prints
   * the log's end (once, beside busy loops, an install exited 91 after 1.5 s with no other trace).
   */
  const msiexec = async (args: string[]) => {
    let log = `C:\\StewardMsiLogs\\msiexec-${++msiRuns}.log`;
    mkdirSync(hostPath("C:\\StewardMsiLogs"), { recursive: true });
    let r = await runUnderWine("msiexec", [...args, "/l*v", log], { prefix: INSTALLER_PREFIX, timeoutMs: 180_000 });
    if (r.code !== 0 && !existsSync(hostPath(log))) {
      // Once in a full run an msiexec exited 1 having written no log at all: Windows Installer never began (nothing
      // installed, no custom action ran), so Wine's start of it is tried once more, and both tries are printed.
      console.error(
        `msiexec ${args.join(" ")} exited ${r.code} before Windows Installer wrote its log; tried once more. stderr: ${r.stderr.trim().slice(-2_000)}`,
      );
      log = `C:\\StewardMsiLogs\\msiexec-${++msiRuns}.log`;
      r = await runUnderWine("msiexec", [...args, "/l*v", log], { prefix: INSTALLER_PREFIX, timeoutMs: 180_000 });
    }
    if (r.code !== 0) {
      const text = existsSync(hostPath(log))
        ? readFileSync(hostPath(log)).toString("utf8").replaceAll("\0", "")
        : `(no log written; stderr: ${r.stderr.trim().slice(-2_000)})`;
      // Wine passes on the low byte of Windows Installer's code: 67 is 1603 (fatal error), 91 is 1627 (function failed).
      const ours = existsSync(hostPath(INSTALLER_LOG)) ? readFileSync(hostPath(INSTALLER_LOG), "utf8").split("== ").at(-1) : "(none)";
      console.error(
        `msiexec ${args.join(" ")} exited ${r.code}; the end of ${log}:\n${text.split(/\r?\n/).slice(-60).join("\n")}\nthe custom actions' last entry in installer.log:\n${ours}`,
      );
    }
    return r.code;
  };
  const service = () => wineRegistryKey(SERVICE_KEY);
  const healthVersion = (p: number, version: string) =>
    waitFor(
      async () => {
        const r = await fetch(`http://127.0.0.1:${p}/health`, { signal: AbortSignal.timeout(2000) });
        const body = (await r.json()) as { version?: string };
        return body.version === version ? body : undefined;
      },
      { what: `Steward ${version} answering /health on port ${p}`, timeoutMs: 60_000, intervalMs: 250 },
    );
  const installedVersion = async () => (await runUnderWine(EXE, ["version"], { prefix: INSTALLER_PREFIX })).stdout.trim();
  /** The versions of Steward that Add/Remove Programs lists, read key by key (a key's values in any order). */
  const listedProducts = async () => {
    const r = await runUnderWine("reg.exe", ["query", "HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall", "/s"], { prefix: INSTALLER_PREFIX });
    if (r.code !== 0) throw new Error(`reg query of the Uninstall key exited ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
    const keys = r.stdout.split(/^(?=HKEY_)/m);
    const value = (key: string, name: string) => new RegExp(`^\\s+${name}\\s+REG_SZ\\s+(.*?)\\s*$`, "m").exec(key)?.[1];
    return {
      versions: keys.filter((k) => value(k, "DisplayName") === "Steward").map((k) => value(k, "DisplayVersion") ?? "(no DisplayVersion)"),
      raw: r.stdout,
    };
  };
  /**
   * What Add/Remove Programs settles on. Once in CI, right after an upgrade that exited 0 with the new version running,
   * the listing named no Steward at all (the cause was not found: only the empty list was printed). The settled state
   * is what is asserted, so it is read again for a while, and a failure prints what reg.exe listed.
   */
  const products = async (expected: string[]) => {
    let last = await listedProducts();
    try {
      await waitFor(async () => ((last = await listedProducts()), JSON.stringify(last.versions) === JSON.stringify(expected)), {
        what: `Add/Remove Programs listing Steward ${JSON.stringify(expected)}`,
        timeoutMs: 30_000,
        intervalMs: 1_000,
      });
    } catch {
      throw new Error(
        `Add/Remove Programs lists Steward ${JSON.stringify(last.versions)}, not ${JSON.stringify(expected)}; reg query printed:\n${last.raw.slice(-3000)}`,
      );
    }
    return last.versions;
  };

  beforeAll(async () => {
    const [msis] = await Promise.all([buildBoth(), prepareInstallerPrefix()]);
    ({ a, b } = msis);
    port = await freeTcpPort();
    // The site's config, put in place before the install as a deployment tool would; loopback port, no UDP intake.
    siteConfig = `# site config\r\ndataDir: ./data\r\nhttp: { host: 127.0.0.1, port: ${port} }\r\nudp: { enabled: false }\r\n`;
    mkdirSync(hostPath("C:\\StewardTest"), { recursive: true });
    writeFileSync(hostPath(SITE_CONFIG), siteConfig);
  }, wallLimit(400_000));

  afterAll(async () => {
    // Leave the prefix without Steward so the next run reuses it (an interrupted run makes the next one start over).
    for (const m of [b, a]) if (m) await msiexec(["/x", winPath(m.path), "/qn"]).catch(() => undefined);
    await releaseInstallerPrefix().catch(() => undefined);
    for (const p of ["C:\\StewardTest", "C:\\ProgramData\\Steward"]) rmSync(hostPath(p), { recursive: true, force: true });
  }, wallLimit(300_000));

  test(
    "msiexec /i /qn with CONFIG, SERVICEACCOUNT and FIREWALL installs steward.exe, creates %ProgramData%\\Steward, registers and starts the service",
    async () => {
      expect(existsSync(hostPath("C:\\ProgramData\\Steward"))).toBe(false);
      expect(await msiexec(["/i", winPath(a.path), "/qn", `CONFIG=${SITE_CONFIG}`, "SERVICEACCOUNT=LocalSystem", "FIREWALL=udp,rest"])).toBe(0);

      expect(await installedVersion()).toBe(EXE_VERSION_A);
      expect(existsSync(hostPath("C:\\ProgramData\\Steward"))).toBe(true);
      expect(await service()).toMatchObject({
        ImagePath: `"${EXE}" service run --config ${SITE_CONFIG} --name Steward`,
        Start: 2, // automatic
        Type: 0x10, // own process
        ObjectName: "LocalSystem",
        DisplayName: "Steward (Steward)",
      });
      await healthVersion(port, EXE_VERSION_A);
      expect(readFileSync(hostPath(SITE_CONFIG), "utf8")).toBe(siteConfig);
      expect(existsSync(hostPath("C:\\StewardTest\\data\\logs\\steward.log"))).toBe(true);
      expect(await wineRegistryKey("HKLM\\Software\\Steward")).toMatchObject({ Config: SITE_CONFIG, ServiceAccount: "LocalSystem", Firewall: "udp,rest" });

      const log = readFileSync(hostPath(INSTALLER_LOG), "utf8");
      expect(log).toContain(`steward ${EXE_VERSION_A}: service install --name Steward`);
      expect(log).toContain(`ok   keep the existing config: ${SITE_CONFIG}`);
      expect(log).toContain("ok   register the service (automatic start)");
      expect(log).toContain("ok   restart after 5 s, 30 s, 60 s when it fails (counter reset after a day)");
      // Wine's icacls takes the command; what rights result is not checked here (see the header).
      expect(log).toContain("ok   restrict C:\\ProgramData\\Steward to Administrators and SYSTEM");
      // Wine's netsh does nothing and says ok; on Windows these are real rules (see the header).
      expect(log).toContain(`ok   allow TCP port ${port} in (REST API) for steward.exe`);
      expect(log).toContain("Firewall: no rule for the UDP intake: udp.enabled is false in the config.");
      expect(log).toContain("ok   start it");
      expect(log).toContain("Steward: RUNNING");
    },
    wallLimit(300_000),
  );

  test(
    "a newer MSI, given no properties, upgrades in place: new steward.exe running, same config and account (remembered), one product",
    async () => {
      expect(await msiexec(["/i", winPath(b.path), "/qn"])).toBe(0);

      expect(await installedVersion()).toBe(VERSION_B);
      await healthVersion(port, VERSION_B);
      expect(await service()).toMatchObject({ ImagePath: `"${EXE}" service run --config ${SITE_CONFIG} --name Steward`, Start: 2, ObjectName: "LocalSystem" });
      expect(readFileSync(hostPath(SITE_CONFIG), "utf8")).toBe(siteConfig);
      expect(await products([VERSION_B])).toEqual([VERSION_B]);
      const log = readFileSync(hostPath(INSTALLER_LOG), "utf8");
      expect(log).toContain(`steward ${VERSION_B}: service install --name Steward`);
      // Under Wine the old package removed the service first (no UPGRADINGPRODUCTCODE), so it was registered
      // again; Windows keeps it and says "update the existing service".
      expect(log.split(`steward ${VERSION_B}: service install`)[1]).toMatch(/ok {3}(register|update) the (existing )?service/);
    },
    wallLimit(300_000),
  );

  test(
    "the older MSI is refused while the newer one is installed, which keeps running",
    async () => {
      expect(await msiexec(["/i", winPath(a.path), "/qn"])).not.toBe(0);
      expect(await products([VERSION_B])).toEqual([VERSION_B]);
      expect(await installedVersion()).toBe(VERSION_B);
      await healthVersion(port, VERSION_B);
    },
    wallLimit(300_000),
  );

  test(
    "uninstall stops and removes the service and steward.exe, keeps the config and the data",
    async () => {
      expect(await msiexec(["/x", winPath(b.path), "/qn"])).toBe(0);

      expect(await service()).toBeUndefined();
      await expect(fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(3000) })).rejects.toThrow();
      expect(existsSync(hostPath(EXE))).toBe(false);
      expect(await products([])).toEqual([]);
      expect(await wineRegistryKey("HKLM\\Software\\Steward")).toBeUndefined();
      expect(readFileSync(hostPath(SITE_CONFIG), "utf8")).toBe(siteConfig);
      expect(existsSync(hostPath("C:\\StewardTest\\data\\logs\\steward.log"))).toBe(true);
      const last = readFileSync(hostPath(INSTALLER_LOG), "utf8").split("== ").at(-1)!;
      expect(last).toContain(`steward ${VERSION_B}: service uninstall --name Steward`);
      expect(last).toContain("ok   remove the service");
      expect(last).toContain("exit 0");
    },
    wallLimit(300_000),
  );

  test(
    "a first install into a %ProgramData%\\Steward holding files it did not make (a planted steward.env) is refused and rolled back",
    async () => {
      writeFileSync(hostPath("C:\\ProgramData\\Steward\\steward.env"), "STEWARD_HTTP__HOST=0.0.0.0\r\nSTEWARD_SECURITY__ALLOW_UNAUTHENTICATED=true\r\n");
      writeFileSync(hostPath(DEFAULT_CONFIG), "udp: { enabled: false }\r\n");
      expect(await msiexec(["/i", winPath(a.path), "/qn"])).not.toBe(0);
      expect(await service()).toBeUndefined();
      expect(await products([])).toEqual([]);
      expect(existsSync(hostPath(EXE))).toBe(false);
      const last = readFileSync(hostPath(INSTALLER_LOG), "utf8").split("== ").at(-1)!;
      expect(last).toContain("service install: refused: C:\\ProgramData\\Steward already holds files this install did not create");
      expect(last).toContain("steward.env");
      rmSync(hostPath("C:\\ProgramData\\Steward\\steward.env"));
    },
    wallLimit(300_000),
  );

  test(
    "with no properties the service reads %ProgramData%\\Steward\\steward.yaml as LocalService; a config put there first is kept with ADOPTFOLDER=1",
    async () => {
      const port2 = await freeTcpPort();
      const placed = `http: { host: 127.0.0.1, port: ${port2} }\r\nudp: { enabled: false }\r\n`;
      writeFileSync(hostPath(DEFAULT_CONFIG), placed);
      expect(await msiexec(["/i", winPath(a.path), "/qn", "ADOPTFOLDER=1"])).toBe(0);

      expect(await service()).toMatchObject({
        ImagePath: `"${EXE}" service run --config ${DEFAULT_CONFIG} --name Steward`,
        Start: 2,
        ObjectName: "NT AUTHORITY\\LocalService",
      });
      await healthVersion(port2, EXE_VERSION_A);
      expect(readFileSync(hostPath(DEFAULT_CONFIG), "utf8")).toBe(placed);
      expect(existsSync(hostPath("C:\\ProgramData\\Steward\\data"))).toBe(true);
      expect(await wineRegistryKey("HKLM\\Software\\Steward")).toMatchObject({ Config: DEFAULT_CONFIG, ServiceAccount: "" });

      expect(await msiexec(["/x", winPath(a.path), "/qn"])).toBe(0);
      expect(await service()).toBeUndefined();
      expect(readFileSync(hostPath(DEFAULT_CONFIG), "utf8")).toBe(placed);
    },
    wallLimit(300_000),
  );

  test(
    "a config the service refuses to start with: the install stands, installer.log says it stopped and where to look",
    async () => {
      // REST on a network address without authentication: valid YAML, refused at start.
      writeFileSync(
        hostPath("C:\\StewardTest\\refused.yaml"),
        `dataDir: ./refused-data\r\nhttp: { host: 0.0.0.0, port: ${port} }\r\nudp: { enabled: false }\r\n`,
      );
      expect(await msiexec(["/i", winPath(a.path), "/qn", "CONFIG=C:\\StewardTest\\refused.yaml", "ADOPTFOLDER=1"])).toBe(0);
      const last = readFileSync(hostPath(INSTALLER_LOG), "utf8").split("== ").at(-1)!;
      // Whether Wine's sc.exe start saw it running before it stopped is a race (under load it reports a failed start,
      // without output): either way the install stands and says the same.
      expect(last).toMatch(/^(ok {3}start it|warn start it: it stopped again during its start \(sc\.exe: exit 1, no output\))\r?$/m);
      expect(last).toContain(
        "warning: Steward did not keep running (STOPPED); C:\\StewardTest\\refused-data\\logs\\steward.log and the Application event log say why.",
      );
      expect(last).toContain("exit 0");
      expect(readFileSync(hostPath("C:\\StewardTest\\refused-data\\logs\\steward.log"), "utf8")).toContain(
        "refusing to serve the REST API on 0.0.0.0 without authentication",
      );
      expect(await msiexec(["/x", winPath(a.path), "/qn"])).toBe(0);
      expect(await service()).toBeUndefined();
    },
    wallLimit(300_000),
  );
});
