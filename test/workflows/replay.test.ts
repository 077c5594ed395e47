// Replays histories recorded from real runs (test/record-histories.ts) against today's workflow code.
// A change that would break running applications fails here; guard such changes with patched().
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { testServices } from '../support/services.js';

const dir = path.resolve('test/fixtures/histories');
const fixtures = readdirSync(dir).filter((file) => file.endsWith('.json'));

describe('replay of recorded application histories', () => {
  it('has recorded histories to replay', () => {
    assert.ok(fixtures.length >= 3, `only ${fixtures.length} fixtures in ${dir}`);
  });

  for (const file of fixtures) {
    it(`replays ${file} without nondeterminism`, async () => {
      const history = historyFromJSON(JSON.parse(readFileSync(path.join(dir, file), 'utf8')));
      assert.ok((history.events?.length ?? 0) > 10, 'the fixture holds a real history');
      const { workflowBundle } = await testServices();
      await Worker.runReplayHistory({ workflowBundle }, history, path.basename(file, '.json'));
    });
  }
});
