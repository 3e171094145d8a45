import { APPS, type App } from '../domain/schemas.js';
import type { Action } from '../domain/scoring.js';
import { lastCall } from './memo.js';
import { scoresByApp, scoresByInstance } from './model.js';

/**
 * The Secure Score view's rows: its products, then its instances, one cursor over both. Enter on
 * one opens Recommended actions filtered to it. Products always show (there are four at most);
 * the instances below them scroll.
 */

export type ScoreTarget = { product: App } | { instance: string };

/** The products with a score, in the one order of apps, then the instances with one. */
export const scoreRows = lastCall((actions: readonly Action[]) => {
  const byApp = scoresByApp(actions);
  const products = APPS.filter((app) => byApp.has(app));
  const instances = [...scoresByInstance(actions).keys()];
  return {
    products,
    instances,
    ids: [...products.map((p) => `product:${p}`), ...instances.map((i) => `instance:${i}`)],
  };
});

/** What a row's id drills down to. */
export function scoreTarget(id: string | undefined): ScoreTarget | undefined {
  if (id?.startsWith('product:')) return { product: id.slice('product:'.length) as App };
  if (id?.startsWith('instance:')) return { instance: id.slice('instance:'.length) };
  return undefined;
}

/**
 * The lines above the instances: the headline and its comparison (2), the trend (3: a note says
 * when it is not the view's), a blank, the products' heading and rows, the instances' heading.
 */
export const scoreTopLines = (products: number) => 2 + 3 + 1 + 1 + products + 1;
