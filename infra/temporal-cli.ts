// Finds a Temporal CLI (which embeds the dev server and UI), in the order the README documents, and
// says which one it used or why none worked.
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';

export interface TemporalCli {
  /** Absolute path of the executable, or undefined when the SDK should download one itself. */
  path?: string;
  source: 'TEMPORAL_CLI' | 'PATH' | 'GOPATH' | 'cache' | 'go install' | 'sdk download';
}

/** Outside the checkout, so a fresh clone on the same machine reuses the binary. */
export function cliCacheDir(): string {
  return path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'ats-temporal', 'bin');
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && executable(path.join(dir, name))) return path.join(dir, name);
  }
  return undefined;
}

function goBin(): string | undefined {
  const go = onPath('go') ?? (executable('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
  return go;
}

function goPathBin(go: string | undefined): string | undefined {
  if (!go) return path.join(os.homedir(), 'go', 'bin');
  try {
    return path.join(execFileSync(go, ['env', 'GOPATH'], { encoding: 'utf8' }).trim().split(path.delimiter)[0] ?? '', 'bin');
  } catch {
    return undefined;
  }
}

export function findTemporalCli(log: (line: string) => void = (line) => console.error(line)): TemporalCli {
  const tried: string[] = [];
  const explicit = process.env.TEMPORAL_CLI;
  if (explicit) {
    if (executable(explicit)) return report(log, { path: explicit, source: 'TEMPORAL_CLI' });
    tried.push(`TEMPORAL_CLI=${explicit} is not an executable file`);
  }
  const fromPath = onPath('temporal');
  if (fromPath) return report(log, { path: fromPath, source: 'PATH' });
  tried.push('no temporal on PATH');

  const go = goBin();
  const gopathBin = goPathBin(go);
  if (gopathBin && executable(path.join(gopathBin, 'temporal'))) {
    return report(log, { path: path.join(gopathBin, 'temporal'), source: 'GOPATH' });
  }
  tried.push(`no temporal in ${gopathBin ?? '$(go env GOPATH)/bin'}`);
  const cached = path.join(cliCacheDir(), 'temporal');
  if (executable(cached)) return report(log, { path: cached, source: 'cache' });
  tried.push(`no temporal in ${cliCacheDir()}`);

  if (go) {
    log(`temporal CLI: building ${TEMPORAL_CLI_MODULE} with go install into ${cliCacheDir()} (about 3.5 minutes, once per machine)`);
    mkdirSync(cliCacheDir(), { recursive: true });
    const build = spawnSync(go, ['install', TEMPORAL_CLI_MODULE], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, GOBIN: cliCacheDir() },
    });
    if (build.status === 0 && executable(cached)) return report(log, { path: cached, source: 'go install' });
    tried.push(`go install ${TEMPORAL_CLI_MODULE} failed with exit code ${build.status}`);
  } else {
    tried.push('no Go toolchain to build the CLI with');
  }
  log(`temporal CLI: none found (${tried.join('; ')}); falling back to the SDK's download, which needs internet access`);
  return { source: 'sdk download' };
}

function report(log: (line: string) => void, cli: TemporalCli): TemporalCli {
  log(`temporal CLI: using ${cli.path} (from ${cli.source})`);
  return cli;
}
