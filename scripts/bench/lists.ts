// Lists at scale: N applications across C companies (default 100,000 across 10) seeded straight into PostgreSQL
// (candidates, jobs, applications and their stage_transition histories, generate_series in a few statements),
// then GET /api/applications with each filter (job, stage, status, a cursor page of 50) and GET
// /api/applications/:id through the API, each sample next to the exact SQL the API runs for it (built by the
// same db/applications.ts functions, checked against what the API sent, run on a pg pool like the API's) and to
// the same SQL through the floor (sql-floor.ts: a bare HTTP handler in the API's process), in rotating order. The
// API p99 over the SQL p99 is each query's ratio, the floor's p99 over the SQL p99 what any HTTP API answering the
// query pays; EXPLAIN (ANALYZE) of each query shows whether its plan uses indexes (no Seq Scan, no Sort of more
// than a page's rows).
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { toApplicationView } from '../../api/applications/schemas.js';
import { encodeCursor, toPage } from '../../api/pagination.js';
import {
  findApplication,
  findStaffDetail,
  listApplications,
  listTransitions,
  type ApplicationFilter,
  type ApplicationRow,
  type StaffDetailRow,
  type TransitionRow,
} from '../../db/applications.js';
import type { Db, Viewer } from '../../db/sql.js';
import { findAccount } from '../../db/users.js';
import { createCompany, unique, type Api, type Company } from '../support/api-client.js';
import { pool, progress, stats, type Stats } from './measure.js';
import { AUTH_LOOKUP } from './move-breakdown.js';
import { TRACE_HEADER, type RequestTracing } from './request-trace.js';
import type { SqlFloorRequest } from './sql-floor.js';
import { wallMs } from './workflow-history.js';

export interface ListsOptions {
  applications: number;
  companies: number;
  jobsPerCompany: number;
  /** Samples of each query, API and SQL each. */
  samples: number;
  warmup: number;
  rounds: number;
  /** Page size of every list call (the API's default). */
  limit: number;
}

export interface PlanFigures {
  /** Which parameters the plan is for (e.g. stage=offer). */
  variant: string;
  /** Every node of the plans, in plan order: type, index, relation. */
  nodes: string[];
  /** Tables read by a Seq Scan, with their size in pages (8 KiB). */
  seqScans: { table: string; pages: number }[];
  /** When there are Seq Scans: the plan's nodes with enable_seqscan off (whether an index path exists). */
  withoutSeqScan?: string[];
  /** Sort nodes with how many rows each sorted. */
  sorts: { rows: number; method: string }[];
  /** Rows of the application table the plan's scans read (returned plus filtered out, every loop). */
  applicationRowsRead: number;
  executionMs: number;
}

export interface ListQueryFigures {
  /** The API route and filter. */
  request: string;
  apiMs: Stats;
  sqlMs: Stats;
  /**
   * The same SQL through the bare HTTP handler in the API's process, on the API's pool, with the account check
   * beside it, rows as JSON (sql-floor.ts): what any HTTP API answering this query pays, before the token,
   * validation and the view.
   */
  floorMs: Stats;
  /** Samples whose SQL, as the API sent it (auth lookup aside), was the SQL run raw. */
  sqlIdentical: number;
  /**
   * From the API's traces, p50 ms: request -> auth lookup (Express, JWT), the auth lookup, auth lookup -> the query
   * (route validation), the query's own SQL (as the API timed it), and the query -> the answer written (view, JSON).
   */
  apiParts: { beforeAuthP50: number; authLookupP50: number; authToQueryP50: number; dataSqlP50: number; afterQueryP50: number };
  /**
   * Where the API's tail is, from the same traces: the server's time (request started -> answer written) and its
   * query's SQL as the API timed it, ms; what the client saw above the server's time is HTTP and event loops.
   */
  apiServerMs: Stats;
  apiDataSqlMs: Stats;
  plans: PlanFigures[];
  /**
   * In every plan: no Seq Scan of a table over SMALL_TABLE_PAGES, no Sort of more than BIG_SORT_ROWS rows, and at
   * most two pages' worth of application rows read (a page is found through an index, not by reading past others).
   */
  indexed: boolean;
  /** In-process, on the SQL side's rows: the route's view of them (toPage / toApplicationView) and JSON.stringify, ms. */
  viewAndJsonMs: Stats;
}

