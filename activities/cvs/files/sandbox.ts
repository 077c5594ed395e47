// A worker thread per file, with a heap limit, a watch on its memory outside the heap and a deadline: whatever a
// hostile file does to the PDF, ZIP or OCR code (runaway memory, a stream that inflates to gigabytes, an endless
// loop), the thread is terminated (with any thread it started, such as tesseract.js's) and the caller gets a
// `CvFileRejected`, while the process (an API server, a Temporal worker) carries on. The entry is TypeScript when
// the product runs through tsx (tests, `npm run dev`, the production scripts) and JavaScript in a compiled build;
// the thread loads tsx itself.
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CV_LIMITS, CvFileRejected, type CvContentType, type CvRejectionCode } from './rejected.js';

export type SandboxTask =
  | { kind: 'inspect-pdf'; bytes: Uint8Array }
  | { kind: 'extract'; bytes: Uint8Array; contentType: CvContentType; ocr: boolean }
  /** For tests of the sandbox itself: allocate without end, or spin. */
  | { kind: 'runaway'; resource: 'memory' | 'buffers' | 'time' };

export type SandboxReply =
  { ok: true; result: unknown } | { ok: false; rejected: { code: CvRejectionCode; message: string } } | { ok: false; internal: string };

const source = fileURLToPath(import.meta.url);
const typescript = source.endsWith('.ts');
const WORKER_URL = new URL(`./sandbox-worker.${typescript ? 'ts' : 'js'}`, import.meta.url);
// tsx's loader by absolute URL, so the thread finds it whatever the working directory (createRequire rather than
// import.meta.resolve, which code that tsx loads as CommonJS, under mocha for one, does not have).
const EXEC_ARGV = typescript ? ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href] : [];

export interface SandboxLimits {
  timeoutMs: number;
  /** The thread's JavaScript heap (V8 enforces it). */
  heapMb?: number;
  /** Its memory outside the heap: typed arrays, such as a PDF stream being inflated (watched, see below). */
  externalMb?: number;
}

/** How often a running thread's memory outside the heap is looked at. */
const WATCH_INTERVAL_MS = 50;

function spawn(heapMb: number): Worker {
  return new Worker(WORKER_URL, { execArgv: EXEC_ARGV, resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: 32 } });
}

/**
 * A thread starts in a few hundred milliseconds (tsx, then PDF.js), which an upload should not wait for: after a task
 * takes a thread, a spare one is started and kept idle (unreferenced, so it never holds the process open) for the
 * next task with the same heap limit. Each thread still serves exactly one task.
 */
const spares = new Map<number, Worker>();

function startSpare(heapMb: number): void {
  if (spares.has(heapMb)) return;
  const next = spawn(heapMb);
  next.unref();
  const drop = () => {
    if (spares.get(heapMb) === next) spares.delete(heapMb);
  };
  next.once('error', drop);
  next.once('exit', drop);
  spares.set(heapMb, next);
}

/** Starts the spare threads of the upload check and of extraction now, so that not even the first file waits for one. */
export function warmUpCvSandbox(): void {
  startSpare(CV_LIMITS.inspectHeapMb);
  startSpare(CV_LIMITS.workerHeapMb);
}

function takeWorker(heapMb: number): Worker {
  const spare = spares.get(heapMb);
  spares.delete(heapMb);
  setImmediate(() => startSpare(heapMb));
  if (!spare) return spawn(heapMb);
  spare.removeAllListeners();
  spare.ref();
  return spare;
}

/** Runs one task in its own worker thread and terminates the thread when it is done, fails or runs out of time or memory. */
export function runInSandbox<T>(task: SandboxTask, limits: SandboxLimits): Promise<T> {
  const worker = takeWorker(limits.heapMb ?? CV_LIMITS.workerHeapMb);
  const transfer = 'bytes' in task ? copyForTransfer(task) : task;
  worker.postMessage(transfer, 'bytes' in transfer ? [transfer.bytes.buffer as ArrayBuffer] : []);
  const externalBytes = (limits.externalMb ?? CV_LIMITS.workerExternalMb) * 1024 * 1024;
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(watch);
      fn();
      void worker.terminate();
    };
    const timer = setTimeout(
      () => settle(() => reject(new CvFileRejected('corrupt', 'The file took too long to read, so it was given up on.', 'time'))),
      limits.timeoutMs,
    );
    // The heap limit does not cover ArrayBuffers (a 2 MB PDF whose content stream inflates to gigabytes fills them,
    // not the heap), so the thread's external memory is polled and the thread terminated once it is over its limit.
    const outOfMemory = () => new CvFileRejected('corrupt', 'The file needed too much memory to read, so it was given up on.', 'memory');
    const watch = setInterval(() => {
      worker.getHeapStatistics().then(
        (stats) => {
          if (stats.external_memory > externalBytes) settle(() => reject(outOfMemory()));
        },
        () => undefined,
      );
    }, WATCH_INTERVAL_MS);
    worker.once('message', (reply: SandboxReply) =>
      settle(() => {
        if (reply.ok) resolve(reply.result as T);
        else if ('rejected' in reply) reject(new CvFileRejected(reply.rejected.code, reply.rejected.message));
        else reject(new Error(`CV extraction failed: ${reply.internal}`));
      }),
    );
    worker.once('error', (err: Error & { code?: string }) =>
      settle(() => reject(err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? outOfMemory() : new Error(`CV extraction thread failed: ${err.message}`))),
    );
    worker.once('exit', (code) => settle(() => reject(new Error(`CV extraction thread exited (${code}) without an answer`))));
  });
}

/** The thread gets its own copy of the bytes, moved rather than copied again. */
function copyForTransfer<T extends { bytes: Uint8Array }>(task: T): T {
  return { ...task, bytes: new Uint8Array(task.bytes) };
}
