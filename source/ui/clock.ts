import { healthChangesAt } from '../domain/instances.js';
import { agoChangesAt } from '../text/format.js';
import { type Context, selectedInstance, windowOf } from './controller.js';
import { type Layout, windowRows } from './layout.js';
import { appRows, drawerRows } from './model.js';
import type { UIState } from './state.js';

/**
 * When the next time-dependent text on screen ("28s ago", a health turning stale) reads
 * differently: the shell draws again then, and not before, so an idle console whose times show
 * minutes stays silent for minutes, and one that shows no time for ever (Infinity).
 */
export function nextChange(state: UIState, ctx: Context, size: Layout): number {
  // Help and dialogs are drawn instead of the view; below the minimum size no list is shown.
  if (size.tooSmall || (state.overlay && state.overlay.kind !== 'input')) return Infinity;
  const { doc, now } = ctx;
  let next = Infinity;
  const see = (at: number) => {
    if (at < next) next = at;
  };
  if (state.view === 'apps') {
    const start = windowOf(state, ctx);
    for (const r of appRows(doc, ctx.appScores, state.appText, now).slice(start, start + size.listRows)) {
      see(agoChangesAt(r.lastPoll, now));
      // An app's health counts its instances' health.
      see(r.healthChangesAt);
    }
  } else if (state.view === 'drawer') {
    const start = windowOf(state, ctx);
    const shown = drawerRows(doc, state.app, state.drawerText).slice(
      start,
      start + windowRows('drawer', size.listRows),
    );
    for (const i of shown) {
      see(agoChangesAt(i.lastPoll?.at, now));
      see(healthChangesAt(i, now));
    }
    // The line under the list names the selected instance's last poll, even when scrolled out.
    see(agoChangesAt(selectedInstance(state, ctx)?.lastPoll?.at, now));
  }
  return next;
}
