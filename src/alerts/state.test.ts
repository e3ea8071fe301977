import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { advance, labelsKey, type ActiveAlert, type Sample, type Transition } from './state.js';

const MIN = 60_000;

/** Runs the state machine over a list of (time, samples) evaluations; returns every transition. */
function run(
  forMs: number,
  steps: readonly [number, readonly Sample[]][],
): {
  transitions: Transition[];
  states: ReadonlyMap<string, ActiveAlert>;
} {
  let states: ReadonlyMap<string, ActiveAlert> = new Map();
  const transitions: Transition[] = [];
  for (const [t, samples] of steps) {
    const step = advance('R', forMs, states, samples, t);
    states = step.next;
    transitions.push(...step.transitions);
  }
  return { transitions, states };
}

const on = (value = 1, labels = {}): Sample => ({ labels, value, active: true });
const off = (value = 0, labels = {}): Sample => ({ labels, value, active: false });

function path(transitions: readonly Transition[]): string[] {
  return transitions.map((t) => `${t.timeMs / MIN}m ${t.from}->${t.to}`);
}

describe('alert state machine', () => {
  it('goes pending, then firing once `for` has passed, then resolves', () => {
    const { transitions } = run(5 * MIN, [
      [0, [off()]],
      [1 * MIN, [on(30)]],
      [3 * MIN, [on(31)]],
      [6 * MIN, [on(32)]],
      [7 * MIN, [on(33)]],
      [8 * MIN, [off(2)]],
    ]);
    assert.deepEqual(path(transitions), [
      '1m inactive->pending',
      '6m pending->firing',
      '8m firing->inactive',
    ]);
    const resolved = transitions.at(-1);
    assert.equal(resolved?.value, 2, 'the resolve carries the latest measurement');
    assert.equal(resolved?.activeAtMs, 1 * MIN);
    assert.equal(resolved?.firedAtMs, 6 * MIN);
  });

  it('drops a pending alert that does not last `for`, without firing', () => {
    const { transitions, states } = run(5 * MIN, [
      [0, [on()]],
      [4 * MIN, [on()]],
      [5 * MIN - 1, [off()]],
      [6 * MIN, [on()]],
    ]);
    assert.deepEqual(path(transitions), [
      '0m inactive->pending',
      `${(5 * MIN - 1) / MIN}m pending->inactive`,
      '6m inactive->pending',
    ]);
    assert.equal([...states.values()][0]?.activeAtMs, 6 * MIN, 'activeAt restarts');
  });

  it('fires in the same evaluation when `for` is 0', () => {
    const { transitions } = run(0, [[0, [on()]]]);
    assert.deepEqual(path(transitions), ['0m inactive->pending', '0m pending->firing']);
  });

  it('treats a label set that is no longer measured as resolved, keeping its last value', () => {
    const { transitions } = run(0, [
      [0, [on(7, { machine: 'a' })]],
      [MIN, []],
    ]);
    assert.deepEqual(path(transitions), [
      '0m inactive->pending',
      '0m pending->firing',
      '1m firing->inactive',
    ]);
    assert.equal(transitions[2]?.value, 7);
  });

  it('keeps each label set apart', () => {
    const a = { user: 'ann' };
    const b = { user: 'bob' };
    const { transitions, states } = run(2 * MIN, [
      [0, [on(11, a), off(3, b)]],
      [1 * MIN, [on(12, a), on(15, b)]],
      [2 * MIN, [on(12, a), on(15, b)]],
      [3 * MIN, [off(9, a), on(16, b)]],
    ]);
    assert.deepEqual(
      transitions.map((t) => `${t.timeMs / MIN}m ${t.labels.user} ${t.from}->${t.to}`),
      [
        '0m ann inactive->pending',
        '1m bob inactive->pending',
        '2m ann pending->firing',
        '3m bob pending->firing',
        '3m ann firing->inactive',
      ],
    );
    assert.deepEqual([...states.keys()], [labelsKey(b)]);
    assert.equal(states.get(labelsKey(b))?.value, 16);
  });

  it('continues from restored states (a restart keeps activeAt and firing)', () => {
    const restored = new Map<string, ActiveAlert>([
      [labelsKey({}), { labels: {}, state: 'pending', activeAtMs: 0, firedAtMs: undefined, value: 1 }],
    ]);
    const step = advance('R', 5 * MIN, restored, [on()], 5 * MIN);
    assert.deepEqual(path(step.transitions), ['5m pending->firing']);
    const again = advance('R', 5 * MIN, step.next, [on()], 6 * MIN);
    assert.equal(again.transitions.length, 0, 'still firing: no new transition');
    assert.equal(again.changed, false);
  });

  it('keys label sets independently of their order', () => {
    assert.equal(labelsKey({ a: '1', b: '2' }), labelsKey({ b: '2', a: '1' }));
    assert.notEqual(labelsKey({ a: '1' }), labelsKey({ a: '2' }));
  });
});
