import { Box, Text } from 'ink';
import type { StatusUpdate, StoreDoc } from '../../domain/schemas.js';
import { type Action, scoreViews } from '../../domain/scoring.js';
import type { Layout } from '../layout.js';
import { lastCall } from '../memo.js';
import type { UIState } from '../state.js';
import { VIEW_TITLES } from '../state.js';
import { sanitize } from '../../text/sanitize.js';
import { detailLines } from './panels.js';
import { Screen } from './frame.js';
import { scrollNote } from './lists.js';

export type DetailLine = ReturnType<typeof detailLines>[number];

const TABS = ['Overview', 'Implementation', 'History'];

export const actionById = lastCall((actions: readonly Action[], id: string | undefined) =>
  actions.find((a) => a.id === id),
);

// An action's page is built once per action, tab, width and change, not on every scrolling key.
export const detailPage = lastCall(
  (
    a: Action,
    tab: number,
    width: number,
    statuses: readonly StatusUpdate[],
    actions: readonly Action[],
    results: StoreDoc['results'] = {},
  ) =>
    detailLines(
      a,
      tab,
      width,
      statuses.filter((u) => u.instanceId === a.instance.id && u.controlId === a.control.id),
      actions.filter(
        (x) =>
          x.control.id === a.control.id &&
          x.id !== a.id &&
          (x.result.outcome === 'fail' || x.result.outcome === 'partial'),
      ),
      { evaluatedAt: results[a.instance.id]?.polledAt, possible: scoreViews(actions).current.possible },
    ),
);

/** An action's page in tabs; `top` is its scroll, already kept within the page by the reducer. */
export function DetailView({
  state,
  action,
  lines,
  top,
  size,
}: {
  state: UIState;
  action: Action | undefined;
  lines: readonly DetailLine[];
  top: number;
  size: Layout;
}) {
  if (!action)
    return (
      <Screen title={VIEW_TITLES.detail} size={size}>
        <Text>this action is no longer listed (its instance's recommendations were turned off)</Text>
      </Screen>
    );
  const note = scrollNote(top, size.detailRows, lines.length);
  return (
    <Screen title={sanitize(`${action.control.title} — ${action.instance.name}`)} size={size}>
      <Box flexDirection="column">
        <Text wrap="truncate-end">
          {TABS.map((t, i) => (
            <Text key={t} inverse={i === state.detailTab} bold={i === state.detailTab}>{` ${t} `}</Text>
          ))}
          {/* Where the page is: the lines below the screen are said, not hidden. */}
          {note ? <Text bold>{`  ${note}`}</Text> : null}
        </Text>
        <Text> </Text>
        {lines.slice(top, top + size.detailRows).map((l, i) => (
          <Text key={i} wrap="truncate-end">
            {sanitize(l.text) || ' '}
          </Text>
        ))}
      </Box>
    </Screen>
  );
}
