// Two browsers at once: an NSO officer validates a teacher, and the teacher's open page shows
// the notification and the unread count live, without a reload; refusing another teacher
// shows them the officer's reason, as text. Saves screenshots of the NSO and notification pages.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  assertNoConsoleErrors,
  demoOfficer,
  launchBrowser,
  loginInBrowser,
  newPage,
  registerMember,
  screenshot,
  startServer,
} from './harness.mjs';
import { ready, text } from './catalogue.mjs';

const en = (key, params) => text('en', key, params);
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

test('an NSO officer validates a teacher whose open page shows it live', async () => {
  await registerMember(server.url, { email: 'claire@school.example', display_name: 'Claire Martin', country: 'FR', password: PASSWORD });
  const teacher = await newPage(browser);
  await loginInBrowser(teacher, server.url, 'claire@school.example', PASSWORD);
  await teacher.goto(`${server.url}/#/notifications`);
  await ready(teacher);
  await teacher.getByText(en('notifications.none')).waitFor();
  await teacher.locator('#live-state.live-live').waitFor({ state: 'attached' });
  const badge = teacher.locator('#notification-count');
  assert.equal(await badge.isHidden(), true, 'no unread notification yet');

  const officer = await newPage(browser);
  await loginInBrowser(officer, server.url, demoOfficer('FR'));
  await officer.goto(`${server.url}/#/nso`);
  await ready(officer);
  const row = officer.locator('#nso-members li', { hasText: 'Claire Martin' });
  await row.waitFor();
  await screenshot(officer, 'nso-members');
  await row.getByRole('button', { name: en('nso.validate'), exact: true }).click();
  await officer.getByText(en('nso.validated_done', { name: 'Claire Martin' })).waitFor();
  assert.equal(await row.count(), 0, 'the validated teacher leaves the waiting list');

  // The teacher's page, untouched since: the count and the notification arrive live.
  const france = await teacher.evaluate(() => new Intl.DisplayNames(['en'], { type: 'region' }).of('FR'));
  const sentence = en('notification.validated', { country: france });
  await teacher.locator('#notification-list li.unread', { hasText: sentence }).waitFor();
  await badge.waitFor({ state: 'visible' });
  assert.equal(await badge.textContent(), '1');
  await screenshot(teacher, 'notifications');

  // Marking it read brings the count down on every tab: a second tab of the teacher hears it.
  const secondTab = await teacher.context().newPage();
  await secondTab.goto(`${server.url}/#/`);
  await ready(secondTab);
  const secondBadge = secondTab.locator('#notification-count');
  await secondBadge.waitFor({ state: 'visible' });
  assert.equal(await secondBadge.textContent(), '1');
  await secondTab.locator('#live-state.live-live').waitFor({ state: 'attached' });
  await teacher.getByRole('button', { name: en('notifications.mark_all_read') }).click();
  await badge.waitFor({ state: 'hidden' });
  await secondBadge.waitFor({ state: 'hidden' });

  assertNoConsoleErrors(teacher);
  assertNoConsoleErrors(officer);
  await teacher.context().close();
  await officer.context().close();
});

test('a refused teacher reads the reason as text', async () => {
  await registerMember(server.url, { email: 'bob@school.example', display_name: 'Bob Durand', country: 'FR', password: PASSWORD });
  const officer = await newPage(browser);
  await loginInBrowser(officer, server.url, demoOfficer('FR'));
  await officer.goto(`${server.url}/#/nso`);
  await ready(officer);
  const row = officer.locator('#nso-members li', { hasText: 'Bob Durand' });
  await row.getByRole('button', { name: en('nso.refuse') }).click();
  const reason = 'Not a school address <b>please</b> register with your school e-mail';
  await row.getByLabel(en('nso.reason')).fill(reason);
  await row.getByRole('button', { name: en('nso.refuse_confirm'), exact: true }).click();
  await officer.getByText(en('nso.refused_done', { name: 'Bob Durand' })).waitFor();
  await officer.getByRole('button', { name: en('nso.tab_refused'), exact: true }).click();
  assert.equal(await officer.getByRole('button', { name: en('nso.tab_refused'), exact: true }).getAttribute('aria-pressed'), 'true');
  await officer.locator('#nso-members li', { hasText: 'Bob Durand' }).waitFor();

  const teacher = await newPage(browser);
  await loginInBrowser(teacher, server.url, 'bob@school.example', PASSWORD);
  await teacher.goto(`${server.url}/#/`);
  await ready(teacher);
  await teacher.getByText(en('profile.refused')).waitFor();
  const quote = teacher.locator('.notice .quote');
  assert.equal(await quote.textContent(), reason);
  assert.equal(await teacher.locator('.notice b').count(), 0);
  assertNoConsoleErrors(teacher);
  assertNoConsoleErrors(officer);
  await teacher.context().close();
  await officer.context().close();
});
