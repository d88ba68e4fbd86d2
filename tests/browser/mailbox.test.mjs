// Contacts and the mailbox (R1–R4) in two browsers at once: a teacher asks another to be a
// contact from their profile and the other's open page shows the request live; once they are
// contacts, one writes to the other with the recipient picker, the reader's open tabs show the
// envelope count and the message without a reload, reading it clears the count on every tab,
// and the answer arrives live. Refusals are shown as text. Saves screenshots of the contacts,
// inbox, message and new-message pages.

import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import {
  api,
  assertFitsViewport,
  assertNoConsoleErrors,
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
const HOSTILE = '<img src=x onerror="window.pwned=1">';

let server;
let browser;
// Where the server writes the e-mails it sends (the file outbox), so none lands in the repository.
const outbox = mkdtempSync(join(tmpdir(), 'twinhub-outbox-'));
let anna; // validated, Poland
let bruno; // validated, Italy
let chloe; // validated, France: nobody's contact
let dieter; // registered, not validated

before(async () => {
  [server, browser] = await Promise.all([startServer({ settings: { mail: { outbox_dir: outbox } } }), launchBrowser()]);
  [anna, bruno, chloe, dieter] = await Promise.all([
    registerMember(server.url, { email: 'anna@school.example', display_name: 'Anna Nowak', country: 'PL', password: PASSWORD, validated: true }),
    registerMember(server.url, { email: 'bruno@school.example', display_name: 'Bruno Rossi', country: 'IT', password: PASSWORD, validated: true }),
    registerMember(server.url, { email: 'chloe@school.example', display_name: 'Chloé Martin', country: 'FR', password: PASSWORD, validated: true }),
    registerMember(server.url, { email: 'dieter@school.example', display_name: 'Dieter Braun', country: 'DE', password: PASSWORD }),
  ]);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(outbox, { recursive: true, force: true });
});

/** Takes the toasts away, so a screenshot shows the page itself. */
const withoutToasts = (page) => page.evaluate(() => document.querySelectorAll('.toast').forEach((t) => t.remove()));

/** The e-mails in the outbox so far, as text. */
const emails = () => readdirSync(outbox).filter((f) => f.endsWith('.eml')).map((f) => readFileSync(join(outbox, f), 'utf8'));

/** A logged-in page at `path`, once its live connection is up. */
async function open(member, path, options = {}) {
  const page = await newPage(browser, options);
  await loginInBrowser(page, server.url, member.email, PASSWORD);
  await page.goto(`${server.url}/#${path}`);
  await ready(page);
  await page.locator('#live-state.live-live').waitFor({ state: 'attached' });
  return page;
}

/** Another tab of the same browser (same session). */
async function secondTab(page, path) {
  const tab = await page.context().newPage();
  await tab.goto(`${server.url}/#${path}`);
  await ready(tab);
  await tab.locator('#live-state.live-live').waitFor({ state: 'attached' });
  return tab;
}

test('a teacher adds another as a contact from the profile; the other accepts on a page that shows it live', async () => {
  const b = await open(bruno, '/contacts');
  await b.getByText(en('contacts.received_none')).waitFor();
  // Bruno has one notification already: his validation.
  const notes = b.locator('#notification-count');
  assert.equal(await notes.textContent(), '1');
  const a = await open(anna, `/people/${bruno.user.id}`);

  await a.getByRole('button', { name: en('profile.add_contact'), exact: true }).click();
  await a.locator('#contact-status', { hasText: en('profile.request_sent') }).waitFor();
  // The outcome takes the focus: the keyboard stays where the action was.
  await a.waitForFunction(() => document.activeElement?.id === 'contact-status');

  // Bruno's page, untouched: the request appears, with a toast and the notification count.
  const request = b.locator('#received-list li', { hasText: 'Anna Nowak' });
  await request.waitFor();
  await b.locator('.toast', { hasText: en('notification.contact_requested', { name: 'Anna Nowak' }) }).waitFor();
  assert.equal(await notes.textContent(), '2');
  await request.getByRole('button', { name: en('contacts.accept_named', { name: 'Anna Nowak' }) }).click();
  await b.getByText(en('contacts.accepted_done', { name: 'Anna Nowak' })).waitFor();
  await b.locator('#contact-list li', { hasText: 'Anna Nowak' }).waitFor();
  assert.equal(await request.count(), 0);

  // Anna's open profile page follows: they are contacts now.
  await a.locator('#contact-status', { hasText: en('profile.is_contact', { name: 'Bruno Rossi' }) }).waitFor();
  await a.getByRole('link', { name: en('contacts.write'), exact: true }).waitFor();
  await withoutToasts(b);
  await screenshot(b, 'contacts');

  assertNoConsoleErrors(a);
  assertNoConsoleErrors(b);
  await a.context().close();
  await b.context().close();
});

test('refusals are said: a member who is not validated cannot be added, blocking is private and undone', async () => {
  const a = await open(anna, `/people/${dieter.user.id}`);
  await a.getByText(en('profile.they_not_validated', { name: 'Dieter Braun' })).waitFor();
  assert.equal(await a.getByRole('button', { name: en('profile.add_contact'), exact: true }).count(), 0);

  // Dieter himself is told why he cannot add anyone yet.
  const d = await open(dieter, `/people/${anna.user.id}`);
  await d.getByText(en('profile.you_not_validated')).waitFor();
  // The server says it too, naming the reason (its detail, in English, under the sentence).
  const refused = await (await api(server.url).login(dieter.email, PASSWORD)).request('POST', '/api/contacts/requests', { user_id: anna.user.id });
  assert.equal(refused.status, 403);
  await d.context().close();

  // Block Chloé from her profile's menu, then unblock her from the contacts page.
  await a.goto(`${server.url}/#/people/${chloe.user.id}`);
  await a.getByRole('button', { name: en('profile.add_contact'), exact: true }).waitFor();
  await a.locator('#more-options summary').click();
  a.once('dialog', (dialog) => dialog.accept());
  await a.getByRole('button', { name: en('profile.block'), exact: true }).click();
  await a.getByText(en('profile.blocked_done', { name: 'Chloé Martin' })).waitFor();
  await a.locator('#contact-status', { hasText: en('profile.blocked_note', { name: 'Chloé Martin' }) }).waitFor();
  await a.goto(`${server.url}/#/contacts`);
  const row = a.locator('#blocked-list li', { hasText: 'Chloé Martin' });
  await row.getByRole('button', { name: en('contacts.unblock_named', { name: 'Chloé Martin' }) }).click();
  await a.getByText(en('profile.unblocked_done', { name: 'Chloé Martin' })).waitFor();
  assert.equal(await row.count(), 0);
  await a.getByText(en('contacts.blocked_none')).waitFor();
  assertNoConsoleErrors(a);
  await a.context().close();
});

test('a message to a contact arrives live on every open tab, is read, and the answer comes back live', async () => {
  const b = await open(bruno, '/mailbox');
  await b.getByText(en('mailbox.empty_inbox')).waitFor();
  const bHome = await secondTab(b, '/');
  const a = await open(anna, '/mailbox/new');

  // The picker offers contacts only: Chloé (validated, not a contact) is not found.
  const to = a.getByRole('combobox', { name: en('mailbox.to'), exact: true });
  await to.fill('Chlo');
  await a.locator('.picker-empty', { hasText: en('mailbox.no_match') }).first().waitFor();
  assert.equal(await a.locator('.picker-list [role="option"]').count(), 0);
  // Bruno is; chosen with the keyboard.
  await to.fill('bru');
  await a.getByRole('option', { name: 'Bruno Rossi' }).waitFor();
  await to.press('ArrowDown');
  assert.equal(await a.getByRole('option', { name: 'Bruno Rossi' }).getAttribute('aria-selected'), 'true');
  await to.press('Enter');
  await a.locator('.chip', { hasText: 'Bruno Rossi' }).waitFor();
  assert.equal(await to.inputValue(), '');
  assert.ok(await to.evaluate((el) => el === document.activeElement), 'the focus stays in the box');

  const subject = `Project on rivers ${HOSTILE}`;
  const body = `Hello Bruno,\nshall we start in March?\n\n${HOSTILE}\nAnna`;
  await a.getByLabel(en('mailbox.subject'), { exact: true }).fill(subject);
  await a.getByLabel(en('mailbox.body'), { exact: true }).fill(body);
  await screenshot(a, 'new-message');
  await a.getByRole('button', { name: en('mailbox.send'), exact: true }).click();
  await a.locator('body[data-route="/mailbox/sent"]').waitFor({ state: 'attached' });
  await a.locator('#mail-list li', { hasText: 'Project on rivers' }).waitFor();

  // Bruno's two tabs, untouched: the envelope shows 1 and the inbox lists the message.
  const row = b.locator('#mail-list li.unread', { hasText: 'Project on rivers' });
  await row.waitFor();
  for (const tab of [b, bHome]) {
    await tab.locator('#mail-count').waitFor({ state: 'visible' });
    assert.equal(await tab.locator('#mail-count').textContent(), '1');
    assert.match(await tab.locator('#mailbox-link').getAttribute('aria-label'), /1 unread message/);
  }
  assert.equal(await row.locator('.mail-who').textContent(), 'Anna Nowak');
  await withoutToasts(b);
  await screenshot(b, 'mailbox');

  // Opening it marks it read: the count goes to 0 on the other tab too.
  await row.getByRole('link').click();
  await b.getByRole('heading', { level: 1, name: subject, exact: true }).waitFor();
  const shown = b.locator('#message-body');
  assert.equal(await shown.textContent(), body);
  assert.equal(await shown.evaluate((el) => getComputedStyle(el).whiteSpace), 'pre-wrap');
  assert.equal(await b.locator('#message-body img, h1 img').count(), 0, 'user text never becomes markup');
  await bHome.locator('#mail-count').waitFor({ state: 'hidden' });
  await b.locator('#mail-count').waitFor({ state: 'hidden' });
  assert.equal(await bHome.locator('#mailbox-link').getAttribute('aria-label'), en('topbar.mailbox'));
  await withoutToasts(b);
  await screenshot(b, 'message');

  // Anna waits in her inbox; Bruno replies.
  await a.goto(`${server.url}/#/mailbox`);
  await a.getByText(en('mailbox.empty_inbox')).waitFor();
  await b.getByRole('link', { name: en('mailbox.reply'), exact: true }).click();
  await b.locator('.chip', { hasText: 'Anna Nowak' }).waitFor();
  const replySubject = b.getByLabel(en('mailbox.subject'), { exact: true });
  assert.equal(await replySubject.inputValue(), en('mailbox.reply_subject', { subject }));
  const replyBody = b.getByLabel(en('mailbox.body'), { exact: true });
  assert.match(await replyBody.inputValue(), /> shall we start in March\?/);
  await replyBody.press('Control+Home');
  await replyBody.pressSequentially('Yes, March is fine.');
  await b.getByRole('button', { name: en('mailbox.send'), exact: true }).click();
  await b.locator('body[data-route="/mailbox/sent"]').waitFor({ state: 'attached' });

  const reply = a.locator('#mail-list li.unread', { hasText: 'Project on rivers' });
  await reply.waitFor();
  assert.equal(await reply.locator('.mail-who').textContent(), 'Bruno Rossi');
  assert.equal(await a.locator('#mail-count').textContent(), '1');
  await a.locator('.toast', { hasText: en('notification.mail_received', { name: 'Bruno Rossi', subject: en('mailbox.reply_subject', { subject }) }) }).waitFor();

  // Marked unread again on one tab, then deleted: the other tab's list follows.
  await reply.getByRole('link').click();
  await a.locator('#message-body', { hasText: 'Yes, March is fine.' }).waitFor();
  await a.locator('#mail-count').waitFor({ state: 'hidden' });
  // Under it, the conversation: A's first message, then this reply, oldest first.
  const talk = a.locator('#conversation');
  await talk.getByRole('heading', { name: text('en', 'mailbox.conversation', { count: 2 }) }).waitFor();
  const turns = talk.locator('ol > li');
  assert.equal(await turns.count(), 2);
  assert.match(await turns.nth(0).locator('summary').textContent(), /Anna Nowak/);
  await turns.nth(0).locator('summary').click();
  await turns.nth(0).getByText('shall we start in March?', { exact: false }).waitFor();
  assert.equal(await turns.nth(1).getAttribute('aria-current'), 'true');
  const aInbox = await secondTab(a, '/mailbox');
  await aInbox.locator('#mail-list li:not(.unread)', { hasText: 'Project on rivers' }).waitFor();
  await a.getByRole('button', { name: en('mailbox.mark_unread'), exact: true }).click();
  await aInbox.locator('#mail-list li.unread', { hasText: 'Project on rivers' }).waitFor();
  assert.equal(await aInbox.locator('#mail-count').textContent(), '1');
  await a.locator('#mail-list li', { hasText: 'Project on rivers' }).getByRole('link').click();
  await a.locator('#message-body').waitFor();
  a.once('dialog', (dialog) => dialog.accept());
  await a.getByRole('button', { name: en('mailbox.delete'), exact: true }).click();
  await aInbox.getByText(en('mailbox.empty_inbox')).waitFor();
  assert.equal(await aInbox.locator('#mail-count').isHidden(), true);

  assert.equal(await b.evaluate(() => window.pwned), undefined, 'no injected script ran');
  for (const page of [a, aInbox, b, bHome]) assertNoConsoleErrors(page);
  await a.context().close();
  await b.context().close();
});

test('a message to someone who is not a contact is refused, naming them', async () => {
  // Through the API: nothing is sent.
  const client = await api(server.url).login(anna.email, PASSWORD);
  const refused = await client.request('POST', '/api/mail', { to: [chloe.user.id], subject: 'Hi', body: 'Hello' });
  assert.equal(refused.status, 403);
  assert.match(refused.body.error.message, /Chloé Martin/);

  // Through the UI (a link that names her): the sentence, and the server's detail naming her.
  const a = await open(anna, `/mailbox/new?to=${chloe.user.id}`);
  await a.locator('.chip', { hasText: 'Chloé Martin' }).waitFor();
  await a.getByLabel(en('mailbox.subject'), { exact: true }).fill('Hi');
  await a.getByLabel(en('mailbox.body'), { exact: true }).fill('Hello');
  await a.getByRole('button', { name: en('mailbox.send'), exact: true }).click();
  const error = a.getByRole('alert');
  await error.getByText(en('error.forbidden')).waitFor();
  assert.match(await error.locator('.detail').textContent(), /Chloé Martin is not one of your contacts/);
  assert.equal(await error.locator('.detail').getAttribute('lang'), 'en');
  // Without any recipient the form says so and puts the focus in To.
  await a.locator('.chip-remove').click();
  await a.getByRole('button', { name: en('mailbox.send'), exact: true }).click();
  await a.getByText(en('mailbox.need_recipient')).waitFor();
  assert.ok(await a.getByRole('combobox', { name: en('mailbox.to'), exact: true }).evaluate((el) => el === document.activeElement));
  assertNoConsoleErrors(a);
  await a.context().close();
});

test('the new pages fit a phone screen', async () => {
  const page = await open(bruno, '/contacts', { viewport: 'phone' });
  await page.locator('#contact-list li', { hasText: 'Anna Nowak' }).waitFor();
  await assertFitsViewport(page);
  const sent = (await api(server.url).login(bruno.email, PASSWORD).then((c) => c.get('/api/mail/sent'))).items[0];
  const pages = {
    '/mailbox': 'mailbox.inbox',
    '/mailbox/sent': 'mailbox.sent',
    '/mailbox/new': 'mailbox.new',
  };
  for (const [path, titleKey] of Object.entries(pages)) {
    await page.goto(`${server.url}/#${path}`);
    await page.getByRole('heading', { level: 1, name: en(titleKey), exact: true }).waitFor();
    await assertFitsViewport(page);
  }
  await page.goto(`${server.url}/#/mailbox/${sent.id}`);
  await page.locator('#message-body').waitFor();
  await assertFitsViewport(page);
  await page.goto(`${server.url}/#/people/${anna.user.id}`);
  await page.locator('#more-options summary').click();
  await page.getByRole('button', { name: en('profile.send_message') }).waitFor();
  await assertFitsViewport(page);
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('"Send a message" on a profile says where it went: the mailbox for a contact, else e-mail', async () => {
  const a = await open(anna, `/people/${chloe.user.id}`);
  await a.locator('#more-options summary').click();
  await a.getByRole('button', { name: en('profile.send_message') }).click();
  const form = a.locator('#send-message-form');
  await form.getByText(en('profile.message_hint_email', { name: 'Chloé Martin' })).waitFor();
  await form.getByLabel(en('mailbox.subject'), { exact: true }).fill('eTwinning project');
  await form.getByLabel(en('mailbox.body'), { exact: true }).fill('Would your class join ours?');
  await form.getByRole('button', { name: en('mailbox.send'), exact: true }).click();
  const done = a.locator('#send-message-done .notice');
  await done.waitFor();
  assert.equal(await done.textContent(), en('profile.message_sent_email', { name: 'Chloé Martin' }));
  assert.doesNotMatch(await a.locator('main').textContent(), /chloe@school\.example/, 'their address is never shown');
  // It did go out by e-mail (the server's sender thread writes it to the outbox shortly).
  for (let i = 0; i < 100 && !emails().some((m) => m.includes('chloe@school.example')); i += 1) await a.waitForTimeout(100);
  assert.ok(emails().some((m) => m.includes('chloe@school.example') && m.includes('eTwinning project')), 'an e-mail to Chloé');

  // To a contact, it goes to the mailbox.
  await a.goto(`${server.url}/#/people/${bruno.user.id}`);
  // Same document, new hash: wait for Bruno's page, or the click lands on Chloé's old one.
  await a.getByRole('heading', { level: 1, name: 'Bruno Rossi' }).waitFor();
  await a.locator('#more-options summary').click();
  await a.getByRole('button', { name: en('profile.send_message') }).click();
  await a.getByText(en('profile.message_hint_contact', { name: 'Bruno Rossi' })).waitFor();
  await a.locator('#send-message-form').getByLabel(en('mailbox.subject'), { exact: true }).fill('Dates');
  await a.locator('#send-message-form').getByLabel(en('mailbox.body'), { exact: true }).fill('See you in March.');
  await a.locator('#send-message-form').getByRole('button', { name: en('mailbox.send'), exact: true }).click();
  await a.locator('#send-message-done .notice', { hasText: en('profile.message_sent_mailbox', { name: 'Bruno Rossi' }) }).waitFor();
  assertNoConsoleErrors(a);
  await a.context().close();
});
