// The UI's message catalogues, so scenarios find buttons and texts by what the user reads in
// a given language, without copying strings into the tests.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { WEB_DIR } from './harness.mjs';

const cache = new Map();

export function catalogue(lang) {
  if (!cache.has(lang)) cache.set(lang, JSON.parse(readFileSync(join(WEB_DIR, 'i18n', `${lang}.json`), 'utf8')));
  return cache.get(lang);
}

/** The text of `key` in `lang`, with `{placeholders}` filled from `params` (plural: "other"). */
export function text(lang, key, params = {}) {
  let value = key.split('.').reduce((node, part) => node?.[part], catalogue(lang));
  if (value && typeof value === 'object') value = value.other;
  if (typeof value !== 'string') throw new Error(`no text for ${key} in ${lang}`);
  return value.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? `{${name}}`));
}

/** Waits until the app has booted (its first page is drawn). */
export async function ready(page) {
  await page.waitForSelector('body[data-ready="true"]');
}
