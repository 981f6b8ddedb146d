// Service installation plans: the hardened systemd unit (checked with systemd-analyze verify and its offline
// security score when available), the sc.exe/reg.exe/icacls commands for Windows, the plan runner, and the
// CLI's dry run and root check.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { installPlan, readPathsOf, serviceCommand, writablePathsOf } from "../../../../src/show/cli/service";
import { UsageError } from "../../../../src/show/cli/usage";
import { parseConfigText } from "../../../../src/composition/config";
import type { CommandRunner } from "../../../../src/watch/services/command-runner";
import { describePlan, executePlan, type Plan } from "../../../../src/watch/services/install/plan";
import { systemdArg, systemdInstallPlan, systemdUnit } from "../../../../src/watch/services/install/systemd-plan";
import { windowsCommandLine, windowsInstallPlan, windowsUninstallPlan } from "../../../../src/watch/services/install/windows-plan";
import { createTempDir } from "../../../helpers/temp-dir";

const tmp = createTempDir();
afterAll(() => tmp.remove());

const loaded = (yaml: string, dir = "/etc/steward") => ({ ...parseConfigText(yaml, "steward.yaml", dir), file: `${dir}/steward.yaml` });
const unitOptions = {
  name: "steward",
  command: [process.execPath, "run", "--config", "/etc/steward/steward.yaml"],
  configPath: "/etc/steward/steward.yaml",
  workingDirectory: "/etc/steward",
  environmentFile: "/etc/steward/steward.env",
  dataDir: "/var/lib/steward",
  writablePaths: ["/srv/qlik/out"],
  user: "steward",
  createUser: true,
  httpPort: 8080,
  start: false,
};

