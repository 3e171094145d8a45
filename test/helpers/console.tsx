import { render } from 'ink-testing-library';
import type { Catalog } from '../../source/catalog/index.js';
import type { Store } from '../../source/store/store.js';
import { App } from '../../source/ui/app.js';
import { DEFAULT_KEYMAP } from '../../source/ui/keys.js';
import { NO_COLOR_THEME } from '../../source/ui/theme.js';
import { disposeWhenDone } from './cleanup.js';

/** The console on a store, as ink-testing-library renders it; unmounted when the test ends. */
export function renderConsole(store: Store, catalog: Catalog, user = 'tester') {
  const app = render(
    <App store={store} catalog={catalog} keymap={DEFAULT_KEYMAP} theme={NO_COLOR_THEME} user={user} />,
  );
  disposeWhenDone(app.unmount);
  return app;
}
