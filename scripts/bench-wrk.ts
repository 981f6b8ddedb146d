// wrk, the HTTP load generator of the ping and KV rows (bench-floor-rows.ts). A machine of the project may come without
// it: as root with apt-get (Debian, where it is the package `wrk`), it is installed on first use and said so;
// otherwise the bench stops with the command to run.

let present = false;

export function ensureWrk(): void {
  if (present || Bun.which("wrk")) {
    present = true;
    return;
  }
  const how = "install it with `apt-get install -y wrk` (Debian/Ubuntu; `apt-get update` first on a fresh machine)";
  if (process.getuid?.() !== 0 || !Bun.which("apt-get")) throw new Error(`wrk is not installed and this bench needs it: ${how}`);
  console.error("wrk is not installed: apt-get install -y wrk");
  const apt = (...args: string[]) =>
    Bun.spawnSync(["apt-get", ...args], { stdout: "inherit", stderr: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } }).exitCode === 0;
  // The package lists may be missing or old on a new machine: update once and try again.
  if (!apt("install", "-y", "wrk") && !(apt("update") && apt("install", "-y", "wrk"))) throw new Error(`apt-get could not install wrk: ${how}`);
  if (!Bun.which("wrk")) throw new Error(`apt-get installed wrk but it is not on PATH: ${how}`);
  present = true;
}
