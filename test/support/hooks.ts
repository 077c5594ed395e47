// Mocha root hooks: once every test file has run, every product workflow history the run created is replayed
// against the current code (a failure fails the run), then the shared services stop.
import { REPLAY_DEADLINE_MS, replayAllTestHistories } from './replay-all.js';
import { stopTestServices, testServices, testServicesRequested } from './services.js';

export const mochaHooks = {
  async afterAll(this: Mocha.Context) {
    this.timeout(REPLAY_DEADLINE_MS + 60_000);
    try {
      // Services that failed to start already failed the tests that asked for them; nothing to replay then.
      const services = testServicesRequested() ? await testServices().catch(() => undefined) : undefined;
      if (services) await replayAllTestHistories(services);
    } finally {
      await stopTestServices();
    }
  },
};
