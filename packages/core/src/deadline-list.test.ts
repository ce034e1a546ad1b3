import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeadlineList, deadlineClock, type DeadlineMember } from './deadline-list.js';

class Member implements DeadlineMember {
  deadlineList: DeadlineList | null = null;
  deadlinePrev: DeadlineMember | null = null;
  deadlineNext: DeadlineMember | null = null;
  dueAt = 0;
  constructor(
    readonly name: string,
    private readonly fired: string[],
    private readonly then: () => void = () => {},
  ) {}
  onDeadline(): void {
    this.fired.push(this.name);
    this.then();
  }
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > 3000) assert.fail(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

test('members fire in the order they joined, once each, and leave the list', async () => {
  const list = new DeadlineList(30);
  const fired: string[] = [];
  const [a, b, c] = ['a', 'b', 'c'].map((name) => new Member(name, fired));
  list.add(a!, deadlineClock());
  await sleep(10);
  list.add(b!, deadlineClock());
  list.add(c!, deadlineClock());
  await waitFor(() => fired.length === 3, 'all three');
  assert.deepEqual(fired, ['a', 'b', 'c']);
  assert.ok(list.isEmpty);
  assert.equal(a!.deadlineList, null);
  await sleep(60);
  assert.deepEqual(fired, ['a', 'b', 'c'], 'nothing fires twice');
});

test('a removed member never fires, and re-joining moves a member to the back with a new due time', async () => {
  const list = new DeadlineList(40);
  const fired: string[] = [];
  const a = new Member('a', fired);
  const b = new Member('b', fired);
  const gone = new Member('gone', fired);
  const start = deadlineClock();
  list.add(a, start);
  list.add(gone, start);
  list.add(b, start);
  list.remove(gone);
  // Re-joining "20 ms later" without sleeping: a real sleep can overrun the
  // 40 ms delay on a loaded machine, and then a and b fire before a re-joins.
  list.add(a, start + 20);
  assert.equal(a.dueAt, start + 60, 're-joining pushed the due time back');
  await waitFor(() => fired.length === 2, 'a and b');
  assert.deepEqual(fired, ['b', 'a']);
  await sleep(60);
  assert.deepEqual(fired, ['b', 'a']);
});

test('a member may join another list while its deadline runs', async () => {
  const short = new DeadlineList(10);
  const long = new DeadlineList(30);
  const fired: string[] = [];
  let hops = 0;
  const hopper: Member = new Member('hop', fired, () => {
    if (++hops < 3) (hops % 2 ? long : short).add(hopper, deadlineClock());
  });
  short.add(hopper, deadlineClock());
  await waitFor(() => hops === 3, 'three deadlines');
  assert.deepEqual(fired, ['hop', 'hop', 'hop']);
  assert.ok(short.isEmpty && long.isEmpty);
});

test('a member whose deadline throws does not hold up the others', async () => {
  const list = new DeadlineList(15);
  const fired: string[] = [];
  const thrower = new Member('thrower', fired, () => {
    throw new Error('from a close listener');
  });
  const after = new Member('after', fired);
  // Joined 100 ms ago, so both are due now; fire() runs them directly and the throw reaches the caller.
  list.add(thrower, deadlineClock() - 100);
  list.add(after, deadlineClock() - 100);
  assert.throws(() => list.fire(), /from a close listener/);
  assert.deepEqual(fired, ['thrower']);
  await waitFor(() => fired.includes('after'), 'the member after the throw');
  assert.ok(list.isEmpty);
});

test('the deadline clock counts whole milliseconds from where Date.now() is', async () => {
  const clockBefore = deadlineClock();
  const wallBefore = Date.now();
  await sleep(25);
  const elapsed = deadlineClock() - clockBefore;
  const wallElapsed = Date.now() - wallBefore;
  assert.ok(Number.isInteger(clockBefore));
  assert.ok(Math.abs(elapsed - wallElapsed) <= 2, `clock moved ${elapsed} ms while Date.now() moved ${wallElapsed} ms`);
});
