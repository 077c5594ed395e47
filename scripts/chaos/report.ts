// The run's summary: the figures on stdout, the same as JSON for --json, and a digest of what the API, the
// worker and the Temporal server logged at warn and above (their full logs stay in the run's directory).
import { existsSync, readFileSync } from 'node:fs';

export interface LogDigest {
  file: string;
  lines: number;
  warn: number;
  error: number;
  /** Lines that are not JSON: crashes, stack traces, what node printed. */
  other: number;
  top: { count: number; level: string; message: string }[];
}

const LEVELS: Record<string, string> = {
  '40': 'warn',
  '50': 'error',
  '60': 'fatal',
  warn: 'warn',
  error: 'error',
  fatal: 'fatal',
  dpanic: 'error',
  panic: 'fatal',
};
// The SDK's Rust core writes its own lines to stderr, as coloured text: `<time>  WARN <module>: <message>`.
const CORE_LINE = /^\S+\s+(WARN|ERROR)\s+\S+?:\s+(.*)$/;

/** Durations and retry counts differ on every line ("Deadline exceeded after 5.001s"); the message is the same. */
function normalize(message: string): string {
  return message
    .replace(/,[a-zA-Z ]+: [\d.]+s/g, '')
    .replace(/\d+\.\d+s\b/g, 'N s')
    .replace(/retried \d+ times/g, 'retried N times')
    .slice(0, 200);
}

/** What an error field says, whether a string or an object (an Error, a pg error with code and routine). */
function errorText(value: unknown): string {
  if (!value) return '';
  if (typeof value === 'string') return value;
  if (typeof value !== 'object') return JSON.stringify(value);
  const e = value as Record<string, string | undefined>;
  return e.message || [e.code, e.routine].filter(Boolean).join(' ') || e.type || JSON.stringify(value);
}

/** Counts the warn+ lines of a log (pino or Temporal server JSON, the SDK core's text) by level and message. */
export function digestLog(file: string): LogDigest {
  const digest: LogDigest = { file, lines: 0, warn: 0, error: 0, other: 0, top: [] };
  if (!existsSync(file)) return digest;
  const counts = new Map<string, { count: number; level: string; message: string }>();
  const count = (level: string, message: string) => {
    if (level === 'warn') digest.warn++;
    else digest.error++;
    const key = `${level} ${message}`;
    const seen = counts.get(key) ?? { count: 0, level, message };
    seen.count++;
    counts.set(key, seen);
  };
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim() || line.startsWith('=== ')) continue;
    digest.lines++;
    let entry: Record<string, any>;
    try {
      entry = JSON.parse(line);
    } catch {
      // eslint-disable-next-line no-control-regex
      const core = CORE_LINE.exec(line.replace(/\u001b\[[0-9;]*m/g, ''));
      if (core) count(core[1] === 'WARN' ? 'warn' : 'error', normalize(core[2]!));
      else digest.other++;
      continue;
    }
    const level = LEVELS[String(entry.level).toLowerCase()];
    if (!level) continue;
    const detail = errorText(entry.err ?? entry.error).split('\n')[0];
    count(level, normalize(`${String(entry.msg ?? entry.message ?? '')}${detail ? `: ${detail}` : ''}`));
  }
  digest.top = [...counts.values()].sort((a, b) => b.count - a.count).slice(0, 6);
  return digest;
}

