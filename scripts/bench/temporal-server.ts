// The benchmark's Temporal dev server: the one infra/temporal-dev-server.ts starts (in memory, the search
// attributes registered), with the task queues' partition count set. The dev server's default is 4 partitions per
// task queue; with one worker's few non-sticky pollers, a new workflow's first task then sometimes waits about two
// seconds to be dispatched (measured here: raw starts went from ~100/s to ~27/s at concurrency 16, in bursts, and
// whichever side of a ratio a burst hit decided it). One partition, as a single worker polls it, makes the
// intake series measure the API and the workflows instead of those stalls.
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { findTemporalCli } from '../../infra/temporal-cli.js';
import { DEV_SERVER_DYNAMIC_CONFIG, startTemporalDevServer, type DevServer } from '../../infra/temporal-dev-server.js';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes.js';

/** `partitions` undefined: the dev server's own default (infra/temporal-dev-server.ts, unchanged). */
export async function startBenchTemporal(options: { partitions?: number; log: (line: string) => void }): Promise<DevServer> {
  if (options.partitions === undefined) return startTemporalDevServer({ log: options.log });
  const cli = findTemporalCli(options.log);
  const namespace = 'default';
  const partitions = String(options.partitions);
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: cli.path ? { type: 'existing-path', path: cli.path } : { type: 'cached-download' },
      namespace,
      searchAttributes: SEARCH_ATTRIBUTES,
      log: { format: 'json', level: 'warn' },
      extraArgs: [
        ...DEV_SERVER_DYNAMIC_CONFIG,
        '--dynamic-config-value',
        `matching.numTaskqueueReadPartitions=${partitions}`,
        '--dynamic-config-value',
        `matching.numTaskqueueWritePartitions=${partitions}`,
      ],
    },
  });
  return { env, address: env.connection.options.address, namespace, stop: () => env.teardown() };
}