describe("systemd unit", () => {
  test("hardening directives, writable folders, reload on SIGHUP", () => {
    const unit = systemdUnit(unitOptions);
    for (const line of [
      "NoNewPrivileges=yes",
      "ProtectSystem=strict",
      "ReadWritePaths=/var/lib/steward -/srv/qlik/out",
      "ProtectHome=yes",
      "PrivateTmp=yes",
      "CapabilityBoundingSet=",
      "User=steward",
      "ExecReload=/bin/kill -HUP $MAINPID",
      "EnvironmentFile=-/etc/steward/steward.env",
      "Restart=on-failure",
      "WantedBy=multi-user.target",
    ]) {
      expect(unit).toContain(`\n${line}\n`);
    }
    expect(unit).not.toContain("MemoryDenyWriteExecute=yes");
  });

  test("a config under /home keeps homes readable (ProtectHome=yes would hide it from the service)", () => {
    const unit = systemdUnit({ ...unitOptions, configPath: "/home/qlik/steward.yaml", environmentFile: "/home/qlik/steward.env" });
    expect(unit).toContain("\nProtectHome=read-only\n");
    expect(unit).not.toContain("\nProtectHome=yes\n");
  });

  test("a config, secrets file or folder under /tmp is warned about before anything is installed (PrivateTmp=yes)", () => {
    const plan = systemdInstallPlan({
      ...unitOptions,
      configPath: "/tmp/try/steward.yaml",
      environmentFile: "/tmp/try/steward.env",
      writablePaths: ["/var/tmp/out"],
    });
    const warnings = plan.notes.filter((n) => n.startsWith("warning: "));
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toContain("the config /tmp/try/steward.yaml is under /tmp or /var/tmp, which the service cannot see");
    expect(warnings.join("\n")).toContain("/var/tmp/out");
    expect(systemdInstallPlan(unitOptions).notes.some((n) => n.startsWith("warning: "))).toBe(false);
  });

  test("a privileged port gets CAP_NET_BIND_SERVICE; folders under /home keep homes read-only", () => {
    const unit = systemdUnit({ ...unitOptions, httpPort: 443, writablePaths: ["/home/qlik/out dir"] });
    expect(unit).toContain("\nCapabilityBoundingSet=CAP_NET_BIND_SERVICE\n");
    expect(unit).toContain("\nProtectHome=read-only\n");
    expect(unit).toContain('ReadWritePaths=/var/lib/steward "-/home/qlik/out dir"');
  });

  test("ExecStart quoting: spaces, % and $", () => {
    expect(systemdArg("/opt/steward/steward")).toBe("/opt/steward/steward");
    expect(systemdArg("/etc/my steward/a.yaml")).toBe('"/etc/my steward/a.yaml"');
    expect(systemdArg("100%$x")).toBe("100%%$$x");
  });

  const analyze = Bun.which("systemd-analyze");
  test.skipIf(!analyze)("systemd-analyze verify accepts it; its offline exposure score is 1.6 or better", () => {
    const path = join(tmp.path, "steward-verify.service");
    writeFileSync(path, systemdUnit({ ...unitOptions, dataDir: tmp.path, writablePaths: [] }));
    const v = Bun.spawnSync([analyze!, "verify", "--man=no", path], { stderr: "pipe", stdout: "pipe", timeout: 60_000 });
    const complaints = v.stderr
      .toString()
      .split("\n")
      .filter((l) => /steward-verify\.service/.test(l));
    expect({ code: v.exitCode, complaints }).toEqual({ code: 0, complaints: [] });
    const s = Bun.spawnSync([analyze!, "security", "--offline=true", path], { stderr: "pipe", stdout: "pipe", timeout: 60_000 });
    const score = Number(/Overall exposure level for \S+: ([\d.]+)/.exec(s.stdout.toString() + s.stderr.toString())?.[1]);
    expect(score).toBeLessThanOrEqual(1.6);
  });

  test.skipIf(!analyze)("a config folder with a space and a % passes systemd-analyze verify (WorkingDirectory=, EnvironmentFile=, ReadWritePaths=)", () => {
    const dir = join(tmp.path, "Qlik 100% Steward");
    mkdirSync(join(dir, "data"), { recursive: true });
    const path = join(tmp.path, "steward-space.service");
    const unit = systemdUnit({
      ...unitOptions,
      command: [process.execPath, "run", "--config", join(dir, "steward.yaml")],
      configPath: join(dir, "steward.yaml"),
      workingDirectory: dir,
      environmentFile: join(dir, "steward.env"),
      dataDir: join(dir, "data"),
      writablePaths: [],
    });
    expect(unit).toContain(`\nWorkingDirectory=${dir.replace("%", "%%")}\n`);
    expect(unit).toContain(`\nEnvironmentFile=-${join(dir, "steward.env").replace("%", "%%")}\n`);
    writeFileSync(path, unit);
    const v = Bun.spawnSync([analyze!, "verify", "--man=no", path], { stderr: "pipe", stdout: "pipe", timeout: 60_000 });
    const complaints = v.stderr
      .toString()
      .split("\n")
      .filter((l) => /steward-space\.service/.test(l));
    expect({ code: v.exitCode, complaints }).toEqual({ code: 0, complaints: [] });
  });

  test("a copy source folder is read by the service: under /home it keeps homes visible, under /tmp it is warned about", () => {
    const l = loaded("files:\n  copy: [{ from: /home/qlik/in, to: /srv/out }, { from: ./in, to: /srv/out }]\n", "/etc/steward");
    expect(readPathsOf(l)).toEqual(["/home/qlik/in", "/etc/steward/in"]);
    const unit = installPlan("linux", l, { name: "steward", self: ["/usr/local/bin/steward"], user: "steward", createUser: false, start: false }).steps.find(
      (s) => s.kind === "write",
    );
    expect(unit?.kind === "write" ? unit.content : "").toContain("\nProtectHome=read-only\n");
    const plan = systemdInstallPlan({ ...unitOptions, readPaths: ["/tmp/in"] });
    expect(plan.notes.filter((n) => n.startsWith("warning: "))).toEqual([
      "warning: a file-copy source folder /tmp/in is under /tmp or /var/tmp, which the service cannot see (the unit sets PrivateTmp=yes): move it, e.g. the config to /etc/steward/steward.yaml and the data to /var/lib/steward",
    ]);
  });

  test("the writable folders come from files: (move sources too), resolved against the config folder", () => {
    const l = loaded(
      "files:\n  copy: [{ from: ./in, to: ./out }]\n  move: [{ from: /srv/a, to: /srv/b }]\n  delete: [./out]\n  qvdRoot: /qvd\n",
      "/etc/steward",
    );
    expect(writablePathsOf(l).sort()).toEqual(["/etc/steward/out", "/qvd", "/srv/a", "/srv/b"]);
  });
});

