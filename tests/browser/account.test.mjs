// A new teacher's first steps in a real browser: register, land on Home, edit the profile
// (with a name and bio that look like HTML, shown as text), add a picture, add and leave a
// school, log out and in again; the pages fit a phone. Saves screenshots of those pages.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  assertFitsViewport,
  assertNoConsoleErrors,
  launchBrowser,
  newPage,
  screenshot,
  startServer,
} from './harness.mjs';
import { ready, text } from './catalogue.mjs';

const en = (key, params) => text('en', key, params);

// A 1×1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

const HOSTILE = '<img src=x onerror="window.pwned=1">';

let server;
let browser;

before(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('a new teacher registers, edits the profile, adds a picture and a school, logs out and in', async () => {
  const page = await newPage(browser);
  await page.goto(`${server.url}/`);
  await ready(page);
  await screenshot(page, 'welcome');

  await page.getByRole('link', { name: en('nav.register') }).first().click();
  await page.getByLabel(en('auth.display_name')).fill(`Zoé ${HOSTILE}`);
  await page.getByLabel(en('auth.email')).fill('zoe@school.example');
  await page.getByLabel(en('auth.password')).fill('a long enough password');
  await page.getByLabel(en('auth.country')).selectOption('FR');
  await screenshot(page, 'register');
  await page.getByRole('button', { name: en('auth.register_button') }).click();

  // Registered and logged in: Home greets by name (as text) and says validation is pending.
  const greeting = en('home.title', { name: `Zoé ${HOSTILE}` });
  await page.getByRole('heading', { level: 1, name: greeting, exact: true }).waitFor();
  await page.getByText(en('profile.pending')).waitFor();
  await page.locator('#live-state.live-live').waitFor({ state: 'attached' });
  await screenshot(page, 'home');

  // The profile menu opens Your profile.
  await page.locator('#profile-menu summary').click();
  await page.locator('#profile-menu').getByRole('link', { name: en('nav.profile') }).click();
  await page.getByRole('link', { name: en('profile.edit') }).click();
  await page.getByLabel(en('profile.bio')).fill(`I teach history.\n${HOSTILE}`);
  await page.getByRole('checkbox', { name: 'French' }).check();
  await page.getByRole('checkbox', { name: 'History' }).check();
  await page.getByLabel(en('profile.member_type')).selectOption('head_teacher');
  await page.getByLabel(en('profile.available_label')).check();
  await screenshot(page, 'profile-edit');
  await page.getByRole('button', { name: en('common.save') }).click();

  await page.waitForURL(/#\/profile$/);
  const bio = page.locator('.bio');
  await bio.waitFor();
  assert.equal(await bio.textContent(), `I teach history.\n${HOSTILE}`);
  assert.equal(await page.locator('.bio img, .profile-name img').count(), 0, 'user text never becomes markup');
  await page.getByText(en('member_type.head_teacher')).waitFor();
  await page.getByText(en('profile.available')).first().waitFor();

  // A picture: the profile and the top bar show it.
  await page.locator('#picture-input').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: PNG });
  await page.locator('.profile-head img.avatar').waitFor();
  await page.locator('#profile-menu summary img.avatar').waitFor();
  await screenshot(page, 'profile');

  // Register a school and add it to the profile, then leave it.
  await page.goto(`${server.url}/#/schools`);
  await page.getByLabel(en('schools.name'), { exact: true }).fill('Lycée Victor Hugo');
  await page.getByLabel(en('schools.city'), { exact: true }).fill('Besançon');
  await page.getByRole('button', { name: en('schools.create_button') }).click();
  const mine = page.locator('#my-schools');
  await mine.getByText('Lycée Victor Hugo').waitFor();
  await screenshot(page, 'schools');
  page.once('dialog', (d) => d.accept());
  await page.getByRole('button', { name: en('schools.leave_named', { name: 'Lycée Victor Hugo' }) }).click();
  await page.getByText(en('schools.none')).first().waitFor();

  // Log out, then log in again.
  await page.locator('#profile-menu summary').click();
  await page.getByRole('button', { name: en('nav.logout') }).click();
  await page.getByRole('heading', { name: en('auth.login_title') }).waitFor();
  await page.getByLabel(en('auth.email')).fill('zoe@school.example');
  await page.getByLabel(en('auth.password')).fill('wrong password!');
  await page.getByRole('button', { name: en('auth.login_button') }).click();
  await page.getByText(en('error.invalid_credentials')).waitFor();
  await screenshot(page, 'login');
  await page.getByLabel(en('auth.password')).fill('a long enough password');
  await page.getByRole('button', { name: en('auth.login_button') }).click();
  await page.getByRole('heading', { level: 1, name: greeting, exact: true }).waitFor();

  assert.equal(await page.evaluate(() => window.pwned), undefined, 'no injected script ran');
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('the pages fit a phone screen', async () => {
  const page = await newPage(browser, { viewport: 'phone' });
  await page.goto(`${server.url}/`);
  await ready(page);
  await assertFitsViewport(page);
  await page.goto(`${server.url}/#/register`);
  await page.getByLabel(en('auth.email')).waitFor();
  await assertFitsViewport(page);
  await page.getByLabel(en('auth.display_name')).fill('Phone Teacher');
  await page.getByLabel(en('auth.email')).fill('phone@school.example');
  await page.getByLabel(en('auth.password')).fill('a long enough password');
  await page.getByLabel(en('auth.country')).selectOption('PL');
  await page.getByRole('button', { name: en('auth.register_button') }).click();
  await page.getByRole('heading', { level: 1, name: en('home.title', { name: 'Phone Teacher' }) }).waitFor();
  await assertFitsViewport(page);
  await screenshot(page, 'home-phone');
  const pages = {
    '#/profile': 'nav.profile',
    '#/profile/edit': 'profile.edit',
    '#/schools': 'nav.schools',
    '#/notifications': 'nav.notifications',
  };
  for (const [path, titleKey] of Object.entries(pages)) {
    await page.goto(`${server.url}/${path}`);
    await page.getByRole('heading', { level: 1, name: en(titleKey) }).waitFor();
    await assertFitsViewport(page);
  }
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('keyboard only: log in, open the profile menu, reach every area without a broken link', async () => {
  const page = await newPage(browser);
  await page.goto(`${server.url}/#/login`);
  await ready(page);
  // Tab order reaches the form; Enter submits.
  const email = page.getByLabel(en('auth.email'));
  for (let i = 0; i < 20 && !(await email.evaluate((el) => el === document.activeElement)); i += 1) {
    await page.keyboard.press('Tab');
  }
  assert.ok(await email.evaluate((el) => el === document.activeElement), 'the e-mail field is reachable by Tab');
  await page.keyboard.type('zoe@school.example');
  await page.keyboard.press('Tab');
  await page.keyboard.type('a long enough password');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: /^Hello, Zoé/ }).waitFor();

  // The profile menu opens with Enter and closes with Escape, giving focus back.
  const summary = page.locator('#profile-menu summary');
  await summary.focus();
  await page.keyboard.press('Enter');
  await page.locator('#profile-menu[open]').waitFor();
  await page.keyboard.press('Escape');
  await page.locator('#profile-menu:not([open])').waitFor({ state: 'attached' });
  assert.ok(await summary.evaluate((el) => el === document.activeElement));

  // Every in-app link of the top bar, its menus and Home leads to a real page.
  const hrefs = await page.evaluate(() => [...new Set([...document.querySelectorAll('a[href^="#/"]')].map((a) => a.getAttribute('href')))]);
  assert.ok(hrefs.length >= 8, hrefs.join(' '));
  for (const href of hrefs) {
    const path = href.slice(1);
    // Through a page that is surely different, so the wait below sees this link's page.
    await page.goto(`${server.url}/#/no-such-page`);
    await page.locator('body[data-route="/not-found"]').waitFor({ state: 'attached' });
    await page.goto(`${server.url}/${href}`);
    // A broken link would stay on the not-found page, and this wait would fail.
    await page.waitForFunction(() => document.body.dataset.route !== '/not-found');
    const route = await page.evaluate(() => document.body.dataset.route);
    assert.ok(route === path || route.includes(':'), `${href} drew ${route}`);
    assert.notEqual(await page.getByRole('heading', { level: 1 }).textContent(), en('nav.not_found'), `${href} is broken`);
  }
  assert.equal(await page.getByRole('heading', { level: 1 }).count(), 1);
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('logging out in one tab logs out the other open tab at once', async () => {
  const first = await newPage(browser);
  await first.goto(`${server.url}/#/login`);
  await ready(first);
  await first.getByLabel(en('auth.email')).fill('zoe@school.example');
  await first.getByLabel(en('auth.password')).fill('a long enough password');
  await first.getByRole('button', { name: en('auth.login_button') }).click();
  await first.getByRole('heading', { level: 1, name: /^Hello, Zoé/ }).waitFor();

  const second = await first.context().newPage();
  await second.goto(`${server.url}/#/profile`);
  await ready(second);
  await second.locator('#live-state.live-live').waitFor({ state: 'attached' });

  await first.locator('#profile-menu summary').click();
  await first.getByRole('button', { name: en('nav.logout') }).click();
  await first.getByRole('heading', { level: 1, name: en('auth.login_title') }).waitFor();
  // The server closes the session's sockets; the other tab hears it without any click.
  await second.getByRole('heading', { level: 1, name: en('auth.login_title') }).waitFor();
  await second.getByText(en('auth.session_ended')).waitFor();
  assert.equal(await first.getByText(en('auth.session_ended')).count(), 0, 'our own logout is no surprise');
  assertNoConsoleErrors(first);
  assertNoConsoleErrors(second);
  await first.context().close();
});
