// The permissions `deno run` needs (docs/deno.md, "Permissions"). Kept apart from the Deno implementation so
// tests and scripts running on Bun can read them.

/** `steward run`: listen and connect (HTTP, UDP, QRS, SMTP, webhooks), config/certificates/data, ${env:…}, host facts. */
export const DENO_RUN_FLAGS = ["--sloppy-imports", "--allow-net", "--allow-read", "--allow-write", "--allow-env", "--allow-sys"] as const;

/** Service installation and the Windows service host also run sc.exe/systemctl and call Win32 through FFI. */
export const DENO_SERVICE_FLAGS = [...DENO_RUN_FLAGS, "--allow-run", "--allow-ffi"] as const;