describe("Windows plan", () => {
  const base = {
    name: "Steward",
    command: ["C:\\Program Files\\Steward\\steward.exe", "service", "run", "--config", "C:\\Steward\\steward.yaml", "--name", "Steward"],
    configPath: "C:\\Steward\\steward.yaml",
    envFile: "C:\\Steward\\steward.env",
    dataDir: "C:\\Steward\\data",
    start: false,
  };

  test("sc create with automatic start, the service command line, the account; recovery actions; event source", () => {
    const plan = windowsInstallPlan({ ...base, account: "NT AUTHORITY\\LocalService" });
    const argvs = plan.steps.flatMap((s) => (s.kind === "run" ? [s.argv] : []));
    expect(argvs[0]).toEqual([
      "sc.exe",
      "create",
      "Steward",
      "binPath=",
      '"C:\\Program Files\\Steward\\steward.exe" service run --config C:\\Steward\\steward.yaml --name Steward',
      "start=",
      "auto",
      "DisplayName=",
      "Steward (Steward)",
      "obj=",
      "NT AUTHORITY\\LocalService",
      "password=",
      "",
    ]);
    expect(argvs).toContainEqual(["sc.exe", "failure", "Steward", "reset=", "86400", "actions=", "restart/5000/restart/30000/restart/60000"]);
    expect(argvs.some((a) => a[0] === "reg.exe" && a.includes("EventMessageFile"))).toBe(true);
    expect(argvs).toContainEqual(["icacls.exe", "C:\\Steward\\data", "/grant", "NT AUTHORITY\\LocalService:(OI)(CI)M"]);
  });

  test("LocalSystem needs no obj=, a password is never printed, a gMSA is named as such", () => {
    const sys = windowsInstallPlan({ ...base, account: "LocalSystem" });
    expect(sys.steps[0]!.kind === "run" && sys.steps[0]!.argv.includes("obj=")).toBe(false);
    const withPw = windowsInstallPlan({ ...base, account: "CORP\\svc_qlik", password: "hunter2hunter2" });
    expect(describePlan(withPw, true)).not.toContain("hunter2");
    expect(withPw.steps[0]!.kind === "run" && withPw.steps[0]!.argv.at(-1)).toBe("hunter2hunter2");
    expect(windowsInstallPlan({ ...base, account: "CORP\\steward$" }).notes.join(" ")).toContain("group managed service account");
  });

  test("command-line quoting for binPath", () => {
    expect(windowsCommandLine(["C:\\a b\\s.exe", "run", 'x"y', ""])).toBe('"C:\\a b\\s.exe" run "x\\"y" ""');
  });

  test("uninstall stops and waits (may fail), deletes, removes the event source and both firewall rules", () => {
    expect(windowsUninstallPlan("Steward").steps.map((s) => (s.kind === "run" ? `${s.argv.slice(0, 3).join(" ")}${s.optional ? " ?" : ""}` : ""))).toEqual([
      "net.exe stop Steward ?",
      "sc.exe delete Steward",
      "reg.exe delete HKLM\\SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\Steward ?",
      "netsh.exe advfirewall firewall ?",
      "netsh.exe advfirewall firewall ?",
    ]);
    expect(
      windowsUninstallPlan("Steward")
        .steps.slice(3)
        .map((s) => s.kind === "run" && s.argv.slice(3).join(" ")),
    ).toEqual(["delete rule name=Steward UDP intake", "delete rule name=Steward REST API"]);
  });
});