export interface ListsFigures {
  applications: number;
  companies: number;
  jobs: number;
  transitions: number;
  seedSeconds: number;
  queries: Record<ListQueryKind, ListQueryFigures>;
  /** What any call to the API costs, interleaved with the queries: GET /healthz (HTTP, Express, no auth, no SQL), ms. */
  healthzMs: Stats;
}

/** A Seq Scan of a table this small (512 KiB) is the planner's cheaper choice, not a missing index; see withoutSeqScan. */
export const SMALL_TABLE_PAGES = 64;
export const BIG_SORT_ROWS = 1000;

export type ListQueryKind = 'job' | 'stage' | 'status' | 'cursor' | 'detail';

const STAGES = ['applied', 'screening', 'interview', 'offer', 'hired', 'rejected', 'withdrawn'] as const;
const STATUSES = ['active', 'hired', 'rejected', 'withdrawn'] as const;

// ------------------------------------------------------------------------------------------------ seeding

/**
 * One company's applications in three statements: the candidates and applications (stage by a fixed mix, created
 * over the last year, spread over the company's jobs), then every application's history from its stage's path.
 */
async function seedCompany(db: pg.Client, company: { id: string; actorId: string }, n: number, jobIds: string[]): Promise<void> {
  await db.query(
    `with src as (
       select g as n, gen_random_uuid() as candidate_id, gen_random_uuid() as application_id,
              now() - random() * interval '365 days' as created_at, random() as r, ($3::uuid[])[1 + floor(random() * cardinality($3::uuid[]))::int] as job_id
       from generate_series(1, $2) g
     ), staged as (
       select *, case when r < 0.35 then 'applied' when r < 0.55 then 'screening' when r < 0.70 then 'interview' when r < 0.75 then 'offer'
                      when r < 0.80 then 'hired' when r < 0.95 then 'rejected' else 'withdrawn' end as stage
       from src
     ), cand as (
       insert into candidate (id, company_id, user_id, name, email, phone, links, created_at)
       select candidate_id, $1, null, 'Bench Applicant ' || n, 'bench-list-' || application_id || '@example.test', null, '[]'::jsonb, created_at from staged
     )
     insert into application (id, company_id, job_id, candidate_id, stage, status, transition_seq, workflow_id, workflow_started_at, cover_letter,
                              pipeline_template_version_id, created_at, updated_at)
     select application_id, $1, job_id, candidate_id, stage,
            case stage when 'hired' then 'hired' when 'rejected' then 'rejected' when 'withdrawn' then 'withdrawn' else 'active' end,
            case stage when 'applied' then 0 when 'screening' then 1 when 'interview' then 2 when 'offer' then 3 when 'hired' then 4
                       when 'rejected' then 2 else 1 end,
            'application-' || application_id, created_at, 'Seeded for the list benchmark', null, created_at, created_at
     from staged`,
    [company.id, n, jobIds],
  );
  await db.query(
    `insert into stage_transition (id, company_id, application_id, seq, from_stage, to_stage, event, actor_id, reason, at)
     select gen_random_uuid(), a.company_id, a.id, s.seq, p.path[s.seq], p.path[s.seq + 1],
            case when s.seq = 0 then 'APPLY' when p.path[s.seq + 1] = 'rejected' then 'REJECT' when p.path[s.seq + 1] = 'withdrawn' then 'WITHDRAW'
                 when p.path[s.seq + 1] = 'hired' then 'HIRE' else 'ADVANCE' end,
            case when s.seq = 0 then null else $2::uuid end,
            case when p.path[s.seq + 1] = 'rejected' then 'Not a fit' end,
            a.created_at + s.seq * interval '1 hour'
     from application a
     cross join lateral (select case a.stage
         when 'applied' then array['applied'] when 'screening' then array['applied', 'screening']
         when 'interview' then array['applied', 'screening', 'interview'] when 'offer' then array['applied', 'screening', 'interview', 'offer']
         when 'hired' then array['applied', 'screening', 'interview', 'offer', 'hired'] when 'rejected' then array['applied', 'screening', 'rejected']
         else array['applied', 'withdrawn'] end as path) p
     cross join lateral generate_series(0, a.transition_seq) as s(seq)
     where a.company_id = $1`,
    [company.id, company.actorId],
  );
}

// ------------------------------------------------------------------------------------------------ plans

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  Alias?: string;
  'Sort Method'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  Plans?: PlanNode[];
}

