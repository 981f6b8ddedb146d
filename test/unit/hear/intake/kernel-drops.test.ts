// Kernel-level UDP drops are read from /proc for the right socket: a real socket with a tiny receive buffer
// is flooded while the event loop is blocked, and the drops show up for its port (Linux only).
import { describe, expect, test } from "bun:test";
import { createSocket } from "node:dgram";
import { spawnSync } from "node:child_process";
import { readKernelUdpDrops } from "../../../../src/hear/intake/kernel-drops";

const SAMPLE = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  120: 0100007F:270E 00000000:0000 07 00000000 00000000 00:00000000 00000000     0        0 1234 2 0000000000000000 17
  121: 0100007F:270F 00000000:0000 07 00000000 00000000 00:00000000 00000000     0        0 1235 2 0000000000000000 5
`;

describe("kernel UDP drops", () => {
  test("parses the drops column of the socket on the given port, v4 and v6 summed", () => {
    if (process.platform !== "linux") return;
    const read = (p: string) => (p.endsWith("udp") ? SAMPLE : SAMPLE.replace("270E", "AAAA"));
    expect(readKernelUdpDrops(0x270e, read)).toBe(17);
    expect(readKernelUdpDrops(0x270f, read)).toBe(10);
    expect(readKernelUdpDrops(1, read)).toBeUndefined();
  });

  test("counts real drops of a flooded socket", async () => {
    if (process.platform !== "linux") return;
    const sock = createSocket("udp4");
    await new Promise<void>((r) => sock.bind(0, "127.0.0.1", () => r()));
    sock.setRecvBufferSize(2048);
    const port = sock.address().port;
    expect(readKernelUdpDrops(port)).toBe(0);
    // A separate process sends while this one cannot read (spawnSync blocks the event loop).
    const sender =
      `const s=require("node:dgram").createSocket("udp4");let n=0;const b=Buffer.alloc(512,65);` +
      `(function go(){for(let i=0;i<50;i++)s.send(b,${port},"127.0.0.1");if(++n<40)setImmediate(go);else setTimeout(()=>s.close(),50);})();`;
    spawnSync(process.execPath, ["-e", sender], { timeout: 10_000 });
    expect(readKernelUdpDrops(port)).toBeGreaterThan(0);
    sock.close();
  });
});

describe("on /metrics", () => {
  test("a running Steward exports the OS drop count of its UDP socket", async () => {
    if (process.platform !== "linux") return;
    const { createTestApp } = await import("../../../helpers/app");
    const t = createTestApp();
    await t.app.start();
    try {
      const text = await (await t.request("/metrics")).text();
      expect(text).toMatch(/^steward_intake_kernel_drops 0$/m);
    } finally {
      await t.close();
    }
  });
});
