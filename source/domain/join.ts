import type { Join } from './schemas.js';

/** Why a joined record could not be seen, in the shape the rule engine reads from a placeholder. */
interface Gap {
  reason: string;
  missing?: string;
}
type Dataset = { ok: true; items: unknown[]; hidden?: Gap } | ({ ok: false } & Gap);

function field(item: unknown, path: string): unknown {
  let cur: unknown = item;
  for (const key of path.slice(1).split('/')) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, key)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function unseen(item: unknown): Gap | undefined {
  const { _unseen, _missing } = (item ?? {}) as { _unseen?: unknown; _missing?: unknown };
  if (typeof _unseen !== 'string') return undefined;
  return { reason: _unseen, ...(typeof _missing === 'string' ? { missing: _missing } : {}) };
}

/**
 * Each item with its own record of `join.dataset` attached as `join.as`: an application with its
 * `<scope>.impersonateCheck` property. A record the connector could not see, or a list that may
 * lack it, makes the item a placeholder (never judged); a list that shows there is none attaches
 * the default (the platform's fallback). Returns the gap instead when the dataset was not read.
 */
export function joinItems(items: unknown[], join: Join, datasets: Record<string, Dataset>): unknown[] | Gap {
  const ds = datasets[join.dataset];
  if (!ds) return { reason: `dataset ${join.dataset} was not collected` };
  if (!ds.ok) return ds;
  return items.map((item) => {
    if (unseen(item) || item === null || typeof item !== 'object') return item;
    const from = field(item, join.from);
    if (typeof from !== 'string') return item;
    const name = join.name.replace('{}', from);
    const record = ds.items.find((r) => field(r, join.key) === name);
    const gap = record ? unseen(record) : ds.hidden;
    if (gap)
      return {
        ...item,
        _unseen: `${name}: ${gap.reason}`,
        ...(gap.missing ? { _missing: gap.missing } : {}),
      };
    const attached =
      record ?? (join.defaultItem ? { ...join.defaultItem, [join.key.slice(1)]: name } : undefined);
    return attached ? { ...item, [join.as]: attached } : item;
  });
}
