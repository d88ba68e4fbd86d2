// The message catalogues (no browser needed): every language has the keys, placeholders and
// plural forms of English, and every literal key the UI's code asks for exists in English.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { REPO_ROOT, WEB_DIR } from './harness.mjs';
import { catalogue } from './catalogue.mjs';

test('every catalogue matches English (scripts/check-catalogues.mjs)', () => {
  // Throws, with the script's report, when it exits non-zero.
  const out = execFileSync(process.execPath, [join(REPO_ROOT, 'scripts', 'check-catalogues.mjs')], { encoding: 'utf8' });
  assert.match(out, /match en\.json/);
  const languages = readdirSync(join(WEB_DIR, 'i18n')).filter((f) => f.endsWith('.json'));
  assert.ok(languages.length >= 6, `at least six UI languages, found ${languages.join(', ')}`);
});

function jsFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? jsFiles(join(dir, e.name)) : e.name.endsWith('.js') ? [join(dir, e.name)] : [],
  );
}

test('every text key used by the UI exists in English', () => {
  const en = catalogue('en');
  const missing = [];
  let checked = 0;
  for (const file of jsFiles(join(WEB_DIR, 'js'))) {
    const source = readFileSync(file, 'utf8');
    for (const [, key] of source.matchAll(/\bt\("([a-z_]+(?:\.[a-z_0-9]+)+)"/g)) {
      checked += 1;
      if (key.split('.').reduce((node, part) => node?.[part], en) === undefined) missing.push(`${key} (${file})`);
    }
  }
  assert.ok(checked > 100, `only ${checked} keys found: the pattern no longer matches the code`);
  assert.deepEqual(missing, []);
});
