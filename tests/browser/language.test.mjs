// Languages: the UI starts in the browser's language, the selector switches every text, and
// the choice is remembered on the account, so another browser starts in it after login.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { api, assertNoConsoleErrors, launchBrowser, newPage, registerMember, screenshot, startServer } from './harness.mjs';
import { ready, text } from './catalogue.mjs';

const PASSWORD = 'a long enough password';

let server;
let browser;

before(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('a visitor sees the UI in the browser language', async () => {
  for (const [locale, lang] of [['de-DE', 'de'], ['pl-PL', 'pl'], ['pt-BR', 'en']]) {
    const page = await newPage(browser, { locale });
    await page.goto(`${server.url}/`);
    await ready(page);
    await page.getByRole('heading', { level: 1, name: text(lang, 'home.welcome_title') }).waitFor();
    assert.equal(await page.getAttribute('html', 'lang'), lang);
    assertNoConsoleErrors(page);
    await page.context().close();
  }
});

test('the language selector switches the UI and the account remembers it', async () => {
  const member = await registerMember(server.url, { email: 'luca@school.example', display_name: 'Luca Rossi', country: 'IT', password: PASSWORD });
  const page = await newPage(browser, { locale: 'en-US' });
  await page.goto(`${server.url}/#/login`);
  await ready(page);
  await page.getByLabel(text('en', 'auth.email')).fill(member.email);
  await page.getByLabel(text('en', 'auth.password')).fill(PASSWORD);
  await page.getByRole('button', { name: text('en', 'auth.login_button') }).click();
  await page.getByRole('heading', { level: 1, name: text('en', 'home.title', { name: 'Luca Rossi' }) }).waitFor();

  await page.locator('#language').selectOption('fr');
  await page.getByRole('heading', { level: 1, name: text('fr', 'home.title', { name: 'Luca Rossi' }) }).waitFor();
  await page.getByRole('link', { name: text('fr', 'nav.home') }).first().waitFor();
  await page.getByText(text('fr', 'profile.pending')).waitFor();
  assert.equal(await page.getAttribute('html', 'lang'), 'fr');
  await screenshot(page, 'home-fr');
  assert.equal((await member.me()).ui_language, 'fr', 'kept on the account');

  // Another browser (English, empty storage) starts in French once the member logs in.
  const other = await newPage(browser, { locale: 'en-US' });
  await other.goto(`${server.url}/#/login`);
  await ready(other);
  await other.getByLabel(text('en', 'auth.email')).fill(member.email);
  await other.getByLabel(text('en', 'auth.password')).fill(PASSWORD);
  await other.getByRole('button', { name: text('en', 'auth.login_button') }).click();
  await other.getByRole('heading', { level: 1, name: text('fr', 'home.title', { name: 'Luca Rossi' }) }).waitFor();

  // Polish plural forms and a reload: still the chosen language.
  await other.locator('#language').selectOption('pl');
  await other.getByRole('heading', { level: 1, name: text('pl', 'home.title', { name: 'Luca Rossi' }) }).waitFor();
  await other.reload();
  await ready(other);
  await other.getByRole('heading', { level: 1, name: text('pl', 'home.title', { name: 'Luca Rossi' }) }).waitFor();
  assert.equal((await api(server.url).token(member.email, PASSWORD)).user.ui_language, 'pl');

  assertNoConsoleErrors(page);
  assertNoConsoleErrors(other);
  await page.context().close();
  await other.context().close();
});
