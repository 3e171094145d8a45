import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../source/catalog/index.js';
import { openStore } from '../../source/store/open.js';
import { instance } from '../helpers/fixtures.js';
import { freshDatabase } from '../helpers/postgres.js';
import { BIN, keys, spawn } from '../helpers/pty.js';
import { tempDir } from '../helpers/temp.js';

const run = promisify(execFile);
const catalog = loadCatalog();

describe("the built program's first frame on PostgreSQL", () => {
  it("draws it from the score summaries and then shows another operator's change", async () => {
    const url = await freshDatabase();
    // Written with the catalog, as the console and `store copy` write: each instance's summary is kept.
    const seed = await openStore(url, { catalog: catalog.byId, operator: 'seed' });
    await seed.update((d) => {
      d.instances.push(instance('eu', { name: 'Okta Contoso EU', recommendations: false }));
    });
    const c = spawn(['--store', url, '--operator', 'alice']);
    await c.waitFor(/Okta\s+1 \(0 on\)/);
    // Its LISTEN is opened once the frame is drawn: a change made now still reaches it.
    await seed.update((d) => {
      d.instances[0]!.recommendations = true;
    });
    await seed.close();
    await c.waitFor(/Okta\s+1 \(1 on\)/, 5000);
    await keys(c, 'q');
    expect(await c.exit).toBe(0);
  }, 60_000);

  it("opens the store without loading Node's fetch implementation (the driver's Cloudflare test)", async () => {
    const url = await freshDatabase();
    const seed = await openStore(url, { catalog: catalog.byId, operator: 'seed' });
    await seed.update((d) => {
      d.instances.push(instance('eu'));
    });
    await seed.close();
    const dir = tempDir();
    const hook = join(dir, 'undici.cjs');
    writeFileSync(
      hook,
      "process.on('exit', () => process.stderr.write(`undici: ${process.moduleLoadList.some((m) => m.includes('undici'))}\\n`));\n",
    );
    const env = { ...process.env, XDG_DATA_HOME: dir, HOME: dir, NO_COLOR: '1' };
    const { stdout, stderr } = await run(process.execPath, ['-r', hook, BIN, '--store', url, 'status'], {
      env,
      timeout: 60_000,
    });
    expect(stdout).toContain('Secure Score');
    expect(stderr).toBe('undici: false\n');
  }, 60_000);
});
