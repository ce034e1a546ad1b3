// Every published package loads both ways on Node 20: `import` gets the ESM
// build and `require()` the CommonJS one, and the two export the same names.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const packagesDir = fileURLToPath(new URL('../../packages/', import.meta.url));
const requireFromRoot = createRequire(new URL('../../package.json', import.meta.url));

const packages = readdirSync(packagesDir).map((dir) => JSON.parse(readFileSync(`${packagesDir}${dir}/package.json`, 'utf8')) as { name: string });

describe('module formats', () => {
  for (const { name } of packages) {
    it(`${name}: require() and import give the same exports`, async () => {
      const esm = (await import(name)) as Record<string, unknown>;
      const cjs = requireFromRoot(name) as Record<string, unknown>;
      const names = (m: Record<string, unknown>) => Object.keys(m).filter((k) => k !== '__esModule').sort();
      assert.ok(names(esm).length > 0, 'it exports something');
      assert.deepEqual(names(cjs), names(esm));
      for (const key of names(esm)) assert.equal(typeof cjs[key], typeof esm[key], key);
    });
  }
});
