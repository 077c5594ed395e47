// A webhook subscriber for tests: a real local HTTP server that answers scripted statuses in turn (then 200)
// and verifies each request's signature with the secret the API handed out.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  signatureValid: boolean;
}

export async function startReceiver(statuses: number[], secret: () => string) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const expected = Buffer.from(
        `sha256=${createHmac('sha256', secret())
          .update(`${String(req.headers['x-ats-timestamp'])}.${body}`)
          .digest('hex')}`,
      );
      const given = Buffer.from(String(req.headers['x-ats-signature'] ?? ''));
      received.push({ headers: req.headers, body, signatureValid: given.length === expected.length && timingSafeEqual(given, expected) });
      res.statusCode = statuses[received.length - 1] ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
