// The faults of a chaos run: the worker SIGKILLed every few seconds and started again at once; the Temporal
// server killed and started again on its file; PostgreSQL stopped for a while. The API and the worker are
// never restarted for the last two: this file only watches whether they come back by themselves.
import type { Client } from '@temporalio/client';
// A CommonJS package: its named exports are not visible to an ES module import.
import proto from '@temporalio/proto';
import type { Child, Exit } from './services.js';
import { Random, sleep } from './random.js';
import type { FaultFlags } from './scenario.js';

const { temporal } = proto;

/** True once a process with this pid polls the task queue for workflow tasks (the SDK's identity is `pid@host`). */
export async function isPolling(client: Client, taskQueue: string, pid: number): Promise<boolean> {
  const response = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  });
  return (response.pollers ?? []).some((poller) => poller.identity?.startsWith(`${pid}@`));
}

export interface Incarnation {
  pid: number;
  startedAt: number;
  /** When it was first seen polling. */
  readyAt?: number;
  exit?: Exit;
  killedOnPurpose: boolean;
}

/**
 * Runs the worker as one process at a time, SIGKILLs it on a seeded schedule and starts the next one right
 * away. An exit it did not cause is recorded (and the worker started again, so the run can finish).
 */
export class WorkerSupervisor {
  readonly incarnations: Incarnation[] = [];
  readonly unexpectedExits: { pid: number; exit: Exit; during: string }[] = [];
  kills = 0;
  current?: Child;
  private paused = false;
  private killing = true;
  private stopped = false;
  private busy: Promise<void> = Promise.resolve();
  /** What is going on, for the record of an unexpected exit. */
  phase = 'setup';
  /** Workers in a row that exited by themselves without ever polling. */
  private failedStarts = 0;

  constructor(
    private readonly spawnWorker: () => Child,
    private readonly polling: (pid: number) => Promise<boolean>,
    private readonly flags: FaultFlags,
    private readonly log: (line: string) => void,
    /** Called when the worker cannot start at all: the run cannot go on. */
    private readonly fatal: (why: string) => void,
  ) {}

  start(): Child {
    const child = this.spawnWorker();
    const incarnation: Incarnation = { pid: child.pid, startedAt: Date.now(), killedOnPurpose: false };
    this.incarnations.push(incarnation);
    this.current = child;
    this.flags.workerDown = true;
    void this.watchReady(child, incarnation);
    void child.exited.then((exit) => {
      incarnation.exit = exit;
      incarnation.killedOnPurpose = child.killedOnPurpose;
      if (child.killedOnPurpose || this.stopped) return;
      this.unexpectedExits.push({ pid: child.pid, exit, during: this.phase });
      this.failedStarts = incarnation.readyAt ? 0 : this.failedStarts + 1;
      if (this.failedStarts >= 4) {
        this.fatal(`the worker exited ${this.failedStarts} times in a row before polling (last: ${exit.code ?? exit.signal}); see logs/worker.log`);
        return;
      }
      // Backing off, as a process supervisor would: a worker that cannot start must not spin.
      const delay = 1000 * 2 ** this.failedStarts;
      this.log(`worker pid ${child.pid} exited by itself (${exit.code ?? exit.signal}) during ${this.phase}; starting another in ${delay / 1000}s`);
      setTimeout(() => {
        if (this.current === child && !this.stopped) this.start();
      }, delay);
    });
    return child;
  }

  private async watchReady(child: Child, incarnation: Incarnation): Promise<void> {
    while (child.alive && !incarnation.readyAt) {
      if (await this.polling(child.pid).catch(() => false)) {
        incarnation.readyAt = Date.now();
        if (this.current === child) this.flags.workerDown = false;
        return;
      }
      await sleep(200);
    }
  }

