// The two reference programs of `scripts/bench-floor.ts`, compiled with scripts/build.ts's flags into one binary:
//   bench-floor-target bare PORT    a bare Bun.serve answering "hello" to any path
//   bench-floor-target floor PORT   the stack's floor (bench-floor-stack.ts), loaded only in this mode
// Each prints READY <port> once listening.
const [mode, port] = process.argv.slice(2);
if (mode === "bare") {
  const server = Bun.serve({ hostname: "127.0.0.1", port: Number(port ?? 0), fetch: () => new Response("hello") });
  console.log(`READY ${server.port}`);
} else if (mode === "floor") {
  await import("./bench-floor-stack");
} else {
  console.error("usage: bench-floor-target bare|floor PORT");
  process.exit(2);
}
