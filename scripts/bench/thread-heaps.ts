// The V8 heaps of every thread in this process, through the inspector: the workflow worker threads are the
// SDK's (one with reuseV8Context), so neither process.memoryUsage() nor v8.getHeapStatistics() sees them.
// The benchmark's worker uses it to read each heap and to collect garbage everywhere before reading RSS,
// which tells memory a workflow still holds from garbage V8 has not yet collected.
import inspector from 'node:inspector/promises';

export interface ThreadHeap {
  thread: string;
  usedBytes: number;
  totalBytes: number;
}

interface AttachedWorker {
  sessionId: string;
  workerInfo: { title: string };
}

export class ThreadHeaps {
  private readonly session = new inspector.Session();
  private readonly workers = new Map<string, AttachedWorker>();
  private readonly pending = new Map<number, (message: { result?: unknown; error?: { message: string } }) => void>();
  private nextId = 0;

  async start(): Promise<void> {
    this.session.connect();
    this.session.on('NodeWorker.attachedToWorker', ({ params }) => {
      const worker = params as unknown as AttachedWorker;
      this.workers.set(worker.sessionId, worker);
    });
    this.session.on('NodeWorker.detachedFromWorker', ({ params }) => this.workers.delete(params.sessionId));
    this.session.on('NodeWorker.receivedMessageFromWorker', ({ params }) => {
      const message = JSON.parse((params as { message: string }).message) as { id?: number; result?: unknown; error?: { message: string } };
      if (message.id === undefined) return;
      this.pending.get(message.id)?.(message);
      this.pending.delete(message.id);
    });
    await this.session.post('NodeWorker.enable', { waitForDebuggerOnStart: false });
  }

  private callWorker<T>(sessionId: string, method: string): Promise<T> {
    const id = ++this.nextId;
    const answer = new Promise<T>((resolve, reject) => {
      this.pending.set(id, (message) => (message.error ? reject(new Error(message.error.message)) : resolve(message.result as T)));
    });
    void this.session.post('NodeWorker.sendMessageToWorker', { sessionId, message: JSON.stringify({ id, method }) });
    return answer;
  }

  /** A full garbage collection in this thread and in every worker thread. */
  async collectGarbage(): Promise<void> {
    await this.session.post('HeapProfiler.collectGarbage');
    await Promise.all([...this.workers.keys()].map((sessionId) => this.callWorker(sessionId, 'HeapProfiler.collectGarbage')));
  }

  /** Used and reserved heap of this thread and of each worker thread. */
  async heaps(): Promise<ThreadHeap[]> {
    type Usage = { usedSize: number; totalSize: number };
    const own = (await this.session.post('Runtime.getHeapUsage')) as unknown as Usage;
    const others = await Promise.all(
      [...this.workers.values()].map(async (worker) => ({ worker, usage: await this.callWorker<Usage>(worker.sessionId, 'Runtime.getHeapUsage') })),
    );
    return [
      { thread: 'main', usedBytes: own.usedSize, totalBytes: own.totalSize },
      ...others.map(({ worker, usage }) => ({ thread: worker.workerInfo.title, usedBytes: usage.usedSize, totalBytes: usage.totalSize })),
    ];
  }

  stop(): void {
    this.session.disconnect();
  }
}
