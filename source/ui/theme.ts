import { createContext, useContext } from 'react';
import type { Outcome, Severity, State } from '../domain/schemas.js';

/**
 * Colours by role. The no-colour theme leaves every colour undefined: selection is shown by
 * inverse video and status by words, which every component already prints.
 */
export interface Theme {
  color: boolean;
  accent?: string;
  ok?: string;
  warn?: string;
  bad?: string;
  muted?: string;
}

export const COLOR_THEME: Theme = {
  color: true,
  accent: 'cyan',
  ok: 'green',
  warn: 'yellow',
  bad: 'red',
  muted: 'gray',
};
export const NO_COLOR_THEME: Theme = { color: false };

/** NO_COLOR (any non-empty value) and --no-color switch colour off; Ink's chalk ignores NO_COLOR. */
export function pickTheme(env: NodeJS.ProcessEnv, colorFlag: boolean): Theme {
  return !colorFlag || (env.NO_COLOR !== undefined && env.NO_COLOR !== '') ? NO_COLOR_THEME : COLOR_THEME;
}

export const ThemeContext = createContext<Theme>(COLOR_THEME);
export const useTheme = () => useContext(ThemeContext);

export function outcomeColor(t: Theme, o: Outcome): string | undefined {
  return o === 'pass' ? t.ok : o === 'fail' || o === 'error' ? t.bad : o === 'partial' ? t.warn : t.muted;
}

export function severityColor(t: Theme, s: Severity): string | undefined {
  return s === 'critical' || s === 'high' ? t.bad : s === 'medium' ? t.warn : t.muted;
}

export function stateColor(t: Theme, s: State): string | undefined {
  return s === 'completed' || s === 'third_party' || s === 'alternate_mitigation'
    ? t.ok
    : s === 'planned'
      ? t.accent
      : s === 'not_applicable'
        ? t.muted
        : undefined;
}
