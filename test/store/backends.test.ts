import { describe, expect, it, vi } from 'vitest';
import type { PollChanges } from '../../source/domain/schemas.js';
import { BACKENDS, openAny } from '../helpers/backends.js';
import { instance } from '../helpers/fixtures.js';

const poll = (id: string): PollChanges => ({
  at: new Date().toISOString(),
  instanceId: id,
  changes: [{ instanceId: id, controlId: 'okta.c1', kind: 'new' }],
});

// The store's behaviour that every back end must have: the same tests, run against each.
describe.each(BACKENDS)('the store on $name', (backend) => {
  it('keeps the document unchanged when a change throws', async () => {
    const s = await openAny(await backend.location());
    await expect(
      s.update((d) => {
        d.instances.push(instance('half'));
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(s.doc.instances).toHaveLength(0);
    await s.close();
  });

  it('writes changes in the order made, several made at once in one write', async () => {
    const at = await backend.location();
    const s = await openAny(at);
    const all = ['a', 'b', 'c'].map((id) =>
      s.update((d, history) => {
        d.instances.push(instance(id));
        history.push(poll(id));
      }),
    );
    await Promise.all(all);
    await s.close();
    const again = await openAny(at, { readOnly: true });
    expect(again.doc.instances.map((i) => i.id)).toEqual(['a', 'b', 'c']);
    expect(again.history().map((p) => p.instanceId)).toEqual(['a', 'b', 'c']);
    await again.close();
  });

  it("shows another process's commits in a store that follows them, history included", async () => {
    const at = await backend.location();
    const writer = await openAny(at);
    await writer.update((d) => {
      d.instances.push(instance('a'));
    });
    const reader = await openAny(at, { watch: true, readOnly: true });
    expect(reader.history()).toEqual([]);
    let told = 0;
    reader.subscribe(() => told++);
    await writer.update((d, history) => {
      d.instances.push(instance('b'));
      history.push(poll('b'));
    });
    await vi.waitFor(() => expect(reader.doc.instances.map((i) => i.id)).toEqual(['a', 'b']), {
      timeout: 5000,
    });
    expect(told).toBeGreaterThan(0);
    expect(reader.history().map((p) => p.instanceId)).toEqual(['b']);
    await writer.close();
    await reader.close();
  });

  it('does not read its own commits back as foreign ones', async () => {
    const s = await openAny(await backend.location(), { watch: true });
    await s.update((d) => {
      d.instances.push(instance('a'));
    });
    const mine = s.doc;
    let told = 0;
    s.subscribe(() => told++);
    // Past the file watcher's settling and its once-a-second look, and past a notification.
    await new Promise((r) => setTimeout(r, 1500));
    expect(s.doc).toBe(mine);
    expect(told).toBe(0);
    await s.close();
  });

  it('is refused when another program is pointed at it to read and it holds no workspace', async () => {
    const at = await backend.location();
    const err = await openAny(at, { create: false, readOnly: true }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('NoStoreError');
  });
});
