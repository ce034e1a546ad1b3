#!/usr/bin/env node
// Entry point of the README commands, runnable by plain npm on a machine that
// has only Node: installs the workspace with the pinned pnpm (through npx when
// pnpm is not installed), then runs the task.
//   node scripts/run.mjs test [files…]   build, then every *.test.ts (or the given ones)
//   node scripts/run.mjs demo            build, then start the demo (examples/demo)
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const PNPM = 'pnpm@10.34.9';

function run(command, args, cwd = root) {
  const result = spawnSync(command, args, { cwd, stdio: 'inherit', env: process.env });
  if (result.error) throw result.error;
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function pnpmIn(cwd, ...args) {
  const viaPnpm = process.env.npm_execpath?.includes('pnpm');
  if (viaPnpm) run(process.execPath, [process.env.npm_execpath, ...args], cwd);
  else run('npx', ['--yes', PNPM, ...args], cwd);
}

function pnpm(...args) {
  pnpmIn(root, ...args);
}

function testFiles() {
  const found = [];
  for (const dir of ['packages', 'test']) {
    for (const entry of readdirSync(join(root, dir), { recursive: true })) {
      const path = String(entry);
      if (path.endsWith('.test.ts') && !path.includes('node_modules') && !path.includes('dist')) found.push(join(dir, path));
    }
  }
  return found.sort();
}

const [task, ...rest] = process.argv.slice(2);
switch (task) {
  case 'install':
    pnpm('install', '--frozen-lockfile');
    break;
  case 'test': {
    pnpm('install', '--frozen-lockfile');
    pnpm('run', 'build');
    const files = rest.length > 0 ? rest : testFiles();
    // test/consumers is its own pnpm root (the real consumers of sockjs, from the npm registry).
    if (files.some((f) => f.includes('test/consumers/'))) pnpmIn(join(root, 'test/consumers'), 'install', '--frozen-lockfile');
    const concurrency = process.env.TEST_CONCURRENCY ?? '2';
    const progressReporter = process.stdout.isTTY ? 'spec' : 'tap';
    const reporters = [
      `--test-reporter=${progressReporter}`, '--test-reporter-destination=stdout',
      `--test-reporter=${join(root, 'scripts/failure-summary.mjs')}`, '--test-reporter-destination=stdout',
    ];
    run(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...reporters, ...files.map((f) => relative(root, join(root, f)))]);
    break;
  }
  case 'demo':
    pnpm('install', '--frozen-lockfile');
    pnpm('run', 'build');
    run(process.execPath, ['examples/demo/server.js', ...rest]);
    break;
  default:
    console.error('usage: node scripts/run.mjs test|demo|install');
    process.exit(2);
}
