// The Temporal CLI finder's order: TEMPORAL_CLI, PATH, $(go env GOPATH)/bin, the cache outside the checkout.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findTemporalCli } from '../../infra/temporal-cli.js';

describe('Temporal CLI finder', () => {
  let root: string;
  const saved = { ...process.env };
  const fakeCli = (dir: string) => {
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'temporal');
    writeFileSync(file, '#!/bin/sh\nexit 0\n');
    chmodSync(file, 0o755);
    return file;
  };

  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'ats-cli-'));
    // A world with no CLI anywhere, but Go still reachable for `go env GOPATH`.
    process.env.PATH = `${path.join(root, 'empty-bin')}${path.delimiter}/usr/local/go/bin`;
    process.env.GOPATH = path.join(root, 'gopath');
    process.env.XDG_CACHE_HOME = path.join(root, 'cache');
    delete process.env.TEMPORAL_CLI;
  });
  afterEach(() => {
    process.env = { ...saved };
    rmSync(root, { recursive: true, force: true });
  });

  const find = () => {
    const lines: string[] = [];
    const cli = findTemporalCli((line) => lines.push(line));
    return { cli, lines };
  };

  it('uses TEMPORAL_CLI first, and says so', () => {
    fakeCli(path.join(root, 'empty-bin'));
    process.env.TEMPORAL_CLI = fakeCli(path.join(root, 'explicit'));
    const { cli, lines } = find();
    assert.deepEqual(cli, { path: process.env.TEMPORAL_CLI, source: 'TEMPORAL_CLI' });
    assert.match(lines.join('\n'), /using .*explicit\/temporal \(from TEMPORAL_CLI\)/);
  });

  it('falls back to PATH when TEMPORAL_CLI is not an executable', () => {
    process.env.TEMPORAL_CLI = path.join(root, 'missing', 'temporal');
    const onPath = fakeCli(path.join(root, 'empty-bin'));
    assert.deepEqual(find().cli, { path: onPath, source: 'PATH' });
  });

  it('then looks in $(go env GOPATH)/bin', () => {
    const inGopath = fakeCli(path.join(root, 'gopath', 'bin'));
    assert.deepEqual(find().cli, { path: inGopath, source: 'GOPATH' });
  });

  it('then in the cache outside the checkout', () => {
    const cached = fakeCli(path.join(root, 'cache', 'ats-temporal', 'bin'));
    assert.deepEqual(find().cli, { path: cached, source: 'cache' });
  });
});
