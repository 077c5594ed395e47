// A real Temporal dev server (with its UI) started from the CLI binary the finder picked; used by
// `npm run dev`, the tests and the benchmark. The SDK's TestWorkflowEnvironment owns the child process.
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { findTemporalCli } from './temporal-cli.js';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes.js';

export interface DevServerOptions {
  /** SQLite file that keeps workflows across restarts; omit for an in-memory store (tests). */
  dbFilename?: string;
  port?: number;
  uiPort?: number;
  namespace?: string;
  log?: (line: string) => void;
}

export interface DevServer {
  env: TestWorkflowEnvironment;
  address: string;
  namespace: string;
  uiUrl?: string;
  stop(): Promise<void>;
}

/**
 * Server settings the product relies on, as `--dynamic-config-value` arguments. Eager activity dispatch: when a
 * workflow task schedules an activity on the worker's own task queue, the server hands the activity task back in
 * its answer to that workflow task instead of queueing it for a poll (a stage move's follow-up starts at once,
 * with less work for the server). Off by default in the server; production clusters set the same key.
 */
export const DEV_SERVER_DYNAMIC_CONFIG: readonly string[] = ['--dynamic-config-value', 'system.enableActivityEagerExecution=true'];

export async function startTemporalDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const cli = findTemporalCli(options.log);
  const namespace = options.namespace ?? 'default';
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: cli.path ? { type: 'existing-path', path: cli.path } : { type: 'cached-download' },
      dbFilename: options.dbFilename,
      port: options.port,
      ui: options.uiPort !== undefined,
      uiPort: options.uiPort,
      namespace,
      // Registered on every start; the dev server keeps existing ones in an old database.
      searchAttributes: SEARCH_ATTRIBUTES,
      log: { format: 'json', level: 'warn' },
      extraArgs: [...DEV_SERVER_DYNAMIC_CONFIG],
    },
  });
  const address = env.connection.options.address;
  return {
    env,
    address,
    namespace,
    uiUrl: options.uiPort !== undefined ? `http://localhost:${options.uiPort}` : undefined,
    stop: () => env.teardown(),
  };
}
