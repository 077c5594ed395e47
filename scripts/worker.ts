// `npm run worker`: the Temporal worker (workflows and activities) without the API; run as many as load needs.
// Everything external is required: PostgreSQL, SMTP and Temporal come from the environment. With
// WORKFLOW_BUNDLE_PATH (written by `npm run build:workflows`) it loads that prebuilt bundle, as production
// images do; otherwise it bundles the workflows from source at start. SIGINT/SIGTERM: stop polling, let
// in-flight workflow and activity tasks finish, then close the connections.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../infra/config.js';
import { createLogger } from '../infra/logger.js';
import { handleShutdownSignals, requireSettings } from '../infra/process.js';
import { startStack, stackOptionsFromConfig, type Stack } from '../server/stack.js';

const config = loadConfig();
requireSettings('worker', [
  [!config.databaseUrl, 'DATABASE_URL'],
  [!config.smtpUrl, 'SMTP_URL'],
  [!config.temporalAddress, 'TEMPORAL_ADDRESS (or a Temporal config profile with an address)'],
]);
const bundlePath = process.env.WORKFLOW_BUNDLE_PATH ? path.resolve(process.env.WORKFLOW_BUNDLE_PATH) : undefined;
if (bundlePath && !existsSync(bundlePath)) {
  console.error(`worker: WORKFLOW_BUNDLE_PATH=${bundlePath} does not exist; build it with \`npm run build:workflows\` or unset it.`);
  process.exit(1);
}

const logger = createLogger(config.logLevel, 'ats-worker');
let stack: Stack | undefined;
const { shutdown } = handleShutdownSignals({
  logger,
  stop: async () => stack?.stop(),
  stopping: 'stopping: no new tasks, finishing in-flight ones',
});

logger.info(bundlePath ? { workflowBundle: bundlePath } : {}, bundlePath ? 'loading the prebuilt workflow bundle' : 'bundling workflows from source');
try {
  stack = await startStack({
    ...stackOptionsFromConfig(config, logger),
    apiPort: false,
    worker: bundlePath ? { workflowBundle: { codePath: bundlePath } } : true,
  });
  logger.info(
    { taskQueue: config.taskQueue, namespace: stack.client.options.namespace, maxCachedWorkflows: stack.worker?.options.maxCachedWorkflows },
    `worker polling task queue ${config.taskQueue}`,
  );
} catch (err) {
  logger.error({ err }, 'worker failed to start');
  await shutdown('startup failure', 1);
}
