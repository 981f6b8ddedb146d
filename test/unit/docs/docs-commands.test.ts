// Every command the docs show exists: `steward …` against the command line's own table (src/show/cli/commands.ts),
// `npm run …` against package.json's scripts, `bun scripts/…` against the scripts folder.
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CLI_COMMANDS, unknownCommand } from "../../../src/show/cli/commands";
import { codeBlocks, docFiles, inlineCode, read, rel, REPO_ROOT } from "./markdown";

const SCRIPTS = (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;

interface Shown {
  command: string;
  where: string;
}

/** The commands a page shows: lines of its shell-like code blocks, and inline code that starts like a command. */
export function commandsShown(text: string, name: string): Shown[] {
  const out: Shown[] = [];
  for (const b of codeBlocks(text)) {
    if (!/^(sh|bash|bat|cmd|powershell|ps1|console|)$/.test(b.info.split(/\s/)[0] ?? "")) continue;
    b.body.split("\n").forEach((l, i) => out.push({ command: l, where: `${name}:${b.line + 1 + i}` }));
  }
  for (const c of inlineCode(text)) out.push({ command: c.code, where: `${name}:${c.line}` });
  return out.flatMap((s) => {
    const command = commandOf(s.command);
    return command ? [{ command, where: s.where }] : [];
  });
}

/** The command at the start of a line, without a prompt, `sudo`, `cd … &&` or variable assignments; else undefined. */
function commandOf(line: string): string | undefined {
  let l = line.trim().replace(/^(\$|>|PS [^>]*>)\s+/, "");
  l = l.replace(/^cd\s+\S+\s*&&\s*/, "");
  l = l.replace(/^(sudo\s+)?(\w+=\S+\s+)*/, "").replace(/^sudo\s+/, "");
  return /^(\S*[\\/])?steward(\.exe)?\s|^npm (run|start|test)\b|^bun scripts\//.test(l) ? l : undefined;
}

/** Why a shown command does not exist, or undefined. */
export function problemWith(command: string): string | undefined {
  const words = command.split(/\s+/).filter((w) => !w.startsWith("#") && w !== "REM");
  const first = words[0]!;
  if (words.slice(1, 3).some((w) => w.includes("…"))) return undefined; // "npm run …": a placeholder in prose
  if (first === "npm") {
    if (words[1] === "test" || words[1] === "start") return SCRIPTS[words[1]] ? undefined : `package.json has no "${words[1]}" script`;
    return SCRIPTS[words[2] ?? ""] ? undefined : `package.json has no script "${words[2]}"`;
  }
  if (first === "bun") return existsSync(join(REPO_ROOT, words[1]!)) ? undefined : `${words[1]} does not exist`;
  // steward, steward.exe, ./steward, C:\Steward\steward.exe …
  const args = words.slice(1).filter((w) => !/^[…<]/.test(w) && w !== "...");
  const [cmd, sub] = args;
  if (cmd === undefined || cmd.startsWith("-") || cmd === "help") return undefined;
  for (const alternative of (sub ?? "").split("|")) {
    const why = unknownCommand(alternative ? [cmd, alternative] : [cmd]);
    if (why !== undefined) return why;
  }
  return undefined;
}

describe("commands shown in the docs", () => {
  test("the checker finds commands and catches ones that do not exist", () => {
    const page =
      "Run `steward config check steward.yaml`.\n\n```bat\nC:\\Steward\\steward.exe service install --config x\nsudo ./steward frobnicate\n```\n\n```yaml\nsteward: no\n```";
    const shown = commandsShown(page, "page.md").map((s) => s.command);
    expect(shown).toEqual(["C:\\Steward\\steward.exe service install --config x", "./steward frobnicate", "steward config check steward.yaml"]);
    expect(problemWith("steward config check x")).toBeUndefined();
    expect(problemWith("steward alert preview|test")).toBeUndefined();
    expect(problemWith("steward frobnicate")).toBe("unknown command 'frobnicate'");
    expect(problemWith("steward config frobnicate FILE")).toContain("expected check, schema, explain, import-butler");
    expect(problemWith("steward alert preview|frob")).toContain("got 'frob'");
    expect(problemWith("npm run nosuchscript")).toContain("no script");
    expect(problemWith("bun scripts/no-such.ts")).toContain("does not exist");
  });

  test("the docs show commands at all (the checker reads them)", () => {
    const all = docFiles().flatMap((f) => commandsShown(read(f), rel(f)));
    expect(all.filter((s) => s.command.includes("steward")).length).toBeGreaterThan(40);
    // Every command of the table is shown somewhere, so a new command gets documented.
    const shown = new Set(all.map((s) => s.command.split(/\s+/).slice(1, 3).join(" ")));
    const undocumented = Object.entries(CLI_COMMANDS).flatMap(([cmd, subs]) =>
      subs.length === 0
        ? [...shown].some((s) => s === cmd || s.startsWith(`${cmd} `))
          ? []
          : [cmd]
        : subs
            .filter((s) => ![...shown].some((x) => x === `${cmd} ${s}` || (x.startsWith(`${cmd} `) && x.split(" ")[1]!.split("|").includes(s))))
            .map((s) => `${cmd} ${s}`),
    );
    expect(undocumented).toEqual([]);
  });

  for (const file of docFiles()) {
    test(`${rel(file)}: every steward, npm and bun command shown exists`, () => {
      const bad = commandsShown(read(file), rel(file)).flatMap((s) => {
        const why = problemWith(s.command);
        return why ? [`${s.where} ${s.command}: ${why}`] : [];
      });
      expect(bad).toEqual([]);
    });
  }
});
