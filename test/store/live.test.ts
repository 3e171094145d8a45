import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PollChanges } from '../../source/domain/schemas.js';
import { historyPath } from '../../source/store/history.js';
import { FileStore } from '../../source/store/store.js';
import { instance } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/temp.js';

const poll = (id: string): PollChanges => ({
  at: new Date().toISOString(),
  instanceId: id,
  changes: [{ instanceId: id, controlId: 'okta.c1', kind: 'new' }],
});

describe('the store, two files and other processes', () => {
  it('applies a change in memory at once and writes it after the caller has moved on', async () => {
    const file = join(tempDir(), 'store.json');
    const s = await FileStore.open(file);
    await s.update(() => {}); // the file exists
    let told = 0;
    s.subscribe(() => told++);
    const written = s.update((d, history) => {
      d.instances.push(instance('a'));
      history.push(poll('a'));
    });
    // Shown at once (the next frame has it); the disk is not touched on the caller's path.
    expect(s.doc.instances.map((i) => i.id)).toEqual(['a']);
    expect(s.history()).toHaveLength(1);
    expect(told).toBe(1);
    expect(JSON.parse(readFileSync(file, 'utf8')).instances).toEqual([]);
    await written;
    expect(JSON.parse(readFileSync(file, 'utf8')).instances.map((i: { id: string }) => i.id)).toEqual(['a']);
    // History is in its own file, not in the state.
    expect(JSON.parse(readFileSync(file, 'utf8')).polls).toBeUndefined();
    expect(readFileSync(historyPath(file), 'utf8').trim().split('\n')).toHaveLength(1);
    await s.close();
  });

  it('opens a history file cut short by a killed writer, and the next writer cuts off what no commit counts', async () => {
    const file = join(tempDir(), 'store.json');
    const s = await FileStore.open(file);
    await s.update((d, history) => {
      history.push(poll('a'));
    });
    await s.close();
    const whole = readFileSync(historyPath(file), 'utf8');
    // A commit that appended its lines (one whole, one torn) and was killed before its state landed.
    const orphan = `${JSON.stringify({ commit: 2, ...poll('ghost') })}\n{"commit":2,"at":"20`;
    const { appendFileSync } = await import('node:fs');
    appendFileSync(historyPath(file), orphan);
    const reader = await FileStore.open(file, { readOnly: true });
    expect(reader.history().map((p) => p.instanceId)).toEqual(['a']);
    await reader.close();
    const next = await FileStore.open(file);
    expect(readFileSync(historyPath(file), 'utf8')).toBe(whole);
    await next.update((d, history) => {
      history.push(poll('b'));
    });
    expect(next.history().map((p) => p.instanceId)).toEqual(['a', 'b']);
    await next.close();
  });
});
