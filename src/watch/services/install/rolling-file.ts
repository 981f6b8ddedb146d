// A size-rolled log file for Steward running as a Windows service (no console there): steward.log is renamed
// to steward.1.log (and .1 to .2 …) when it passes maxBytes; the oldest beyond `keep` is deleted.
import { closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { dirname } from "node:path";

export interface RollingFile {
  write(line: string): void;
  close(): void;
  readonly path: string;
}

export function createRollingFile(path: string, opts: { maxBytes?: number; keep?: number } = {}): RollingFile {
  const maxBytes = opts.maxBytes ?? 10 * 1024 * 1024;
  const keep = opts.keep ?? 10;
  mkdirSync(dirname(path), { recursive: true });
  const base = path.replace(/\.log$/i, "");
  const numbered = (n: number) => `${base}.${n}.log`;
  let fd = openSync(path, "a");
  let size = statSync(path).size;

  const roll = () => {
    closeSync(fd);
    if (existsSync(numbered(keep))) rmSync(numbered(keep), { force: true });
    for (let n = keep - 1; n >= 1; n--) if (existsSync(numbered(n))) renameSync(numbered(n), numbered(n + 1));
    renameSync(path, numbered(1));
    fd = openSync(path, "a");
    size = 0;
  };

  return {
    path,
    write(line) {
      const text = line.endsWith("\n") ? line : `${line}\n`;
      const bytes = Buffer.byteLength(text);
      if (size > 0 && size + bytes > maxBytes) roll();
      writeSync(fd, text);
      size += bytes;
    },
    close() {
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
    },
  };
}
