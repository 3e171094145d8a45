import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The layering of DESIGN.md is kept by the lint (eslint.config.js); these tests keep the lint.
const ROOT = resolve(import.meta.dirname, '..', '..');
const eslint = new ESLint({ cwd: ROOT });
const LAYERING = new Set(['no-restricted-imports', 'no-restricted-syntax']);

/** The layering errors the lint reports for `code`, as if it were the file `file` of the repository. */
async function layeringErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, file) });
  return result!.messages.filter((m) => m.ruleId && LAYERING.has(m.ruleId)).map((m) => m.message);
}

describe("the lint keeps DESIGN.md's layers", () => {
  it.each([
    ['source/domain/probe.ts', "import { actionRows } from '../ui/model.js';", /domain\/ may import/],
    ['source/domain/probe.ts', "import { loadCatalog } from '../catalog/index.js';", /domain\/ may import/],
    ['source/domain/probe.ts', "import { readFileSync } from 'node:fs';", /no I\/O/],
    ['source/text/probe.ts', "import { APPS } from '../domain/schemas.js';", /text\/ may import/],
    ['source/connectors/okta/probe.ts', "import { Store } from '../../store/store.js';", /connectors\//],
    ['source/connectors/probe.ts', "import { Poller } from '../poller/poller.js';", /connectors\//],
    ['source/store/probe.ts', "import { CONNECTORS } from '../connectors/registry.js';", /store\//],
    ['source/store/probe.ts', "import { actionRows } from '../ui/model.js';", /store\//],
    ['source/poller/probe.ts', "import { App } from '../ui/app.js';", /poller\//],
    ['source/simulator/probe.ts', "import { CONNECTORS } from '../connectors/registry.js';", /simulator\//],
    ['source/ui/views/probe.tsx', "import { CONNECTORS } from '../../connectors/registry.js';", /ui\//],
    [
      'source/ui/probe.ts',
      "import { BackgroundPoller } from '../poller/background.js';",
      /types of poller\//,
    ],
    ['source/ui/probe.ts', "export const load = () => import('../poller/background.js');", /ui\//],
    ['source/ui/probe.ts', "import got from 'got';", /got belongs to connectors\//],
    ['source/alerts/probe.ts', "import { CONNECTORS } from '../connectors/registry.js';", /alerts\//],
    ['source/ui/probe.ts', "import { deliverAlerts } from '../alerts/deliver.js';", /ui\//],
    ['source/store/probe.ts', "import got from 'got';", /got belongs to connectors\/ and alerts\//],
    ['source/commands/probe.ts', "import { actionRows } from '../ui/model.js';", /commands\/ may import/],
    ['source/commands/formats/probe.ts', "export * from '../../ui/model.js';", /commands\/ may import/],
    [
      'source/commands/probe.ts',
      "export const load = () => import('../ui/app.js');",
      /commands\/ may import/,
    ],
    ['source/commands/probe.ts', "import { render } from 'ink';", /ink belongs to ui\//],
    ['source/cli.tsx', "import { KeymapError } from './ui/keys.js';", /cli\.tsx may import/],
    ['source/poller/probe.ts', "import { tempDir } from '../../test/helpers/temp.js';", /nothing of test\//],
    [
      'source/store/probe.ts',
      "export const load = () => import('../../test/helpers/temp.js');",
      /nothing of test\//,
    ],
  ])('%s: %s is an error', async (file, code, message) => {
    const errors = await layeringErrors(file, code);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
  });

  it.each([
    ['source/domain/probe.ts', "import { z } from 'zod';\nimport { APPS } from './schemas.js';"],
    ['source/commands/probe.ts', "import { sanitize } from '../text/sanitize.js';"],
    ['source/commands/formats/probe.ts', "import { percent } from '../../text/format.js';"],
    ['source/ui/probe.ts', "import type { BackgroundPoller } from '../poller/background.js';"],
    ['source/ui/probe.ts', "import type { Store } from '../store/store.js';\nimport { Box } from 'ink';"],
    ['source/commands/console.tsx', "import { render } from 'ink';\nimport { App } from '../ui/app.js';"],
    ['source/cli.tsx', "export const load = () => import('./commands/console.js');"],
    ['source/poller/probe.ts', "import { CONNECTORS } from '../connectors/registry.js';"],
  ])('%s: %s is allowed', async (file, code) => {
    expect(await layeringErrors(file, code)).toEqual([]);
  });

  it('has a row for every part of source/, so that a new one cannot escape it', async () => {
    for (const entry of readdirSync(join(ROOT, 'source'), { withFileTypes: true })) {
      const file = join(ROOT, 'source', entry.name, ...(entry.isDirectory() ? ['probe.ts'] : []));
      const config = (await eslint.calculateConfigForFile(file)) as { rules: Record<string, unknown> };
      expect(config.rules['no-restricted-imports'], entry.name).toBeDefined();
    }
  });
});
