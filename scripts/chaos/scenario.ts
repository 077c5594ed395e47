// The clients of a chaos run: a company, a recruiter, a job and N candidates made through the API, then
// concurrent loops that apply and move every application along its seeded plan the way a careful client
// would: one Idempotency-Key per intended move, kept across retries, with the stage it believes the
// application is in (expectedStage); a 409 means "look again", so it re-reads and goes on from the real stage.
import { randomUUID } from 'node:crypto';
import { DEFAULT_PIPELINE, activeStages } from '../../domain/pipeline.js';
import { Random, sleep } from './random.js';

// ------------------------------------------------------------------------------------------ HTTP

export interface Reply {
  /** 0: no HTTP answer (connection refused or reset, or the request timed out). */
  status: number;
  body: any;
  error?: string;
}

export class Http {
  constructor(
    readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {}

  async call(method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    try {
      const res = await fetch(this.baseUrl + path, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const text = await res.text();
      let body: any = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, body };
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      return { status: 0, body: undefined, error: cause ?? (err as Error).name ?? String(err) };
    }
  }
}

const retryable = (reply: Reply) => reply.status === 0 || reply.status >= 500;

/** Backoff with jitter, capped: a client that hammers a recovering service only slows it down. */
function backoffMs(attempt: number, random: Random): number {
  return Math.min(3000, 150 * 2 ** Math.min(attempt, 5)) * random.between(0.5, 1);
}

/** Retries transport errors and 5xx until `deadline`; anything else (or the deadline) is returned as is. */
async function persist(random: Random, deadline: number, send: () => Promise<Reply>, onRetry?: (reply: Reply) => void, stopped = () => false): Promise<Reply> {
  for (let attempt = 1; ; attempt++) {
    const reply = await send();
    if (!retryable(reply) || Date.now() > deadline || stopped()) return reply;
    onRetry?.(reply);
    await sleep(backoffMs(attempt, random));
  }
}

// ------------------------------------------------------------------------------------------ people and job

export const PASSWORD = 'chaos-password-1';

export interface Person {
  id: string;
  email: string;
  token: string;
}

async function must(what: string, reply: Promise<Reply>, expected: number): Promise<any> {
  const r = await reply;
  if (r.status !== expected) throw new Error(`${what}: ${r.status || r.error} ${JSON.stringify(r.body)}`);
  return r.body;
}

async function signupAndLogin(http: Http, random: Random, body: Record<string, unknown>): Promise<{ signup: any; token: string }> {
  const deadline = Date.now() + 120_000;
  const signup = await must(
    `signup ${String(body.email)}`,
    persist(random, deadline, () => http.call('POST', '/api/auth/signup', { body })),
    201,
  );
  const login = await must(
    `login ${String(body.email)}`,
    persist(random, deadline, () => http.call('POST', '/api/auth/login', { body: { email: body.email, password: body.password } })),
    200,
  );
  return { signup, token: login.accessToken };
}

export interface Cast {
  companyId: string;
  recruiter: Person;
  jobId: string;
  candidates: Person[];
}

/** A company (its admin signs up), a recruiter who moves candidates, an open job on the default pipeline, and candidates. */
export async function createCast(http: Http, random: Random, candidates: number, tag: string, progress: (line: string) => void): Promise<Cast> {
  const admin = await signupAndLogin(http, random, {
    email: `admin-${tag}@chaos.test`,
    password: PASSWORD,
    name: 'Chaos Admin',
    companyName: `Chaos ${tag} Inc`,
  });
  await must(
    'create recruiter',
    http.call('POST', '/api/users', {
      token: admin.token,
      body: { email: `recruiter-${tag}@chaos.test`, password: PASSWORD, name: 'Chaos Recruiter', role: 'recruiter' },
    }),
    201,
  );
  const recruiterLogin = await must(
    'recruiter login',
    http.call('POST', '/api/auth/login', { body: { email: `recruiter-${tag}@chaos.test`, password: PASSWORD } }),
    200,
  );
  const recruiter: Person = { id: '', email: `recruiter-${tag}@chaos.test`, token: recruiterLogin.accessToken };
  // No pipelineTemplateId: the built-in default pipeline, whose emails the checks expect.
  const job = await must(
    'create job',
    http.call('POST', '/api/jobs', {
      token: recruiter.token,
      body: { title: 'Chaos Engineer', description: 'Survives faults', location: 'Remote', status: 'open' },
    }),
    201,
  );

  const people: Person[] = new Array(candidates);
  let next = 0;
  // Password hashing is the expensive part; a few at a time keeps the other work on this machine going.
  await Promise.all(
    Array.from({ length: Math.min(4, candidates) }, async () => {
      while (next < candidates) {
        const i = next++;
        const email = `cand-${i}-${tag}@chaos.test`;
        const { signup, token } = await signupAndLogin(http, random, { email, password: PASSWORD, name: `Candidate ${i}` });
        people[i] = { id: signup.user.id, email, token };
        if ((i + 1) % 50 === 0) progress(`  ${i + 1}/${candidates} candidates signed up`);
      }
    }),
  );
  return { companyId: admin.signup.company.id, recruiter, jobId: job.id, candidates: people };
}

// ------------------------------------------------------------------------------------------ plans

const ACTIVE = activeStages(DEFAULT_PIPELINE).map((stage) => stage.key);
const TERMINAL = new Set(DEFAULT_PIPELINE.stages.filter((stage) => stage.kind !== 'active').map((stage) => stage.key));

/** Where an application should end: hired, or rejected in a given active stage. */
export type Plan = { outcome: 'hired' } | { outcome: 'rejected'; at: string };

export function planMoves(plan: Plan): number {
  return plan.outcome === 'hired' ? ACTIVE.length : ACTIVE.indexOf(plan.at) + 1;
}

interface Move {
  event: 'ADVANCE' | 'HIRE' | 'REJECT';
  reason?: string;
  target: string;
}

/** The next move from wherever the application really is: the plan is a destination, not a fixed list. */
function nextMove(plan: Plan, stage: string): Move | undefined {
  if (TERMINAL.has(stage)) return undefined;
  const index = ACTIVE.indexOf(stage);
  if (plan.outcome === 'rejected' && index >= ACTIVE.indexOf(plan.at))
    return { event: 'REJECT', reason: `Not a fit at ${stage} (chaos run)`, target: 'rejected' };
  if (index === ACTIVE.length - 1) return { event: 'HIRE', target: 'hired' };
  return { event: 'ADVANCE', target: ACTIVE[index + 1]! };
}

// ------------------------------------------------------------------------------------------ applications

export interface App {
  index: number;
  candidate: Person;
  plan: Plan;
  /** Moved for the first time right after applying, before its workflow has likely run a task. */
  fast: boolean;
  id?: string;
  appliedAt?: number;
  /** The stage the client believes the application is in. */
  stage: string;
  /** Targets of the moves the client concluded went through, in order (compared with the history at the end). */
  confirmed: string[];
  busy: boolean;
  notBefore: number;
  moves: number;
  gaveUp?: string;
  anomalies: string[];
}

export interface ClientFigures {
  applied: number;
  applyRetried: number;
  applyAlreadyThere: number;
  /** Intended moves: one Idempotency-Key each. */
  movesIntended: number;
  /** HTTP requests for moves, retries included. */
  moveRequests: number;
  answered200: number;
  conflictReread: number;
  /** 409 after which the application was still where the client thought: the move was refused for real. */
  refused: number;
  retried5xx: number;
  retriedNetwork: number;
  otherStatus: Record<string, number>;
  /** A 200 or a re-read that showed another stage than the move's target: the move was applied more than once, or lost. */
  unexpectedStage: number;
  firstMovesFast: number;
  /** Moves first sent while the worker was down, Temporal was down, PostgreSQL was down. */
  sentWhileWorkerDown: number;
  sentWhileTemporalDown: number;
  sentWhilePostgresDown: number;
  gaveUp: number;
  /** The body field was refused by the API (400), so moves went on without it. */
  expectedStageDropped: boolean;
}

export interface FaultFlags {
  workerDown: boolean;
  temporalDown: boolean;
  postgresDown: boolean;
}

export interface LoopOptions {
  clients: number;
  /** New requests (applications and moves, not retries) per second across all loops: the run's pace. */
  rate: number;
  /** Delay before a non-fast application's first move, and between an application's moves. */
  gapMs: [number, number];
  sendExpectedStage: boolean;
  /** Give up on one intended move after this long of 5xx and network errors. */
  giveUpMs: number;
}

export class Clients {
  readonly figures: ClientFigures = {
    applied: 0,
    applyRetried: 0,
    applyAlreadyThere: 0,
    movesIntended: 0,
    moveRequests: 0,
    answered200: 0,
    conflictReread: 0,
    refused: 0,
    retried5xx: 0,
    retriedNetwork: 0,
    otherStatus: {},
    unexpectedStage: 0,
    firstMovesFast: 0,
    sentWhileWorkerDown: 0,
    sentWhileTemporalDown: 0,
    sentWhilePostgresDown: 0,
    gaveUp: 0,
    expectedStageDropped: false,
  };
  /** Times (ms since epoch) of every 200 to a move, to tell when the product made progress again after a fault. */
  readonly okTimes: number[] = [];
  /** Moves answered (200, or settled by a re-read): the run's progress. */
  answered = 0;
  /** Move requests sent and not answered yet. */
  inFlight = 0;
  private pending: App[];
  private stopped = false;
  private nextSlot = 0;