function table(rows: [string, string | number][]): string {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`).join('\n');
}

const seconds = (s: number | null) => (s === null ? 'never (within the limit)' : `${s.toFixed(1)}s`);

/** The human summary; `s` is the JSON summary built by the run. */
export function render(s: any): string {
  const m = s.moves;
  const e = s.emails;
  const lines: string[] = [
    '',
    `ATS chaos run  seed ${s.seed}  ${s.startedAt}  wall ${s.wallSeconds.toFixed(0)}s  (${s.machine})`,
    `protocol: expectedStage ${s.protocol.expectedStageSent ? 'sent' : 'NOT sent'} (${s.protocol.expectedStageInSchema ? 'in' : 'not in'} the API's Transition schema` +
      `${s.protocol.expectedStageRefused ? '; the API refused it, dropped mid-run' : ''}); Idempotency-Key sent on every move ` +
      `(${s.protocol.idempotencyKeyDocumented ? 'documented' : 'not documented'} in the OpenAPI document)`,
    '',
    table([
      [
        'applications',
        `${s.applications.created} of ${s.applications.planned} (${s.applications.plannedHired} to hire, ${s.applications.plannedRejected} to reject; ${s.applications.fastFirstMoves} moved <100ms after applying)`,
      ],
      ['moves sent', `${m.intended} intended (one Idempotency-Key each), ${m.requests} requests`],
      ['  answered 200', m.answered200],
      ['  409 then re-read', `${m.conflictReread} (earlier attempt had gone through)${m.refused ? `, ${m.refused} refused for real` : ''}`],
      ['  503/5xx retried', m.retried5xx],
      ['  network error retried', m.retriedNetwork],
      ['  other answers', Object.keys(m.otherStatus).length ? JSON.stringify(m.otherStatus) : 0],
      ['  landed elsewhere', `${m.unexpectedStage} (a 200 or re-read in another stage than the move's target)`],
      ['  sent while down', `worker ${m.sentWhileWorkerDown}, Temporal ${m.sentWhileTemporalDown}, PostgreSQL ${m.sentWhilePostgresDown}`],
      ['  gave up', m.gaveUp],
      [
        'worker kills',
        `${s.faults.workerKills} (SIGKILL every ${s.options.killEvery.join('-')}s; restart to polling p50 ${s.faults.workerStartSeconds.p50}s, max ${s.faults.workerStartSeconds.max}s)`,
      ],
      ['Temporal restarts', `${s.faults.temporalRestarts} (${s.options.temporalSignal})`],
      ['PostgreSQL restarts', `${s.faults.postgresRestarts} (down ${s.options.postgresOutageSeconds}s)`],
      ['processes that died by themselves', `API ${s.faults.apiExits.length}, worker ${s.faults.workerExits.length}`],
      ['settle', `${s.settle.seconds.toFixed(0)}s, ${s.settle.unsettled.length} still busy`],
      ['mismatches', `${s.checks.mismatches.length} (read model vs workflow vs search attributes, history rows)`],
      ['history vs client', `${s.checks.historyVsClient.length} (moves applied twice or lost)`],
      ['not at planned outcome', s.checks.notAtPlannedOutcome],
      [
        'unreplayable histories',
        `${s.histories.unreplayable.length} of ${s.histories.workflows} (${s.histories.movesInFirstTask} with a move in their first workflow task)`,
      ],
      [
        'failed workflows',
        `${s.checks.failedWorkflows.length}; stuck workflow tasks ${s.checks.stuckWorkflowTasks.length}; workflow statuses ${JSON.stringify(s.checks.byStatus)}`,
      ],
      [
        'workflow task failures',
        `${JSON.stringify(s.histories.workflowTaskFailures)} (in histories; workflow task timeouts ${s.histories.workflowTaskTimeouts}, activities timed out for good ${s.histories.activityTimeouts})`,
      ],
      [
        'emails',
        `expected ${e.expected}, received ${e.received}, missing ${e.missing.length}, duplicated ${e.duplicated.length} ` +
          `(${e.duplicatedInWindow} in the send-then-crash window, ${e.duplicatedOther} not), unexpected ${e.unexpected.length}`,
      ],
      ['wall time', `${s.wallSeconds.toFixed(0)}s`],
    ]),
  ];
  if (s.recoveries.length) {
    lines.push('', 'Recovery after each fault (API and worker never restarted for these):');
    for (const r of s.recoveries) {
      lines.push(
        `  ${r.fault}: ${r.movesInFlight} move request(s) cut off, down ${r.downSeconds.toFixed(1)}s; API ready ${seconds(r.apiReadySeconds)}, worker polling ${seconds(r.workerPollingSeconds)}, ` +
          `first move 200 ${seconds(r.firstMoveOkSeconds)} after it came back; same API process ${r.apiSamePid ? 'yes' : 'NO'}, same worker process ${r.workerSamePid ? 'yes' : 'NO'}`,
      );
    }
  }
  const sample = <T>(label: string, items: T[], show: (item: T) => string, n = 5) => {
    if (!items.length) return;
    lines.push('', `${label} (${items.length}${items.length > n ? `, first ${n}` : ''}):`);
    for (const item of items.slice(0, n)) lines.push(`  ${show(item)}`);
  };
  sample('Mismatches', s.checks.mismatches, (x: any) => `${x.applicationId}: ${x.problems.join('; ')}`);
  sample('History vs client', s.checks.historyVsClient, (x: any) => `${x.applicationId}: history ${x.history.join('>')}, client ${x.client.join('>')}`);
  sample('Unreplayable histories', s.histories.unreplayable, (x: any) => `${x.workflowId}: ${x.error}`);
  sample('Workflow task failures', s.histories.workflowTaskFailureSamples, (x: any) => `${x.workflowId}: ${x.cause}: ${x.message}`);
  sample('Failed workflows', s.checks.failedWorkflows, (x: any) => `${x.workflowId}: ${x.status}`);
  sample('Stuck workflow tasks', s.checks.stuckWorkflowTasks, (x: any) => `${x.workflowId}: attempt ${x.attempt}`);
  sample('Missing emails', e.missing, (x: any) => `${x.messageId} (${x.stage}, seq ${x.seq})`);
  sample(
    'Duplicated emails',
    e.duplicated,
    (x: any) => `${x.messageId} x${x.copies} at ${x.arrivals.join(', ')}: ${x.window ?? 'NOT explained by a kill or an outage'}`,
  );
  sample('Unexpected emails', e.unexpected, (x: string) => x);
  sample('Client anomalies', s.anomalies, (x: any) => `${x.applicationId ?? `#${x.index}`}: ${x.notes.join(' | ')}`);
  sample(
    'Processes that died by themselves',
    [...s.faults.apiExits, ...s.faults.workerExits],
    (x: any) => `${x.name} pid ${x.pid}: ${x.exit.code ?? x.exit.signal} during ${x.during}`,
  );
  lines.push('', 'Logs (warn and above):');
  for (const d of Object.values<LogDigest>(s.logs)) {
    lines.push(`  ${d.file}: ${d.lines} lines, ${d.warn} warn, ${d.error} error, ${d.other} other (banners, lines cut by a kill)`);
    for (const t of d.top) lines.push(`    ${String(t.count).padStart(5)}  ${t.level}  ${t.message}`);
  }
  lines.push('', s.passed ? 'PASSED' : `FAILED: ${s.failures.join('; ')}`, '');
  return lines.join('\n');
}
