import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SOURCE = resolve(import.meta.dirname, '..', '..', 'source');

/** The source files a file imports when it is evaluated (`import type` and `import()` left out). */
function staticImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(
    /^(?:import|export)(?!\s+type\b)[^'";]*?from\s+'(\.[^']+)'|^import\s+'(\.[^']+)'/gm,
  )) {
    const spec = (m[1] ?? m[2])!;
    if (spec.endsWith('.json')) continue;
    const target = resolve(dirname(file), spec).replace(/\.js$/, '');
    for (const ext of ['.ts', '.tsx'])
      try {
        readFileSync(target + ext);
        out.push(target + ext);
        break;
      } catch {}
  }
  return out;
}

/** Every source file evaluated when `entry` is, as paths under source/. */
function closure(entry: string): Set<string> {
  const seen = new Set<string>();
  const todo = [join(SOURCE, entry)];
  for (let f = todo.pop(); f; f = todo.pop()) {
    const rel = relative(SOURCE, f);
    if (seen.has(rel)) continue;
    seen.add(rel);
    todo.push(...staticImports(f));
  }
  return seen;
}

const under = (files: Set<string>, ...dirs: string[]) =>
  [...files].filter((f) => dirs.some((d) => f.startsWith(d)));

// What may import what is the lint's (eslint.config.js, kept by layering.test.ts); this is what start-up loads.
describe('what each part of the program loads', () => {
  it('starts any command without the HTTP client, the connectors, the poller, the simulator or Ink', () => {
    const files = closure('main.ts');
    expect(files.has('cli.tsx')).toBe(true); // the walk follows imports
    expect(under(files, 'connectors/', 'poller/', 'simulator/', 'commands/console')).toEqual([]);
    expect(under(files, 'ui/app', 'ui/views/')).toEqual([]);
    // Alert delivery (got) only for `alerts --test` and polls.
    expect(under(files, 'alerts/')).toEqual([]);
  });

  it("draws the console's first frame before loading the HTTP client, the connectors or the poller", () => {
    const files = closure('commands/console.tsx');
    expect(files.has('ui/app.tsx')).toBe(true);
    expect(under(files, 'connectors/', 'poller/', 'simulator/')).toEqual([]);
  });
});
