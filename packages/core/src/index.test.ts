import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

test('the default export holds every runtime export, in the ESM and the CJS build', async () => {
  const named: Record<string, unknown> = await import('../dist/index.js');
  const cjs = createRequire(import.meta.url)('../dist/index.cjs') as Record<string, unknown>;
  for (const build of [named, cjs]) {
    const runtime = Object.keys(build).filter((k) => k !== 'default').sort();
    assert.deepEqual(Object.keys(build.default as object).sort(), runtime);
    for (const k of runtime) assert.equal((build.default as Record<string, unknown>)[k], build[k], k);
  }
});