  /** Resolves once the current worker polls (or `timeoutMs` passes: false). */
  async ready(timeoutMs: number): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const incarnation = this.incarnations.at(-1);
      if (incarnation?.readyAt && !incarnation.exit) return true;
      await sleep(100);
    }
    return false;
  }

  /**
   * The kill loop: each worker polls for `everyS` seconds (seeded), is SIGKILLed and started again at once.
   * Counted from when it polls, not from its start: a start takes seconds here, and a worker killed before
   * it has done anything tests nothing.
   */
  async killLoop(everyS: [number, number], random: Random): Promise<void> {
    const go = () => this.killing && !this.stopped;
    while (go()) {
      if (!(await this.ready(60_000))) this.log('the worker has not polled for 60s; killing it anyway');
      let due = (this.incarnations.at(-1)?.readyAt ?? Date.now()) + random.between(everyS[0], everyS[1]) * 1000;
      while (go() && Date.now() < due) {
        if (this.paused) {
          while (go() && this.paused) await sleep(50);
          due = Date.now() + random.between(everyS[0], everyS[1]) * 1000;
        }
        await sleep(50);
      }
      if (!go() || this.paused) continue;
      let release = () => {};
      this.busy = new Promise((resolve) => (release = resolve));
      try {
        const victim = this.current!;
        this.kills++;
        this.flags.workerDown = true;
        await victim.stop('SIGKILL');
        this.start();
      } finally {
        release();
      }
    }
  }

  /** Stops killing; resolves when no kill is under way and the worker polls again. */
  async pause(): Promise<void> {
    this.paused = true;
    await this.busy;
    await this.ready(60_000);
  }

  resume(): void {
    this.paused = false;
  }

  /** Ends the kill loop and leaves the current worker running; resolves when it polls. */
  async endKills(): Promise<boolean> {
    this.killing = false;
    await this.busy;
    return this.ready(60_000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.busy;
    await this.current?.stop('SIGTERM', 20_000);
  }
}

export interface Recovery {
  fault: string;
  at: string;
  /** Move requests under way when the service went away. */
  movesInFlight: number;
  /** Seconds the service was away. */
  downSeconds: number;
  /** Seconds after it came back until GET /readyz answered 200 (null: not within the limit). */
  apiReadySeconds: number | null;
  /** Seconds after it came back until the (same) worker process polled again. */
  workerPollingSeconds: number | null;
  /** Seconds after it came back until a move was answered 200. */
  firstMoveOkSeconds: number | null;
  apiSamePid: boolean;
  workerSamePid: boolean;
}

/** Watches the API and the worker come back after a fault, without restarting either. */
export async function watchRecovery(
  fault: string,
  movesInFlight: number,
  startedAt: number,
  backAt: number,
  deps: { apiReady: () => Promise<boolean>; workerPolling: () => Promise<boolean>; okTimes: number[]; apiPid: () => number; workerPid: () => number },
  limitMs: number,
): Promise<Recovery> {
  const apiPid = deps.apiPid();
  const workerPid = deps.workerPid();
  const until = backAt + limitMs;
  let apiReady: number | null = null;
  let polling: number | null = null;
  let moved: number | null = null;
  while (Date.now() < until && (apiReady === null || polling === null || moved === null)) {
    if (apiReady === null && (await deps.apiReady().catch(() => false))) apiReady = Date.now();
    if (polling === null && (await deps.workerPolling().catch(() => false))) polling = Date.now();
    if (moved === null) moved = deps.okTimes.find((t) => t > backAt) ?? null;
    if (apiReady === null || polling === null || moved === null) await sleep(200);
  }
  const since = (t: number | null) => (t === null ? null : Math.max(0, (t - backAt) / 1000));
  return {
    fault,
    at: new Date(startedAt).toISOString(),
    movesInFlight,
    downSeconds: (backAt - startedAt) / 1000,
    apiReadySeconds: since(apiReady),
    workerPollingSeconds: since(polling),
    firstMoveOkSeconds: since(moved),
    apiSamePid: deps.apiPid() === apiPid,
    workerSamePid: deps.workerPid() === workerPid,
  };
}