function walk(node: PlanNode, into: PlanFigures) {
  const type = node['Node Type'];
  const where = `${node['Index Name'] ? ` using ${node['Index Name']}` : ''}${node['Relation Name'] ? ` on ${node['Relation Name']}` : ''}`;
  into.nodes.push(`${type}${where}`);
  if (type === 'Seq Scan') into.seqScans.push({ table: node['Relation Name'] ?? '?', pages: NaN });
  if (node['Relation Name'] === 'application' && type.endsWith('Scan')) {
    const read = (node['Actual Rows'] ?? 0) + (node['Rows Removed by Filter'] ?? 0) + (node['Rows Removed by Index Recheck'] ?? 0);
    into.applicationRowsRead += read * (node['Actual Loops'] ?? 1);
  }
  if (type === 'Sort' || type === 'Incremental Sort') {
    const input = node.Plans?.[0];
    into.sorts.push({ rows: (input?.['Actual Rows'] ?? 0) * (input?.['Actual Loops'] ?? 1), method: node['Sort Method'] ?? '' });
  }
  for (const child of node.Plans ?? []) walk(child, into);
}

async function explain(sqlPool: pg.Pool, variant: string, statements: string[]): Promise<PlanFigures> {
  const figures: PlanFigures = { variant, nodes: [], seqScans: [], sorts: [], applicationRowsRead: 0, executionMs: 0 };
  for (const sql of statements) {
    const { rows } = await sqlPool.query<{ 'QUERY PLAN': { Plan: PlanNode; 'Execution Time': number }[] }>(`explain (analyze, format json) ${sql}`);
    const plan = rows[0]!['QUERY PLAN'][0]!;
    walk(plan.Plan, figures);
    figures.executionMs += plan['Execution Time'];
  }
  if (figures.seqScans.length) {
    const { rows } = await sqlPool.query<{ relname: string; relpages: number }>('select relname, relpages from pg_class where relname = any($1)', [
      figures.seqScans.map((s) => s.table),
    ]);
    for (const scan of figures.seqScans) scan.pages = rows.find((row) => row.relname === scan.table)?.relpages ?? NaN;
    // Is there an index path the planner passed over? Plan again (no ANALYZE) with sequential scans discouraged.
    const client = await sqlPool.connect();
    try {
      await client.query('begin');
      await client.query('set local enable_seqscan = off');
      const alternative: PlanFigures = { variant, nodes: [], seqScans: [], sorts: [], applicationRowsRead: 0, executionMs: 0 };
      for (const sql of statements) {
        const { rows: plans } = await client.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(`explain (format json) ${sql}`);
        walk(plans[0]!['QUERY PLAN'][0]!.Plan, alternative);
      }
      figures.withoutSeqScan = alternative.nodes;
    } finally {
      await client.query('rollback').catch(() => undefined);
      client.release();
    }
  }
  return figures;
}

// ------------------------------------------------------------------------------------------------ measuring

interface Sample {
  path: string;
  /** The statements the API runs for it (beside the auth lookup), and whether it runs them all at once. */
  sql: string[];
  parallel: boolean;
  variant: string;
}

/** The SQL a db/applications.ts read sends, formatted as the ORM's connection sends it, without running it. */
async function recordSql(orm: MikroORM, read: (db: Db) => Promise<unknown>): Promise<string[]> {
  const connection = orm.em.getConnection() as unknown as { prepareQuery(query: string, params?: unknown[]): { formatted: string } };
  const sent: string[] = [];
  const recorder: Db = {
    getConnection: () => ({
      execute: (async (sql: string, params?: unknown[]) => {
        sent.push(connection.prepareQuery(sql, params ?? []).formatted);
        return [];
      }) as never,
    }),
  };
  await read(recorder);
  return sent;
}

