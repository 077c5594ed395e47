// Where an API request's time goes, measured inside the API's process (the benchmark's API process,
// api-process.ts, or the benchmark's own with --single-process) without touching the product: a request carrying the `x-bench-trace` header gets an AsyncLocalStorage store when the
// HTTP server starts it (diagnostics channel http.server.request.start), and the ORM connection's `execute` and
// the Temporal client's `executeUpdate` are wrapped to record, into that store, each SQL statement and Update the
// request ran, with start and end times. Work outside a traced request (the worker's activities) is not recorded.
import { AsyncLocalStorage } from 'node:async_hooks';
import dc from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { wallMs } from './workflow-history.js';

export const TRACE_HEADER = 'x-bench-trace';

export interface Span {
  label: string;
  /** Epoch ms (wall clock, sub-millisecond). */
  start: number;
  end: number;
}

export interface SqlSpan extends Span {
  /** The statement as sent to PostgreSQL (parameters inlined, as the ORM sends it). */
  sql: string;
}

export interface UpdateSpan extends Span {
  workflowId: string;
  updateId?: string;
}

export interface RequestTrace {
  id: string;
  /** The server began the request (headers parsed) and finished writing its answer. */
  start: number;
  finish: number;
  sql: SqlSpan[];
  updates: UpdateSpan[];
  /** Workflow starts (client.workflow.start). */
  starts: UpdateSpan[];
}

/** Names a statement by what the API uses it for; the labels the breakdown groups by. */
export type SqlClassifier = (sql: string) => string;

export interface RequestTracing {
  /** The trace of a finished request (removed from the tracer); from another process when the API runs in one. */
  take(id: string): Promise<RequestTrace | undefined>;
  stop(): void;
}

interface ExecutableConnection {
  execute: (...args: unknown[]) => Promise<unknown>;
  prepareQuery?: (query: unknown, params?: unknown) => { formatted: string };
}

export function installRequestTracing({ orm, client, classify }: { orm: MikroORM; client: Client; classify: SqlClassifier }): RequestTracing {
  const store = new AsyncLocalStorage<RequestTrace>();
  const traces = new Map<string, RequestTrace>();

  const onRequestStart = (message: unknown) => {
    const { request, response } = message as { request: IncomingMessage; response: ServerResponse };
    const id = request.headers[TRACE_HEADER];
    if (typeof id !== 'string') return;
    const trace: RequestTrace = { id, start: wallMs(), finish: NaN, sql: [], updates: [], starts: [] };
    traces.set(id, trace);
    response.once('finish', () => (trace.finish = wallMs()));
    // Published synchronously right before the server emits 'request': the handlers run in this store.
    store.enterWith(trace);
  };
  dc.subscribe('http.server.request.start', onRequestStart);

  // Forks of the entity manager share the driver's connection, so this one object runs every statement.
  const connection = orm.em.getConnection() as unknown as ExecutableConnection;
  const execute = connection.execute;
  connection.execute = async function (this: ExecutableConnection, ...args: unknown[]) {
    const trace = store.getStore();
    if (!trace) return execute.apply(this, args);
    const start = wallMs();
    try {
      return await execute.apply(this, args);
    } finally {
      const sql = connection.prepareQuery ? connection.prepareQuery(args[0], args[1]).formatted : String(args[0]);
      trace.sql.push({ label: classify(sql), sql, start, end: wallMs() });
    }
  };

  // Instance properties over the client's prototype methods; stop() deletes them again.
  const workflows = client.workflow;
  const start = workflows.start.bind(workflows);
  workflows.start = (async (...args: Parameters<typeof start>) => {
    const trace = store.getStore();
    if (!trace) return start(...args);
    const begun = wallMs();
    try {
      return await start(...args);
    } finally {
      trace.starts.push({ label: 'start', workflowId: args[1].workflowId, start: begun, end: wallMs() });
    }
  }) as typeof start;
  const getHandle = workflows.getHandle.bind(workflows);
  workflows.getHandle = ((...args: Parameters<typeof getHandle>) => {
    const handle: WorkflowHandle = getHandle(...args);
    const executeUpdate = handle.executeUpdate.bind(handle);
    handle.executeUpdate = async (...updateArgs: Parameters<typeof executeUpdate>) => {
      const trace = store.getStore();
      if (!trace) return executeUpdate(...updateArgs);
      const begun = wallMs();
      try {
        return await executeUpdate(...updateArgs);
      } finally {
        const options = updateArgs[1];
        trace.updates.push({ label: 'update', workflowId: handle.workflowId, updateId: options?.updateId, start: begun, end: wallMs() });
      }
    };
    return handle;
  }) as typeof getHandle;

  return {
    take(id) {
      const trace = traces.get(id);
      traces.delete(id);
      return Promise.resolve(trace);
    },
    stop() {
      dc.unsubscribe('http.server.request.start', onRequestStart);
      connection.execute = execute;
      Reflect.deleteProperty(workflows, 'getHandle');
      Reflect.deleteProperty(workflows, 'start');
    },
  };
}
