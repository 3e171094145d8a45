/**
 * A schema built when it is first used, not when its module is evaluated. Building the domain's
 * zod schemas took about 7 ms of every start (10 on a loaded machine), and the console's first
 * frame uses none of them: the store's check and the commands that parse input do, later.
 *
 * What is returned is the schema's stand-in: an empty object whose prototype answers the first
 * property read (or `in` test) by building the schema, copying its own properties onto the
 * stand-in and taking its prototype. From then on the stand-in is an ordinary zod schema (the same
 * `_zod` internals, the same methods), with no proxy left in the way of a parse, so a schema nested
 * in another (`z.array(ResultSchema)`) costs nothing more per item once built.
 */
export function lazySchema<T extends object>(build: () => T): T {
  const standIn = {} as T;
  let built = false;
  const become = (): T => {
    if (!built) {
      built = true;
      const schema = build();
      Object.setPrototypeOf(standIn, Object.getPrototypeOf(schema) as object | null);
      Object.defineProperties(standIn, Object.getOwnPropertyDescriptors(schema));
    }
    return standIn;
  };
  const firstUse = new Proxy(Object.create(null) as object, {
    get: (_target, key, receiver) => Reflect.get(become(), key, receiver),
    has: (_target, key) => key in become(),
  });
  Object.setPrototypeOf(standIn, firstUse);
  return standIn;
}