export async function measureLists(
  deps: { api: Api; db: pg.Client; databaseUrl: string; orm: MikroORM; tracing: RequestTracing; sqlFloorUrl: string },
  options: ListsOptions,
): Promise<ListsFigures> {
  // --- companies through the API (their recruiters sign in), then everything else in SQL
  progress(`lists: ${options.companies} companies through the API`);
  const companies: Company[] = new Array(options.companies);
  await pool(options.companies, 2, async (i) => {
    companies[i] = await createCompany(deps.api, unique(`bench-list-${i}`));
  });
  const seedStarted = performance.now();
  const jobs = new Map<string, string[]>();
  for (const company of companies) {
    const { rows } = await deps.db.query<{ id: string }>(
      `insert into job (id, company_id, title, description, location, status, created_by_id, created_at, updated_at, pipeline_template_version_id)
       select gen_random_uuid(), $1, 'Bench list job ' || g, 'Seeded for the list benchmark', 'Remote', 'open', $2, now(), now(), null
       from generate_series(1, $3) g returning id`,
      [company.id, company.admin.id, options.jobsPerCompany],
    );
    jobs.set(
      company.id,
      rows.map((row) => row.id),
    );
  }
  const perCompany = Math.ceil(options.applications / options.companies);
  for (const [i, company] of companies.entries()) {
    await seedCompany(deps.db, { id: company.id, actorId: company.recruiter.id }, perCompany, jobs.get(company.id)!);
    progress(`lists: seeded ${(i + 1) * perCompany} applications with their histories (${((performance.now() - seedStarted) / 1000).toFixed(1)}s)`);
  }
  // Vacuumed as well as analysed, as a table this size long in use is: otherwise autovacuum (inserts past its
  // threshold) starts on these tables in the middle of the samples, and every read first sets the new rows' hint bits.
  await deps.db.query('vacuum (analyze) company, app_user, pipeline_template_version, candidate, job, application, stage_transition');
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  const { rows: counted } = await deps.db.query<{ applications: string; transitions: string }>(
    `select (select count(*) from application where company_id = any($1)) as applications,
            (select count(*) from stage_transition where company_id = any($1)) as transitions`,
    [companies.map((c) => c.id)],
  );
  progress(`lists: ${counted[0]?.applications} applications, ${counted[0]?.transitions} transitions seeded in ${seedSeconds.toFixed(1)}s`);

  // Rows to page from and to open, per company.
  const picks = new Map<string, { id: string; created_at: Date }[]>();
  for (const company of companies) {
    const { rows } = await deps.db.query<{ id: string; created_at: Date }>(
      'select id, created_at from application where company_id = $1 order by random() limit 200',
      [company.id],
    );
    picks.set(company.id, rows);
  }

  // --- the samples: each kind rotates over companies and its parameters
  const viewerOf = (company: Company): Viewer => ({ userId: company.recruiter.id, role: 'recruiter', companyId: company.id });
  let counter = 0;
  const listSample = async (company: Company, filter: Omit<ApplicationFilter, 'limit'>, variant: string): Promise<Sample> => {
    const query = new URLSearchParams({ limit: String(options.limit) });
    if (filter.jobId) query.set('jobId', filter.jobId);
    if (filter.stage) query.set('stage', filter.stage);
    if (filter.status) query.set('status', filter.status);
    if (filter.cursor) query.set('cursor', encodeCursor(filter.cursor));
    const sql = await recordSql(deps.orm, (db) => listApplications(db, viewerOf(company), { ...filter, limit: options.limit }));
    return { path: `/api/applications?${query.toString()}`, sql, parallel: false, variant };
  };
  const pick = <T>(xs: readonly T[], i: number) => xs[i % xs.length]!;
  const makers: Record<ListQueryKind, (i: number) => Promise<Sample>> = {
    job: (i) => {
      const company = pick(companies, i);
      return listSample(company, { jobId: pick(jobs.get(company.id)!, Math.floor(i / companies.length)) }, 'jobId');
    },
    stage: (i) => {
      const stage = pick(STAGES, Math.floor(i / companies.length));
      return listSample(pick(companies, i), { stage }, `stage=${stage}`);
    },
    status: (i) => {
      const status = pick(STATUSES, Math.floor(i / companies.length));
      return listSample(pick(companies, i), { status }, `status=${status}`);
    },
    cursor: (i) => {
      const company = pick(companies, i);
      const row = pick(picks.get(company.id)!, Math.floor(i / companies.length));
      return listSample(company, { cursor: { createdAt: new Date(row.created_at), id: row.id } }, 'cursor');
    },
    detail: async (i) => {
      const company = pick(companies, i);
      const { id } = pick(picks.get(company.id)!, Math.floor(i / companies.length) + 100);
      const sql = await recordSql(deps.orm, async (db) => {
        await findApplication(db, viewerOf(company), id);
        await listTransitions(db, id);
        await findStaffDetail(db, id);
      });
      return { path: `/api/applications/${id}`, sql, parallel: true, variant: 'id' };
    },
  };
  const companyOf = (i: number) => pick(companies, i);
  // The account check each request's token gets (db/users.ts), as the API sends it, for the floor.
  const accountChecks = new Map<Company, string>();
  for (const company of companies) {
    const [sql] = await recordSql(deps.orm, (db) => findAccount(db as EntityManager, company.recruiter.id));
    accountChecks.set(company, sql!);
  }

  // The SQL side: a pool as large as the ORM's, simple-protocol queries with the values inlined, as the ORM sends them.
  const sqlPool = new pg.Pool({ connectionString: deps.databaseUrl, max: 10 });
  sqlPool.on('error', (err) => progress(`lists: SQL pool: ${String(err)}`));
  try {
    const runSql = async (sample: Sample): Promise<unknown[][]> => {
      if (sample.parallel) return (await Promise.all(sample.sql.map((sql) => sqlPool.query(sql)))).map((r) => r.rows);
      const results: unknown[][] = [];
      for (const sql of sample.sql) results.push((await sqlPool.query(sql)).rows);
      return results;
    };
    /** What the route does with the rows before answering: its view of them, then JSON.stringify (api/route.ts). */
    const viewAndJson = (kind: ListQueryKind, results: unknown[][]) => {
      const start = performance.now();
      if (kind === 'detail') {
        const [[row], history, [staff]] = results as [ApplicationRow[], TransitionRow[], StaffDetailRow[]];
        JSON.stringify(toApplicationView(row!, history, staff));
      } else {
        const rows = results[0] as ApplicationRow[];
        JSON.stringify(
          toPage(
            rows,
            options.limit,
            (row) => ({ createdAt: new Date(row.created_at), id: row.id }),
            (row) => toApplicationView(row),
          ),
        );
      }
      return performance.now() - start;
    };
    const healthz: number[] = [];
    type Measured = {
      api: number[];
      sql: number[];
      floor: number[];
      view: number[];
      identical: number;
      beforeAuth: number[];
      auth: number[];
      authToQuery: number[];
      data: number[];
      afterQuery: number[];
      server: number[];
      variants: Map<string, string[]>;
    };
    const measured = new Map<ListQueryKind, Measured>();
    const kinds = Object.keys(makers) as ListQueryKind[];
    for (const kind of kinds) {
      measured.set(kind, {
        api: [],
        sql: [],
        floor: [],
        view: [],
        identical: 0,
        beforeAuth: [],
        auth: [],
        authToQuery: [],
        data: [],
        afterQuery: [],
        server: [],
        variants: new Map(),
      });
    }

    const one = async (kind: ListQueryKind, i: number, record: boolean) => {
      const sample = await makers[kind](i);
      const company = companyOf(i);
      const traceId = `list-${kind}-${counter++}`;
      const apiCall = async () => {
        const start = wallMs();
        const res = await company.recruiter.api.request('GET', sample.path, undefined, { headers: { [TRACE_HEADER]: traceId } });
        const ms = wallMs() - start;
        if (res.status !== 200) throw new Error(`GET ${sample.path}: ${res.status} ${JSON.stringify(res.body)}`);
        return ms;
      };
      let results: unknown[][] = [];
      const sqlCall = async () => {
        const start = wallMs();
        results = await runSql(sample);
        return wallMs() - start;
      };
      const floorCall = async () => {
        const start = wallMs();
        const res = await fetch(deps.sqlFloorUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ statements: sample.sql, parallel: sample.parallel, accountCheck: accountChecks.get(company)! } satisfies SqlFloorRequest),
        });
        const body = await res.text();
        const ms = wallMs() - start;
        if (res.status !== 200) throw new Error(`SQL floor: ${res.status} ${body}`);
        return ms;
      };
      // Rotate which goes first, so none always finds another's pages freshly read.
      const calls = [apiCall, sqlCall, floorCall];
      const took: number[] = [];
      for (let k = 0; k < calls.length; k++) {
        const which = (i + k) % calls.length;
        took[which] = await calls[which]!();
      }
      const [apiMs, sqlMs, floorMs] = took as [number, number, number];
      const trace = await deps.tracing.take(traceId);
      if (!record) return;
      const m = measured.get(kind)!;
      m.api.push(apiMs);
      m.sql.push(sqlMs);
      m.floor.push(floorMs);
      m.view.push(viewAndJson(kind, results));
      if (!m.variants.has(sample.variant)) m.variants.set(sample.variant, sample.sql);
      if (trace) {
        const data = trace.sql.filter((q) => q.label !== AUTH_LOOKUP);
        if (data.length === sample.sql.length && data.every((q) => sample.sql.includes(q.sql))) m.identical++;
        const spent = (qs: typeof trace.sql) => qs.reduce((total, q) => total + (q.end - q.start), 0);
        const auth = spent(trace.sql.filter((q) => q.label === AUTH_LOOKUP));
        // The detail's statements run together: their wall time, not their sum.
        const dataMs = sample.parallel ? Math.max(...data.map((q) => q.end)) - Math.min(...data.map((q) => q.start)) : spent(data);
        const authSpan = trace.sql.find((q) => q.label === AUTH_LOOKUP);
        if (authSpan && data.length) {
          m.beforeAuth.push(authSpan.start - trace.start);
          m.auth.push(auth);
          m.authToQuery.push(Math.min(...data.map((q) => q.start)) - authSpan.end);
          m.data.push(dataMs);
          m.afterQuery.push(trace.finish - Math.max(...data.map((q) => q.end)));
          m.server.push(trace.finish - trace.start);
        }
      }
    };

    progress(`lists: warm-up, ${options.warmup} of each query`);
    for (const kind of kinds) for (let i = 0; i < options.warmup; i++) await one(kind, i, false);
    progress(`lists: ${options.samples} samples of each query, API and SQL alternating, in ${options.rounds} interleaved rounds`);
    for (let r = 0; r < options.rounds; r++) {
      const order = kinds.map((_, k) => kinds[(k + r) % kinds.length]!);
      for (const kind of order) {
        const from = Math.ceil((options.samples * r) / options.rounds);
        const to = Math.ceil((options.samples * (r + 1)) / options.rounds);
        for (let i = from; i < to; i++) await one(kind, i, true);
      }
      // What any call to the API costs: HTTP and Express, without auth or SQL (not the lists' floor, which runs the SQL).
      for (let i = Math.ceil((options.samples * r) / options.rounds); i < Math.ceil((options.samples * (r + 1)) / options.rounds); i++) {
        const start = wallMs();
        const res = await deps.api.get('/healthz');
        healthz.push(wallMs() - start);
        if (res.status !== 200) throw new Error(`GET /healthz: ${res.status}`);
      }
    }

    progress('lists: EXPLAIN ANALYZE of each query and filter value');
    const requests: Record<ListQueryKind, string> = {
      job: 'GET /api/applications?jobId=…',
      stage: 'GET /api/applications?stage=…',
      status: 'GET /api/applications?status=…',
      cursor: `GET /api/applications?cursor=… (page of ${options.limit})`,
      detail: 'GET /api/applications/:id (3 statements at once)',
    };
    const queries = {} as Record<ListQueryKind, ListQueryFigures>;
    for (const kind of kinds) {
      const m = measured.get(kind)!;
      const plans: PlanFigures[] = [];
      for (const [variant, statements] of m.variants) plans.push(await explain(sqlPool, variant, statements));
      queries[kind] = {
        request: requests[kind],
        apiMs: stats(m.api),
        sqlMs: stats(m.sql),
        floorMs: stats(m.floor),
        sqlIdentical: m.identical,
        apiParts: {
          beforeAuthP50: stats(m.beforeAuth).p50,
          authLookupP50: stats(m.auth).p50,
          authToQueryP50: stats(m.authToQuery).p50,
          dataSqlP50: stats(m.data).p50,
          afterQueryP50: stats(m.afterQuery).p50,
        },
        apiServerMs: stats(m.server),
        apiDataSqlMs: stats(m.data),
        plans,
        indexed: plans.every(
          (p) =>
            p.seqScans.every((x) => x.pages <= SMALL_TABLE_PAGES) &&
            p.sorts.every((x) => x.rows <= BIG_SORT_ROWS) &&
            p.applicationRowsRead <= 2 * (options.limit + 1),
        ),
        viewAndJsonMs: stats(m.view),
      };
    }
    return {
      applications: Number(counted[0]?.applications),
      companies: options.companies,
      jobs: options.companies * options.jobsPerCompany,
      transitions: Number(counted[0]?.transitions),
      seedSeconds,
      queries,
      healthzMs: stats(healthz),
    };
  } finally {
    await sqlPool.end();
  }
}
