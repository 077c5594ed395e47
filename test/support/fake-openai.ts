// An OpenAI-compatible endpoint for tests: a real local HTTP server speaking `POST /v1/chat/completions`. It
// records every request (headers and JSON body) and answers what the test scripts, in turn: a completion with
// given content (good JSON, malformed JSON, JSON failing the schema), a refusal, an HTTP error status, or any of
// those after a delay. Requests beyond the script get a 500. A wrong bearer token gets a 401 as the real API does.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeAnswer =
  /** A completion whose message content is this JSON value, serialised. */
  | { json: unknown; delayMs?: number }
  /** A completion whose message content is this exact text. */
  | { content: string; finishReason?: 'stop' | 'length' | 'content_filter'; delayMs?: number }
  | { refusal: string; delayMs?: number }
  | { status: number; headers?: Record<string, string>; delayMs?: number };

export interface FakeOpenAiRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body (null when it was not JSON). */
  body: any;
  at: number;
}

export interface FakeOpenAi {
  /** The base URL to give the client (ends in /v1). */
  baseURL: string;
  apiKey: string;
  requests: FakeOpenAiRequest[];
  /** Appends answers to the script. */
  script(...answers: FakeAnswer[]): void;
  /** Clears the script and the recorded requests. */
  reset(): void;
  close(): Promise<void>;
}

function completion(model: string, message: Record<string, unknown>, finishReason: string) {
  return {
    id: `chatcmpl-${Math.random().toString(36).slice(2)}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: 'assistant', refusal: null, ...message }, logprobs: null, finish_reason: finishReason }],
    usage: { prompt_tokens: 100, completion_tokens: 50, total_tokens: 150 },
  };
}

export async function startFakeOpenAi(apiKey = 'sk-test-fake'): Promise<FakeOpenAi> {
  const requests: FakeOpenAiRequest[] = [];
  let answers: FakeAnswer[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: any = null;
      try {
        body = JSON.parse(raw);
      } catch {
        body = null;
      }
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, at: Date.now() });
      const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
        if (res.destroyed) return;
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(payload));
      };
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        send(404, { error: { message: `no route ${req.method} ${req.url}`, type: 'invalid_request_error' } });
        return;
      }
      if (req.headers.authorization !== `Bearer ${apiKey}`) {
        send(401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } });
        return;
      }
      const answer = answers.shift();
      const respond = () => {
        const model = typeof body?.model === 'string' ? body.model : 'unknown';
        if (!answer) send(500, { error: { message: 'the test scripted no answer for this request', type: 'server_error' } });
        else if ('status' in answer) send(answer.status, { error: { message: `scripted ${answer.status}`, type: 'server_error' } }, answer.headers);
        else if ('refusal' in answer) send(200, completion(model, { content: null, refusal: answer.refusal }, 'stop'));
        else if ('json' in answer) send(200, completion(model, { content: JSON.stringify(answer.json) }, 'stop'));
        else send(200, completion(model, { content: answer.content }, answer.finishReason ?? 'stop'));
      };
      if (!answer?.delayMs) return respond();
      const timer = setTimeout(() => {
        timers.delete(timer);
        respond();
      }, answer.delayMs);
      timers.add(timer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    apiKey,
    requests,
    script: (...more) => void answers.push(...more),
    reset: () => {
      answers = [];
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