  constructor(
    private readonly http: Http,
    private readonly cast: Cast,
    readonly apps: App[],
    private readonly options: LoopOptions,
    private readonly faults: FaultFlags,
    private readonly random: Random,
    private readonly log: (line: string) => void,
  ) {
    this.pending = [...apps];
  }

  get done(): boolean {
    return this.pending.length === 0 && this.apps.every((app) => app.gaveUp || (app.id && TERMINAL.has(app.stage)));
  }

  stop(): void {
    this.stopped = true;
  }

  async run(): Promise<void> {
    await Promise.all(Array.from({ length: this.options.clients }, (_, i) => this.loop(this.random.fork(`client-${i}`))));
  }

  /** Waits for the next slot of the shared pace, so the run lasts minutes and the faults meet moves in flight. */
  private async paced(): Promise<void> {
    const now = Date.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + 1000 / this.options.rate;
    await sleep(slot - now);
  }

  private ready(): App[] {
    const now = Date.now();
    return this.apps.filter((app) => app.id && !app.busy && !app.gaveUp && !TERMINAL.has(app.stage) && app.notBefore <= now);
  }

  private async loop(random: Random): Promise<void> {
    while (!this.stopped && !this.done) {
      if (!this.pending.length && !this.ready().length) {
        await sleep(50);
        continue;
      }
      await this.paced();
      const ready = this.ready();
      // Applications trickle in while others move, so applying and moving both meet the faults.
      if (this.pending.length && (ready.length === 0 || random.chance(0.3))) {
        const app = this.pending.shift()!;
        app.busy = true;
        try {
          await this.apply(app, random);
          if (app.fast && app.id && !app.gaveUp) {
            if (Date.now() - app.appliedAt! < 100) this.figures.firstMovesFast++;
            await this.move(app, random);
          }
        } finally {
          app.notBefore = Date.now() + random.between(...this.options.gapMs);
          app.busy = false;
        }
      } else if (ready.length) {
        const app = random.pick(ready);
        app.busy = true;
        try {
          await this.move(app, random);
        } finally {
          app.notBefore = Date.now() + random.between(...this.options.gapMs);
          app.busy = false;
        }
      }
    }
  }

