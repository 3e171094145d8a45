import { loadCatalog } from '../catalog/index.js';
import { holdsWorkspace, openStore } from '../store/open.js';
import { NoStoreError } from '../store/store.js';
import { type IO, UsageError } from './context.js';

export interface CopyOptions {
  from: string;
  to: string;
  operator: string;
}

/**
 * `posture store copy FROM TO`: the whole workspace, FROM only read, into a TO that holds none
 * yet, in one commit (a copy that fails leaves TO without a workspace, as it was).
 */
export async function storeCopy(o: CopyOptions, io: IO): Promise<number> {
  let source;
  try {
    source = await openStore(o.from, { readOnly: true, create: false, operator: o.operator });
  } catch (error) {
    if (error instanceof NoStoreError) throw new UsageError(`store copy: no store at ${error.file}`);
    throw error;
  }
  try {
    // With the catalog: PostgreSQL keeps each instance's part of the scores for the first frame.
    const target = await openStore(o.to, { operator: o.operator, catalog: loadCatalog().byId });
    try {
      if (target.readOnly)
        throw new UsageError(`store copy: ${target.file} is ${target.notice ?? 'read-only'}`);
      if (holdsWorkspace(target))
        throw new UsageError(
          `store copy: ${target.file} already holds a workspace; copy into a new file or an empty database`,
        );
      const doc = source.doc;
      const polls = source.history();
      await target.update((d, history) => {
        d.settings = doc.settings;
        d.instances = doc.instances;
        d.results = doc.results;
        d.statuses = doc.statuses;
        d.daily = doc.daily;
        d.alertQueue = doc.alertQueue;
        for (const poll of polls) history.push(poll); // a spread of 200,000 overflows the stack
      });
      io.stdout.write(
        `copied ${doc.instances.length} instances, ${Object.keys(doc.results).length} results, ` +
          `${doc.statuses.length} statuses, ${doc.daily.length} daily points, ${polls.length} polls ` +
          `from ${source.file} to ${target.file}\n`,
      );
      return 0;
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}
