// `npm run api`: the HTTP API and the reconciler, without a worker (run `npm run worker` beside it, scaled
// on its own). Everything external is required: PostgreSQL, SMTP and Temporal come from the environment and
// nothing is started here. SIGINT/SIGTERM: stop accepting connections, let in-flight requests finish, then
// close the Temporal client, mailer and database pool.
import { loadConfig } from '../infra/config.js';
import { createLogger } from '../infra/logger.js';
import { handleShutdownSignals, requireSettings } from '../infra/process.js';
import { startStack, stackOptionsFromConfig, type Stack } from '../server/stack.js';

const config = loadConfig();
requireSettings('api', [
  [!config.databaseUrl, 'DATABASE_URL'],
  [!config.smtpUrl, 'SMTP_URL'],
  [!config.temporalAddress, 'TEMPORAL_ADDRESS (or a Temporal config profile with an address)'],
  [!config.jwtSecret || config.jwtSecret === loadConfig({}).jwtSecret, 'JWT_SECRET (unset or the dev-only default)'],
]);

const logger = createLogger(config.logLevel, 'ats-api');
let stack: Stack | undefined;
const { shutdown } = handleShutdownSignals({
  logger,
  stop: async () => stack?.stop(),
  stopping: 'stopping: no new connections, finishing in-flight requests',
});

try {
  stack = await startStack({
    ...stackOptionsFromConfig(config, logger),
    apiPort: config.port,
    worker: false,
    reconciler: true,
  });
  logger.info({ url: stack.apiUrl, docs: `${stack.apiUrl}/docs`, taskQueue: config.taskQueue }, `API listening on ${stack.apiUrl}`);
} catch (err) {
  logger.error({ err }, 'API failed to start');
  await shutdown('startup failure', 1);
}