  private async apply(app: App, random: Random): Promise<void> {
    const reply = await persist(
      random,
      Date.now() + this.options.giveUpMs,
      () => this.http.call('POST', `/api/jobs/${this.cast.jobId}/apply`, { token: app.candidate.token, body: {} }),
      () => this.figures.applyRetried++,
      () => this.stopped,
    );
    if (reply.status === 201) {
      app.id = reply.body.id;
      app.stage = reply.body.stage;
    } else if (reply.status === 409 && reply.body?.applicationId) {
      // An earlier attempt created it and its answer was lost.
      this.figures.applyAlreadyThere++;
      app.id = reply.body.applicationId;
      const real = await this.reread(app, random);
      if (real) app.stage = real.stage;
    } else {
      app.gaveUp = `apply answered ${reply.status || reply.error}: ${JSON.stringify(reply.body)}`;
      this.figures.gaveUp++;
      this.log(`application ${app.index}: gave up: ${app.gaveUp}`);
      return;
    }
    app.appliedAt = Date.now();
    this.figures.applied++;
  }

  private async reread(app: App, random: Random): Promise<{ stage: string } | undefined> {
    const reply = await persist(
      random,
      Date.now() + this.options.giveUpMs,
      () => this.http.call('GET', `/api/applications/${app.id}`, { token: this.cast.recruiter.token }),
      undefined,
      () => this.stopped,
    );
    if (reply.status === 200) return reply.body;
    app.anomalies.push(`re-read answered ${reply.status || reply.error}`);
    return undefined;
  }