describe("plan runner and CLI", () => {
  const recorder = (failOn?: string) => {
    const calls: string[] = [];
    const run: CommandRunner = async (file, args) => {
      calls.push([file, ...args].join(" "));
      const fail = failOn !== undefined && `${file} ${args.join(" ")}`.includes(failOn);
      return { code: fail ? 1 : 0, stdout: "", stderr: fail ? "boom" : "", timedOut: false };
    };
    return { run, calls };
  };

  test("steps run in order; an optional failure continues, a required one stops", async () => {
    const plan: Plan = {
      steps: [
        { kind: "run", why: "a", argv: ["x", "1"] },
        { kind: "run", why: "b", argv: ["x", "2"], optional: true },
        { kind: "write", why: "c", path: join(tmp.path, "unit/steward.service"), content: "[Unit]\n" },
        { kind: "run", why: "d", argv: ["x", "3"] },
        { kind: "run", why: "e", argv: ["x", "4"] },
      ],
      notes: [],
    };
    const r = recorder("x 2");
    expect(await executePlan(plan, r.run, () => {})).toBe(true);
    expect(r.calls).toEqual(["x 1", "x 2", "x 3", "x 4"]);
    expect(await Bun.file(join(tmp.path, "unit/steward.service")).text()).toBe("[Unit]\n");
    const r2 = recorder("x 3");
    expect(await executePlan(plan, r2.run, () => {})).toBe(false);
    expect(r2.calls).toEqual(["x 1", "x 2", "x 3"]);
  });

  test("install --dry-run prints the unit and runs nothing; without root it refuses", async () => {
    const cfg = join(tmp.path, "steward.yaml");
    writeFileSync(cfg, "dataDir: ./data\n");
    const out: string[] = [];
    const r = recorder();
    expect(
      await serviceCommand(["install", "--config", cfg, "--dry-run", "--platform", "linux"], {
        out: (s) => out.push(s),
        run: r.run,
        self: ["/opt/steward/steward"],
      }),
    ).toBe(0);
    expect(r.calls).toEqual([]);
    expect(out.join("\n")).toContain(`ExecStart=/opt/steward/steward run --config ${cfg}`);
    expect(out.join("\n")).toContain(`ReadWritePaths=${tmp.path}/data`);
    expect(out.join("\n")).toContain(`EnvironmentFile=-${tmp.path}/steward.env`);
    await expect(
      serviceCommand(["install", "--config", cfg, "--platform", "linux"], { out: () => {}, run: r.run, self: ["/opt/steward/steward"], isRoot: () => false }),
    ).rejects.toThrow(UsageError);
  });

  test("install on Windows runs the plan through the runner and stops at the first failure", async () => {
    const cfg = join(tmp.path, "steward.yaml");
    writeFileSync(cfg, "dataDir: ./data\n");
    const out: string[] = [];
    const r = recorder("sc.exe create");
    expect(
      await serviceCommand(["install", "--config", cfg, "--platform", "windows"], { out: (s) => out.push(s), run: r.run, self: ["C:\\Steward\\steward.exe"] }),
    ).toBe(1);
    expect(r.calls).toHaveLength(1);
    expect(out.join("\n")).toContain("FAIL register the service");
    expect(out.join("\n")).toContain("elevated prompt");
  });

  test("installPlan on Windows runs `service run` with the absolute config and the name", () => {
    const plan = installPlan("windows", loaded("", "C:/Steward"), {
      name: "StewardProd",
      self: ["C:\\Steward\\steward.exe"],
      user: "steward",
      createUser: false,
      start: true,
    });
    const create = plan.steps[0]!;
    expect(create.kind === "run" && create.argv[4]).toBe("C:\\Steward\\steward.exe service run --config C:/Steward/steward.yaml --name StewardProd");
    expect(plan.steps.at(-1)).toMatchObject({ kind: "run", argv: ["sc.exe", "start", "StewardProd"] });
    // Windows services have no EnvironmentFile=: the notes say where `service run` finds ${env:…} secrets.
    expect(plan.notes.join("\n")).toContain("put NAME=value lines into C:/Steward/steward.env");
  });
});
