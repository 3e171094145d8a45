import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import type { ScoreViews } from '../../domain/scoring.js';
import type { PollProgress } from '../../poller/background.js';
import { footerHints, keyOf } from '../hints.js';
import { type Command, DEFAULT_KEYMAP, type Keymap } from '../keys.js';
import type { Layout } from '../layout.js';
import { percent, points } from '../../text/format.js';
import { TOP_VIEWS, type UIState, type View, VIEW_TITLES } from '../state.js';
import { truncate } from '../../text/cells.js';
import { sanitize } from '../../text/sanitize.js';
import { useTheme } from '../theme.js';
import { FieldText } from './field.js';

/** The frame around every view: the tab bar with the score, the view, the notices and the key hints. */

/** Tab names when the full ones would not leave the score whole. */
const SHORT_TITLES: Partial<Record<View, string>> = {
  apps: 'Apps',
  score: 'Score',
  actions: 'Actions',
  history: 'History',
  frameworks: 'Frameworks',
};

/** A view's title over its body, the body as tall as the frame gives it. */
export function Screen({ title, size, children }: { title: string; size: Layout; children: ReactNode }) {
  return (
    <>
      <Text bold wrap="truncate-end">
        {truncate(sanitize(title), size.width)}
      </Text>
      <Box flexDirection="column" height={size.bodyRows}>
        {children}
      </Box>
    </>
  );
}

/** The keys the current view offers (see hints.ts), or the line being typed. */
export function hintsFor(state: UIState, readOnly: boolean, keymap: Keymap = DEFAULT_KEYMAP): string {
  const input = state.overlay?.kind === 'input' ? state.overlay : undefined;
  // What was typed may have been pasted: shown through the sanitizer like any other text.
  if (input) return `${input.purpose === 'command' ? ':' : '/'}${sanitize(input.value)}▏`;
  return footerHints(state, readOnly, keymap);
}

export interface FrameProps {
  state: UIState;
  views: ScoreViews;
  progress: PollProgress;
  /** The store's own notice (read-only, locked…), if any. */
  notice: string | undefined;
  readOnly: boolean;
  size: Layout;
  keymap?: Keymap;
  children: ReactNode;
}

export function Frame(props: FrameProps) {
  const { state, views, progress, notice, readOnly, size, children } = props;
  const keymap = props.keymap ?? DEFAULT_KEYMAP;
  const theme = useTheme();
  const { width } = size;
  const c = views.current;
  const percentText = `Secure Score ${percent(c)}`;
  const pointsText = ` (${points(c.achieved)}/${points(c.possible)})`;
  // Each tab is named with the key that opens it (a remapped key shows its new binding). Full names
  // and the points when they fit, then short names, then the score without its points: the
  // percentage always shows whole.
  const tabs = (titles: Partial<Record<View, string>>) =>
    TOP_VIEWS.map((v) => ` ${keyOf(keymap, `view.${v}` as Command)} ${titles[v] ?? VIEW_TITLES[v]} `);
  const fits = (labels: string[], score: string) => labels.join('').length + score.length + 2 <= width;
  const [labels, scoreText] = (
    [
      [tabs(VIEW_TITLES), percentText + pointsText],
      [tabs(SHORT_TITLES), percentText + pointsText],
      [tabs(SHORT_TITLES), percentText],
    ] as const
  ).find(([l, t]) => fits(l, t)) ?? [tabs(SHORT_TITLES), percentText];
  const tabBar = TOP_VIEWS.map((v, i) => ({
    label: labels[i]!,
    active:
      state.view === v ||
      (v === 'apps' && state.view === 'drawer') ||
      (v === 'actions' && state.view === 'detail'),
  }));
  const pollText = progress.running
    ? `polling ${progress.done}/${progress.total}${progress.failed ? ` (${progress.failed} failed)` : ''}`
    : progress.paused
      ? `polling paused (${keyOf(keymap, 'pause')} resumes)`
      : '';
  const input = state.overlay?.kind === 'input' ? state.overlay : undefined;
  const notices = [
    // Tab's candidates on the command line, while it is open.
    input?.candidates?.length ? `Tab: ${input.candidates.map((c) => sanitize(c)).join(' · ')}` : '',
    // The store's notice names the lock's holder, read from the lock file: anyone's text.
    notice ? sanitize(notice) : readOnly ? 'read-only' : '',
    pollText,
    // Said while the poll runs; the shell drops it when the poll ends.
    progress.running && state.pollNote ? sanitize(state.pollNote) : '',
    progress.error ? sanitize(`polls not saved: ${progress.error}`) : '',
    progress.afterError ? sanitize(`alerts: ${progress.afterError}`) : '',
    state.message ? sanitize(state.message) : '',
  ]
    .filter(Boolean)
    .join(' · ');
  return (
    <Box flexDirection="column" height={size.height} width={width}>
      <Text wrap="truncate-end">
        {tabBar.map((t) => (
          <Text key={t.label} inverse={t.active} bold={t.active}>
            {t.label}
          </Text>
        ))}
        <Text {...(theme.accent ? { color: theme.accent } : {})}>{`  ${scoreText}`}</Text>
      </Text>
      {children}
      <Text wrap="truncate-end" {...(theme.muted ? { color: theme.muted } : {})}>
        {truncate(notices || ' ', width)}
      </Text>
      {input ? (
        <FieldText field={input} prefix={input.purpose === 'command' ? ':' : '/'} cells={width} />
      ) : (
        <Text wrap="truncate-end">{truncate(hintsFor(state, readOnly, keymap), width)}</Text>
      )}
    </Box>
  );
}