  /** One intended move, retried under the same Idempotency-Key until it is answered for good. */
  private async move(app: App, random: Random): Promise<void> {
    const move = nextMove(app.plan, app.stage);
    if (!move) return;
    const key = randomUUID();
    const expectedStage = app.stage;
    const started = Date.now();
    this.figures.movesIntended++;
    if (this.faults.workerDown) this.figures.sentWhileWorkerDown++;
    if (this.faults.temporalDown) this.figures.sentWhileTemporalDown++;
    if (this.faults.postgresDown) this.figures.sentWhilePostgresDown++;
    app.moves++;
    for (let attempt = 1; !this.stopped; attempt++) {
      const body = {
        event: move.event,
        ...(move.reason ? { reason: move.reason } : {}),
        ...(this.options.sendExpectedStage && !this.figures.expectedStageDropped ? { expectedStage } : {}),
      };
      this.figures.moveRequests++;
      this.inFlight++;
      const reply = await this.http
        .call('POST', `/api/applications/${app.id}/transitions`, {
          token: this.cast.recruiter.token,
          body,
          headers: { 'Idempotency-Key': key },
        })
        .finally(() => this.inFlight--);
      if (reply.status === 200) {
        this.figures.answered200++;
        this.okTimes.push(Date.now());
        this.answered++;
        app.confirmed.push(move.target);
        if (reply.body?.stage !== move.target) {
          this.figures.unexpectedStage++;
          app.anomalies.push(`${move.event} from ${expectedStage} (key ${key}) answered 200 in ${String(reply.body?.stage)}, not ${move.target}`);
        }
        app.stage = reply.body?.stage ?? move.target;
        return;
      }
      if (reply.status === 409) {
        // Not where we thought: an earlier attempt went through (or something else moved it). Look, then go on.
        const real = await this.reread(app, random);
        this.answered++;
        if (!real) return;
        if (real.stage === move.target) {
          this.figures.conflictReread++;
          app.confirmed.push(move.target);
        } else if (real.stage === expectedStage) {
          this.figures.refused++;
          app.anomalies.push(`${move.event} from ${expectedStage} refused: ${reply.body?.detail ?? JSON.stringify(reply.body)}`);
          if (app.anomalies.length >= 5) this.giveUp(app, 'refused repeatedly');
        } else {
          this.figures.unexpectedStage++;
          app.anomalies.push(`${move.event} from ${expectedStage} (key ${key}): 409, then found in ${real.stage}`);
        }
        app.stage = real.stage;
        return;
      }
      if (reply.status === 400 && !this.figures.expectedStageDropped && JSON.stringify(reply.body ?? '').includes('expectedStage')) {
        // An API without the field refuses unknown keys; the run goes on without it and says so.
        this.figures.expectedStageDropped = true;
        this.log('the API refused expectedStage (400); moves go on without it');
        continue;
      }
      if (retryable(reply)) {
        if (reply.status === 0) this.figures.retriedNetwork++;
        else this.figures.retried5xx++;
        if (Date.now() - started > this.options.giveUpMs) {
          this.giveUp(
            app,
            `${move.event} from ${expectedStage} still failing after ${Math.round((Date.now() - started) / 1000)}s: ${reply.status || reply.error}`,
          );
          return;
        }
        await sleep(backoffMs(attempt, random));
        continue;
      }
      const status = String(reply.status);
      this.figures.otherStatus[status] = (this.figures.otherStatus[status] ?? 0) + 1;
      app.anomalies.push(`${move.event} from ${expectedStage} answered ${status}: ${JSON.stringify(reply.body)}`);
      const real = await this.reread(app, random);
      if (real) app.stage = real.stage;
      if (app.anomalies.length >= 5) this.giveUp(app, `answered ${status} repeatedly`);
      return;
    }
  }

  private giveUp(app: App, why: string): void {
    if (app.gaveUp) return;
    app.gaveUp = why;
    this.figures.gaveUp++;
    this.log(`application ${app.id}: gave up: ${why}`);
  }
}

/** Seeded plans: a share rejected (at a random active stage), the rest hired; a share moved at once after applying. */
export function planApplications(candidates: Person[], random: Random, shares: { reject: number; fast: number }): App[] {
  return candidates.map((candidate, index) => ({
    index,
    candidate,
    plan: random.chance(shares.reject) ? { outcome: 'rejected', at: random.pick(ACTIVE) } : { outcome: 'hired' },
    fast: random.chance(shares.fast),
    stage: ACTIVE[0]!,
    confirmed: [],
    busy: false,
    notBefore: 0,
    moves: 0,
    anomalies: [],
  }));
}
