/** Changes written together, and the promise of their commit. */
export interface Batch {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: Error) => void;
  /** Resolved or rejected already (a failure of an earlier write undoes the changes made after it). */
  settled: boolean;
}

export function newBatch(): Batch {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A batch nobody awaits (the console's own changes report through the status line) never
  // becomes an unhandled rejection; those who await it still see the error.
  promise.catch(() => {});
  const batch: Batch = {
    promise,
    settled: false,
    resolve: () => {
      batch.settled = true;
      resolve();
    },
    reject: (error) => {
      batch.settled = true;
      reject(error);
    },
  };
  return batch;
}
