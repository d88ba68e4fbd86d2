// Smoke test of the browser harness: the real server, Debian's chromium, the landing page, the
// API helper, and a restart on the same origin over the same store.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import {
  api,
  assertFitsViewport,
  assertNoConsoleErrors,
  clearConsoleErrors,
  consoleErrors,
  launchBrowser,
  loginInBrowser,
  newPage,
  registerMember,
  screenshot,
  startServer,
} from './harness.mjs';

let server;
let browser;

before(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the landing page loads in chromium without console errors', async () => {
  const page = await newPage(browser);
  const res = await page.goto(`${server.url}/`);
  assert.equal(res.status(), 200);
  assert.match(await page.title(), /Twinhub/);
  assert.ok(res.headers()['content-security-policy'], 'the page has a CSP');
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('console errors, page errors and CSP violations are caught', async () => {
  const page = await newPage(browser, { viewport: 'phone', locale: 'fr-FR' });
  await page.goto(`${server.url}/`);
  assert.equal(await page.evaluate(() => navigator.language), 'fr-FR');
  assert.deepEqual(page.viewportSize(), { width: 390, height: 844 });
  assert.equal(await page.evaluate(() => screen.width), 390);
  // An inline script is refused by the page's CSP (script-src 'self').
  await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.ran = true';
    document.body.append(s);
    setTimeout(() => {
      throw new Error('boom');
    });
  });
  await page.waitForTimeout(200);
  const seen = consoleErrors(page);
  assert.ok(seen.some((m) => /CSP violation: script-src/.test(m)), seen.join('\n'));
  assert.ok(seen.some((m) => /uncaught: Error: boom/.test(m)), seen.join('\n'));
  assert.throws(() => assertNoConsoleErrors(page), /console error/);
  assertNoConsoleErrors(page, { allow: [/CSP|Content Security Policy/, /boom/] });
  const dir = mkdtempSync(join(tmpdir(), 'twinhub-shots-'));
  try {
    const path = await screenshot(page, 'smoke-phone', { dir });
    assert.deepEqual([...readFileSync(path).subarray(1, 4)], [...Buffer.from('PNG')]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  await page.context().close();

  // (about:blank: the server's page CSP would refuse the inline style.)
  const blank = await newPage(browser, { viewport: 'phone' });
  await blank.setContent('<p style="width: 600px">too wide for a phone</p>');
  await assert.rejects(assertFitsViewport(blank), /wide in a 390 px viewport: p \(right edge 608 px\)/);
  await blank.context().close();
});

test('the API answers, and the setup helpers work', async () => {
  const openapi = await api(server.url).get('/api/openapi.json');
  assert.ok(openapi.paths['/api/auth/register'], 'the OpenAPI document lists the API');

  const ann = await registerMember(server.url, {
    email: 'ann.smoke@example.eu',
    display_name: 'Ann Smoke',
    country: 'PL',
    validated: true,
  });
  assert.equal(ann.user.email, 'ann.smoke@example.eu');
  assert.ok(ann.user.validation, 'validated by the demo NSO officer of Poland');

  const browserLike = await api(server.url).login(ann.email, ann.password);
  assert.ok(browserLike.csrf);
  assert.equal((await browserLike.me()).id, ann.user.id);

  const page = await newPage(browser);
  const login = await loginInBrowser(page, server.url, 'nso.fr@demo.twinhub.test');
  assert.equal(login.user.roles.nso_officer, 'FR');
  await page.goto(`${server.url}/api/me`);
  assert.match(await page.textContent('body'), /nso\.fr@demo\.twinhub\.test/);
  await page.context().close();
});

/** Opens a WebSocket from the page to its own origin's /ws; resolves to its first frame. */
const firstLiveFrame = (page) =>
  page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(`ws://${location.host}/ws`);
        ws.onmessage = (e) => {
          resolve(JSON.parse(e.data));
          ws.close();
        };
        ws.onerror = () => reject(new Error('WebSocket error'));
        setTimeout(() => reject(new Error('no frame within 5 s')), 5000);
      }),
  );

test('a logged-in page opens the live connection to its own origin, before and after a restart', async () => {
  const page = await newPage(browser);
  const login = await loginInBrowser(page, server.url, 'marie.fr1@demo.twinhub.test');
  await page.goto(`${server.url}/`);
  const welcome = await firstLiveFrame(page);
  assert.equal(welcome.type, 'welcome');
  assert.equal(welcome.user, login.user.id);
  await server.restart();
  clearConsoleErrors(page);
  await page.reload();
  assert.equal((await firstLiveFrame(page)).user, login.user.id, 'the session cookie survived');
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('after a restart the same origin serves the page and the store kept its data', async () => {
  const page = await newPage(browser);
  await page.goto(`${server.url}/`);
  const port = server.port;
  await server.restart();
  assert.equal(server.port, port);
  // While it was down, the page may have failed to reach it (a live connection, say).
  clearConsoleErrors(page);
  const res = await page.reload();
  assert.equal(res.status(), 200);
  assert.match(await page.title(), /Twinhub/);
  assertNoConsoleErrors(page);
  const ann = await api(server.url).token('ann.smoke@example.eu', 'a long test password');
  assert.ok(ann.user.validation);
  assert.ok(existsSync(join(server.dataDir, 'data')));
  await page.context().close();
});
