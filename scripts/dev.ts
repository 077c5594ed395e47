// `npm run dev`: the whole product on one machine. Uses TEMPORAL_ADDRESS, DATABASE_URL and SMTP_URL when
// set; otherwise starts a Temporal dev server with its UI, an embedded PostgreSQL and a local SMTP catcher,
// keeping their data in .data/ so a second run picks up where the first stopped.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../infra/config.js';
import { startDevMailbox } from '../infra/dev-mailbox.js';
import { startEmbeddedPostgres } from '../infra/embedded-postgres.js';
import { createLogger } from '../infra/logger.js';
import { handleShutdownSignals } from '../infra/process.js';
import { startTemporalDevServer } from '../infra/temporal-dev-server.js';
import { devTokenKey } from '../infra/token-crypto.js';
import type { TemporalTarget } from '../infra/temporal.js';
import { installTemporalLogging } from '../infra/temporal-logging.js';
import { DEMO_PASSWORD, DEMO_USERS, seedDemo } from '../db/seed.js';
import { startStack, stackOptionsFromConfig } from '../server/stack.js';

// Calendar tokens are encrypted with CALENDAR_TOKEN_KEY, else with a key made once in the data folder (for every
// part of this process that reads the environment, the worker's activities included).
process.env.CALENDAR_TOKEN_KEY ||= devTokenKey(path.resolve(process.env.ATS_DATA_DIR ?? '.data'));
const config = loadConfig();
const logger = createLogger(config.logLevel, 'ats-dev');
installTemporalLogging(logger);
mkdirSync(config.dataDir, { recursive: true });
const say = (line: string) => process.stdout.write(`${line}\n`);
const stops: { name: string; stop: () => Promise<void> }[] = [];

const { shutdown } = handleShutdownSignals({
  logger,
  stopping: 'stopping the API, worker, mail catcher, database and Temporal',
  async stop() {
    for (const { name, stop } of stops.reverse()) {
      await stop().catch((err: unknown) => logger.error({ err }, `stopping ${name} failed`));
      say(`  stopped ${name}`);
    }
  },
});

try {
  let temporal: TemporalTarget = { address: config.temporalAddress ?? '', namespace: config.temporalNamespace };
  let temporalUi: string | undefined;
  if (!config.temporalAddress) {
    const server = await startTemporalDevServer({
      dbFilename: path.join(config.dataDir, 'temporal.sqlite'),
      port: Number(process.env.TEMPORAL_PORT ?? 7233),
      uiPort: config.temporalUiPort,
      namespace: config.temporalNamespace,
      log: say,
    });
    stops.push({ name: 'Temporal dev server', stop: () => server.stop() });
    temporal = { address: server.address, namespace: server.namespace, local: true };
    temporalUi = server.uiUrl;
  }

  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    const database = await startEmbeddedPostgres({ dataDir: config.dataDir, port: Number(process.env.EMBEDDED_POSTGRES_PORT ?? 54329) });
    stops.push({ name: 'embedded PostgreSQL', stop: () => database.stop() });
    databaseUrl = database.url;
  }

  const mailbox = config.smtpUrl ? undefined : await startDevMailbox({ port: Number(process.env.DEV_SMTP_PORT ?? 2525) });
  if (mailbox) stops.push({ name: 'SMTP catcher', stop: () => mailbox.stop() });

  const options = stackOptionsFromConfig(config, logger);
  const stack = await startStack({
    ...options,
    // CV files go to the data folder unless CV_STORAGE_DIR names another.
    cv: { ...options.cv, storageDir: config.cvStorageDir ?? path.join(config.dataDir, 'cv-files') },
    databaseUrl,
    smtpUrl: config.smtpUrl ?? mailbox!.smtpUrl,
    temporal,
    apiPort: config.port,
    worker: true,
    reconciler: true,
    devMailbox: mailbox,
    // A receiver on this machine is the usual thing to try webhooks with in development.
    allowPrivateWebhookTargets: config.allowPrivateWebhookTargets ?? true,
  });
  stops.push({ name: 'API and worker', stop: () => stack.stop() });
  const demo = await seedDemo(stack.orm);

  const api = `http://localhost:${config.port}`;
  say('');
  say('ATS is running.');
  say(`  API            ${api}`);
  say(`  API docs       ${api}/docs   (OpenAPI: ${api}/api/openapi.json)`);
  say(`  Temporal UI    ${temporalUi ? `${temporalUi}/namespaces/${temporal.namespace}/workflows` : `(remote: ${temporal.address})`}`);
  say(`  Temporal gRPC  ${temporal.address}`);
  say(`  Dev mailbox    ${mailbox ? `${api}/dev/mailbox   (SMTP ${mailbox.smtpUrl})` : `(using SMTP_URL)`}`);
  say(`  Database       ${databaseUrl.replace(/\/\/[^@]*@/, '//***@')}`);
  say('');
  say(`Demo accounts${demo.created ? ' (just created)' : ''}, password "${DEMO_PASSWORD}":`);
  say(`  admin ${DEMO_USERS.admin}, recruiter ${DEMO_USERS.recruiter}, hiring manager ${DEMO_USERS.hiringManager}, candidate ${DEMO_USERS.candidate}`);
  say(`  open job ${demo.jobId}`);
  say('');
  say("Find an application in the Temporal UI with: AtsStage = 'interview' (or AtsCompanyId, AtsJobId, AtsStatus).");
  say('Ctrl-C stops everything.');
} catch (err) {
  logger.error({ err }, 'npm run dev failed to start');
  await shutdown('startup failure', 1);
}
