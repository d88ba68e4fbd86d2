// The live connection survives a server restart: the page shows a discreet "reconnecting"
// state, reconnects with backoff, resumes from its last event, and its unread count is
// right afterwards (an event made while it was away arrives without a reload).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  api,
  assertNoConsoleErrors,
  demoOfficer,
  launchBrowser,
  loginInBrowser,
  newPage,
  registerMember,
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

test('the page reconnects after a restart and shows what happened meanwhile', async () => {
  const member = await registerMember(server.url, { email: 'eva@school.example', display_name: 'Eva Nowak', country: 'PL', password: PASSWORD });
  const page = await newPage(browser);
  await loginInBrowser(page, server.url, member.email, PASSWORD);
  await page.goto(`${server.url}/#/notifications`);
  await ready(page);
  await page.locator('#live-state.live-live').waitFor({ state: 'attached' });

  await server.stop();
  const state = page.locator('#live-state');
  await page.locator('#live-state.live-reconnecting').waitFor();
  assert.equal(await state.textContent(), en('live.reconnecting'));

  // Back up; the NSO validates Eva right away, maybe before her page is back.
  await server.restart();
  const officer = await api(server.url).token(demoOfficer('PL'));
  await officer.put(`/api/nso/members/${member.user.id}/validation`);

  await page.locator('#live-state.live-live').waitFor({ state: 'attached' });
  assert.equal(await state.textContent(), '');
  const badge = page.locator('#notification-count');
  await badge.waitFor({ state: 'visible' });
  assert.equal(await badge.textContent(), '1');
  const poland = await page.evaluate(() => new Intl.DisplayNames(['en'], { type: 'region' }).of('PL'));
  await page.locator('#notification-list li', { hasText: en('notification.validated', { country: poland }) }).waitFor();
  assert.equal(await page.locator('#notification-list li').count(), 1, 'shown once, not twice');

  // A second restart: the count stays right (no double count from replay plus reload).
  // The reconnection can be quicker than a poll of the page, so wait on its count instead.
  const connections = await page.evaluate(() => Number(document.body.dataset.liveReady));
  await server.restart();
  await page.waitForFunction((n) => Number(document.body.dataset.liveReady) > n, connections);
  await page.locator('#live-state.live-live').waitFor({ state: 'attached' });
  assert.equal(await badge.textContent(), '1');
  assert.equal(await page.locator('#notification-list li').count(), 1);

  // While the server was down the browser logged failed WebSocket connections: expected.
  assertNoConsoleErrors(page, { allow: [/WebSocket connection to .* failed/, /Failed to load resource/] });
  await page.context().close();
});

test('a connection that stops answering is noticed by the page and replaced', async () => {
  const member = await registerMember(server.url, { email: 'ivo@school.example', display_name: 'Ivo Horvat', country: 'DE', password: PASSWORD });
  const page = await newPage(browser);
  await loginInBrowser(page, server.url, member.email, PASSWORD);
  await page.goto(`${server.url}/#/notifications`);
  await ready(page);
  await page.locator('#live-state.live-live').waitFor({ state: 'attached' });

  // A frozen server keeps its TCP connections open but answers nothing: no close ever comes.
  server.signal('SIGSTOP');
  try {
    // The page's own ping (every 25 s, 10 s to answer) finds out.
    await page.locator('#live-state.live-reconnecting').waitFor({ state: 'attached', timeout: 60_000 });
  } finally {
    server.signal('SIGCONT');
  }
  await page.locator('#live-state.live-live').waitFor({ state: 'attached', timeout: 60_000 });
  const officer = await api(server.url).token(demoOfficer('DE'));
  await officer.put(`/api/nso/members/${member.user.id}/validation`);
  await page.locator('#notification-count').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#notification-count').textContent(), '1');
  assertNoConsoleErrors(page, { allow: [/WebSocket connection to .* failed/, /Failed to load resource/] });
  await page.context().close();
});
