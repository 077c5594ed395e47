// The parent's side of api-process.ts: forks the API process (node --import tsx, as the worker child), waits for
// its URL, and fetches each traced request's trace from it.
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ApiProcessMessage, ApiProcessTake } from './api-process.js';
import type { RequestTrace, RequestTracing } from './request-trace.js';
import { forkStackProcess, nextMessage, type StackProcessTarget } from './worker-child.js';

const API_ENTRY = fileURLToPath(new URL('./api-process.ts', import.meta.url));

export interface ApiChildOptions extends StackProcessTarget {
  jwtSecret: string;
  onCleanup: (name: string, run: () => Promise<void>) => void;
}

export interface ApiChild {
  child: ChildProcess;
  apiUrl: string;
  /** The lists' SQL floor, served by the API's process on its pool (sql-floor.ts). */
  sqlFloorUrl: string;
  tracing: RequestTracing;
}

export async function startApiChild(options: ApiChildOptions): Promise<ApiChild> {
  const child = forkStackProcess(API_ENTRY, { ...options, nodeFlags: [], env: { BENCH_JWT_SECRET: options.jwtSecret }, name: 'API process' });
  const ready = await nextMessage<Extract<ApiProcessMessage, { type: 'ready' }>>(child, 'ready', 120_000);

  const waiting = new Map<number, (trace: RequestTrace | undefined) => void>();
  let seq = 0;
  child.on('message', (message: ApiProcessMessage) => {
    if (message?.type !== 'trace') return;
    waiting.get(message.seq)?.(message.trace ?? undefined);
    waiting.delete(message.seq);
  });
  return {
    child,
    apiUrl: ready.apiUrl,
    sqlFloorUrl: ready.sqlFloorUrl,
    tracing: {
      take(id) {
        const question: ApiProcessTake = { type: 'take', seq: ++seq, id };
        return new Promise((resolve) => {
          waiting.set(question.seq, resolve);
          child.send(question);
        });
      },
      stop() {
        for (const resolve of waiting.values()) resolve(undefined);
        waiting.clear();
      },
    },
  };
}
