// `npm run api`: the HTTP API and the reconciler, without a worker (run `npm run worker` beside it, scaled
// on its own). Everything external is required: PostgreSQL, SMTP and Temporal come from the environment and
// nothing is started here. SIGINT/SIGTERM: stop accepting connections, let in-flight requests finish, then
// close the Temporal client, mailer and database pool.
import { loadConfig } from '../infra/config.js';
import { createLogger } from '../infra/logger.js';
import { startStack, type Stack } from '../infra/stack.js';

const config = loadConfig();
const temporalAddress = config.temporalAddress;
const missing = [
  !config.databaseUrl && 'DATABASE_URL',
  !config.smtpUrl && 'SMTP_URL',
  !temporalAddress && 'TEMPORAL_ADDRESS (or a Temporal config profile with an address)',
  (!config.jwtSecret || config.jwtSecret === loadConfig({}).jwtSecret) && 'JWT_SECRET (unset or the dev-only default)',
].filter((name): name is string => typeof name === 'string');
if (missing.length) {
  console.error(`api: missing configuration: ${missing.join(', ')}. See .env.example; \`npm run dev\` starts local services instead.`);
  process.exit(1);
}

const logger = createLogger(config.logLevel, 'ats-api');
let stack: Stack | undefined;
let stoppingSince = 0;
/** Exits once pino's asynchronous stdout writes are out, so the last lines are neither lost nor reordered. */
const exit = (code: number) => logger.flush(() => process.exit(code));

async function shutdown(signal: string) {
  if (stoppingSince) {
    // Ctrl-C can arrive twice (from the terminal and relayed by npm or tsx); only a later signal forces.
    if (Date.now() - stoppingSince < 2000) return;
    logger.warn({ signal }, 'second signal: exiting without finishing in-flight requests');
    exit(1);
  }
  stoppingSince = Date.now();
  logger.info({ signal }, 'stopping: no new connections, finishing in-flight requests');
  let exitCode = 0;
  try {
    await stack?.stop();
    logger.info('stopped');
  } catch (err) {
    logger.error({ err }, 'shutdown failed');
    exitCode = 1;
  }
  exit(exitCode);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

try {
  stack = await startStack({
    logger,
    databaseUrl: config.databaseUrl!,
    smtpUrl: config.smtpUrl!,
    mailFrom: config.mailFrom,
    temporal: { address: temporalAddress!, namespace: config.temporalNamespace },
    taskQueue: config.taskQueue,
    jwt: { secret: config.jwtSecret, expiresIn: config.jwtExpiresIn },
    apiPort: config.port,
    worker: false,
    reconciler: true,
  });
  logger.info({ url: stack.apiUrl, docs: `${stack.apiUrl}/docs`, taskQueue: config.taskQueue }, `API listening on ${stack.apiUrl}`);
} catch (err) {
  logger.error({ err }, 'API failed to start');
  exit(1);
}
