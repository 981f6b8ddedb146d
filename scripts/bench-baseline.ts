// The runtime's own ceiling for `npm run bench`, compiled with the same Bun as Steward:
//   bench-baseline http PORT          a bare Bun.serve answering "hello" (prints READY when listening)
//   bench-baseline udp UDPPORT HTTPPORT  a bare node:dgram receiver counting datagrams; GET /count reports it
//   bench-baseline relay UDPPORT HTTPPORT SMTPPORT  each datagram mailed as is through a pooled nodemailer transport
import { createSocket } from "node:dgram";
import { createTransport } from "nodemailer";

const [mode, a, b] = process.argv.slice(2);

if (mode === "http") {
  const server = Bun.serve({ hostname: "127.0.0.1", port: Number(a ?? 0), fetch: () => new Response("hello") });
  console.log(`READY ${server.port}`);
} else if (mode === "udp") {
  let received = 0;
  const sock = createSocket("udp4");
  sock.on("message", () => {
    received++;
  });
  sock.bind(Number(a ?? 0), "127.0.0.1", () => {
    // The same receive buffer Steward's intake asks for (the kernel caps it at net.core.rmem_max).
    sock.setRecvBufferSize(4 * 1024 * 1024);
    const server = Bun.serve({
      hostname: "127.0.0.1",
      port: Number(b ?? 0),
      fetch: () => Response.json({ received }),
    });
    console.log(`READY ${sock.address().port} ${server.port}`);
  });
} else if (mode === "relay") {
  const [, , , smtpPort] = process.argv.slice(2);
  const mailer = createTransport({ host: "127.0.0.1", port: Number(smtpPort), secure: false, ignoreTLS: true, pool: true });
  const sock = createSocket("udp4");
  sock.on("message", (msg) => {
    const text = msg.toString("utf8");
    mailer
      .sendMail({ from: "bench@localhost.example", to: "ops@localhost.example", subject: text.slice(0, 60), text })
      .catch((err: Error) => console.error(err.message));
  });
  sock.bind(Number(a ?? 0), "127.0.0.1", () => {
    const server = Bun.serve({ hostname: "127.0.0.1", port: Number(b ?? 0), fetch: () => new Response("ok") });
    console.log(`READY ${sock.address().port} ${server.port}`);
  });
} else {
  console.error("usage: bench-baseline http PORT | udp UDPPORT HTTPPORT | relay UDPPORT HTTPPORT SMTPPORT");
  process.exit(2);
}
