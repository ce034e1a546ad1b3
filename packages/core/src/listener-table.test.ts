import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { Stream } from 'node:stream';
import { LeanStream, dropEmptyListenerTable } from './listener-table.js';

class Lean extends LeanStream {}

test('a lean stream holds only the listener table and its count, and is a Stream and an EventEmitter', () => {
  const emitter = new Lean();
  assert.deepEqual(Reflect.ownKeys(emitter).sort(), ['_events', '_eventsCount']);
  assert.ok(emitter instanceof Stream);
  assert.ok(emitter instanceof EventEmitter);
  assert.equal(emitter.getMaxListeners(), EventEmitter.defaultMaxListeners);
  assert.equal(typeof emitter.pipe, 'function');
});

test("a lean stream's table inherits no event name", () => {
  const emitter = new Lean();
  const heard: string[] = [];
  emitter.on('toString', () => heard.push('toString'));
  emitter.on('message', (m: string) => heard.push(m));
  assert.equal(emitter.emit('hasOwnProperty'), false);
  assert.equal(emitter.emit('__proto__'), false);
  assert.equal(emitter.emit('toString'), true);
  assert.equal(emitter.emit('message', 'hi'), true);
  assert.deepEqual(heard, ['toString', 'hi']);
  assert.deepEqual(emitter.eventNames().sort(), ['message', 'toString']);
});

test('a lean stream behaves as EventEmitter does: once, removal, removeListener events, max listeners, unhandled error', () => {
  const emitter = new Lean();
  const removed: Array<string | symbol> = [];
  emitter.on('removeListener', (name: string | symbol) => removed.push(name));
  let count = 0;
  const listener = () => count++;
  emitter.once('tick', listener);
  emitter.emit('tick');
  emitter.emit('tick');
  assert.equal(count, 1);
  emitter.on('tick', listener);
  emitter.off('tick', listener);
  assert.deepEqual(removed, ['tick', 'tick']);
  assert.equal(emitter.listenerCount('tick'), 0);
  emitter.setMaxListeners(1);
  assert.equal(emitter.getMaxListeners(), 1);
  assert.equal(new Lean().getMaxListeners(), EventEmitter.defaultMaxListeners, 'a limit set on one instance stays on it');
  assert.throws(() => emitter.emit('error', new Error('boom')), /boom/);
});

test('a dropped table: nothing is heard, a later listener gets a table of its own', () => {
  const emitter = new EventEmitter();
  dropEmptyListenerTable(emitter);
  assert.equal(emitter.emit('message', 'lost'), false);
  assert.equal(emitter.listenerCount('message'), 0);
  assert.deepEqual(emitter.eventNames(), []);
  const heard: string[] = [];
  emitter.on('message', (m: string) => heard.push(m));
  assert.equal(emitter.emit('message', 'hi'), true);
  assert.deepEqual(heard, ['hi']);
});

test('an emitter that already has listeners keeps its table', () => {
  const emitter = new EventEmitter();
  let heard = 0;
  emitter.on('close', () => heard++);
  dropEmptyListenerTable(emitter);
  emitter.emit('close');
  assert.equal(heard, 1);
  assert.equal(emitter.listenerCount('close'), 1);
});
