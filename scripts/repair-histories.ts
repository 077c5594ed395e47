// `npm run repair:histories [-- --query "<visibility query>"] [--apply]`: replays the history of every running
// application workflow against the current workflow code and lists those that fail, with why. Dry run unless
// --apply, which resets each of them to its first workflow task (see infra/history-repair.ts). Temporal comes
// from TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE (or a Temporal config profile), else the dev server of `npm run dev`;
// the workflow code from WORKFLOW_BUNDLE_PATH (the bundle the workers run), else the sources.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { bundleWorkflowCode } from '@temporalio/worker';
import { loadConfig } from '../infra/config.js';
import { findUnreplayable, resetToFirstWorkflowTask, runningApplicationsQuery } from '../infra/history-repair.js';
import { createLogger } from '../infra/logger.js';
import { connectClient } from '../infra/temporal.js';
import { installTemporalLogging } from '../infra/temporal-logging.js';
import { WORKFLOWS_PATH } from '../server/worker.js';

const USAGE = `npm run repair:histories [-- --query "<visibility query>"] [--apply]
  --query   narrow the running application workflows checked, e.g. "AtsCompanyId = '…'"
  --apply   reset each one that does not replay to its first workflow task (default: only list them)`;

const { values } = parseArgs({ options: { query: { type: 'string' }, apply: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } } });
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

const config = loadConfig();
// The replayer's own logs (a nondeterminism warning per failing history) would bury the report.
installTemporalLogging(createLogger(process.env.LOG_LEVEL ?? 'error', 'repair-histories'));
const bundlePath = process.env.WORKFLOW_BUNDLE_PATH ? path.resolve(process.env.WORKFLOW_BUNDLE_PATH) : undefined;
if (bundlePath && !existsSync(bundlePath)) {
  console.error(`repair:histories: WORKFLOW_BUNDLE_PATH=${bundlePath} does not exist`);
  process.exit(1);
}
const bundle = bundlePath
  ? { codePath: bundlePath }
  : await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error } as never });

const client = await connectClient(
  config.temporalAddress
    ? { address: config.temporalAddress, namespace: config.temporalNamespace }
    : { address: 'localhost:7233', namespace: config.temporalNamespace, local: true },
);
let exitCode = 0;
try {
  const query = runningApplicationsQuery(values.query);
  const { count } = await client.workflow.count(query);
  console.log(`Replaying about ${count} running application workflow(s) (${query}) against ${bundlePath ?? WORKFLOWS_PATH}`);
  const failing = await findUnreplayable(client, bundle, values.query);
  for (const run of failing) console.log(`\n${run.workflowId} (run ${run.runId}) does not replay:\n  ${run.error.replaceAll('\n', '\n  ')}`);
  if (!failing.length) console.log('Every history replays.');
  else if (!values.apply) {
    console.log(`\n${failing.length} workflow(s) do not replay. Dry run: nothing changed; --apply resets each to its first workflow task.`);
    exitCode = 1;
  } else {
    for (const run of failing) {
      try {
        const newRunId = await resetToFirstWorkflowTask(client, run.workflowId, run.runId);
        console.log(`reset ${run.workflowId}: run ${run.runId} terminated, new run ${newRunId}`);
      } catch (err) {
        console.error(`could not reset ${run.workflowId} (run ${run.runId}): ${err instanceof Error ? err.message : String(err)}`);
        exitCode = 1;
      }
    }
  }
} finally {
  await client.connection.close();
}
process.exit(exitCode);
