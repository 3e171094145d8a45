/**
 * Remember the last result of `fn` and reuse it while `fn` is called with the same arguments
 * (compared by identity). The reducer and the view ask for the same rows on every key; the store
 * document and the filters change far less often.
 */
export function lastCall<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  let last: { args: A; result: R } | undefined;
  return (...args: A) => {
    if (!last || args.length !== last.args.length || args.some((a, i) => a !== last!.args[i]))
      last = { args, result: fn(...args) };
    return last.result;
  };
}

/** `fn`'s result, computed on the first call and reused after. */
export function once<R>(fn: () => R): () => R {
  let done: { result: R } | undefined;
  return () => (done ??= { result: fn() }).result;
}
