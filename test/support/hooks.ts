// Mocha root hooks: the shared services stop once, after every test file has run.
import { stopTestServices } from './services.js';

export const mochaHooks = {
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    await stopTestServices();
  },
};
