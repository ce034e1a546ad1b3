import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { useFastListenerTable } from './listener-table.js';

test('a fresh emitter gets a table that inherits no event name', () => {
  const emitter = new EventEmitter();
  useFastListenerTable(emitter);
  const heard: string[] = [];
  emitter.on('toString', () => heard.push('toString'));
  emitter.on('message', (m: string) => heard.push(m));
  assert.equal(emitter.emit('hasOwnProperty'), false);
  assert.equal(emitter.emit('toString'), true);
  assert.equal(emitter.emit('message', 'hi'), true);
  assert.deepEqual(heard, ['toString', 'hi']);
  assert.deepEqual(emitter.eventNames().sort(), ['message', 'toString']);
});

test('an emitter that already has listeners keeps them', () => {
  const emitter = new EventEmitter();
  let heard = 0;
  emitter.on('close', () => heard++);
  useFastListenerTable(emitter);
  emitter.emit('close');
  assert.equal(heard, 1);
  assert.equal(emitter.listenerCount('close'), 1);
});
