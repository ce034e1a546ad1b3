// Code typed against @types/sockjs 0.3.36 (DefinitelyTyped's own test, and
// a use of every declaration) compiles with `tsc --strict` against the
// project installed as `sockjs`, under CommonJS and under NodeNext; and it
// does not against core's own, stricter, types.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const HERE = fileURLToPath(new URL('.', import.meta.url));

function tsc(project: string): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', project], { cwd: HERE, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

for (const project of ['types/tsconfig.json', 'types/tsconfig.nodenext.json']) {
  it(`@types/sockjs code compiles against the project as sockjs (${project})`, { timeout: 60_000 }, () => {
    const { status, output } = tsc(project);
    assert.equal(status, 0, output);
  });
}

it("the same code does not compile against @sockjs-server/core's own types", { timeout: 60_000 }, () => {
  const { status, output } = tsc('types/tsconfig.core.json');
  assert.notEqual(status, 0);
  assert.match(output, /has no exported member 'Server'/);
  assert.match(output, /Property 'sockjs_url' does not exist/);
});
