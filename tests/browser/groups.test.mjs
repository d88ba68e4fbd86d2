// Groups with live group chat (issue 7) in real browsers: a validated teacher creates a group
// through the form (the Code of Conduct must be ticked before the button works), a second
// teacher finds it with the search and joins; in two browsers they see each other online,
// typing, their messages, edits and deletions live, without a reload; a hostile message stays
// text; @mentions are offered and highlighted; scrolling up reads older messages back; after
// a server restart a message written meanwhile goes out once and what was missed comes in; an
// invitation-only group refuses a joiner who was not invited (the translated refusal), until
// an administrator invites them; the administrator uploads a picture, appoints and demotes,
// edits the group (seen live) and removes the member, whose chat goes. Saves screenshots of
// the groups, the new-group form and the chat.

import assert from 'node:assert/strict';
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
const TITLE = 'Climate detectives';
const SEEDED = 45; // more than one page of history (30)
// A 1×1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const RESTART_ERRORS = [/WebSocket connection to .* failed/, /Failed to load resource/];

let server;
let browser;
let anna; // validated, Poland: creates the groups
let bruno; // validated, Italy: joins
let chloe; // validated, France: not invited
let groupId; // the group made through the form
let subjectCode;

before(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  [anna, bruno, chloe] = await Promise.all([
    registerMember(server.url, { email: 'anna@school.example', display_name: 'Anna Nowak', country: 'PL', password: PASSWORD, validated: true }),
    registerMember(server.url, { email: 'bruno@school.example', display_name: 'Bruno Rossi', country: 'IT', password: PASSWORD, validated: true }),
    registerMember(server.url, { email: 'chloe@school.example', display_name: 'Chloé Martin', country: 'FR', password: PASSWORD, validated: true }),
  ]);
  subjectCode = (await anna.get('/api/catalog')).subjects[0].code;
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A logged-in page at `path`, once its live connection is up. */
async function open(member, path, options = {}) {
  const page = await newPage(browser, options);
  await loginInBrowser(page, server.url, member.email, PASSWORD);
  await page.goto(`${server.url}/#${path}`);
  await ready(page);
  await page.locator('#live-state.live-live').waitFor({ state: 'attached' });
  return page;
}

/** A group page with its chat listening: my own name is in "Online now". */
async function openChat(member, id, options) {
  const page = await open(member, `/groups/${id}`, options);
  await page.locator('#online-list li', { hasText: member.user.display_name }).waitFor();
  return page;
}

/** Waits until the search index answers `q` with group `id` (it commits about once a second). */
async function indexed(client, q, id) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const page = await client.get(`/api/search?kind=groups&q=${encodeURIComponent(q)}`);
    if (page.items.some((item) => item.id === id)) return page;
    if (Date.now() > deadline) throw new Error(`search groups "${q}" never found ${id}: ${JSON.stringify(page)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const withoutToasts = (page) => page.evaluate(() => document.querySelectorAll('.toast').forEach((t) => t.remove()));
const messages = (page) => page.locator('#chat-messages > li');
const message = (page, words) => page.locator('#chat-messages > li', { hasText: words });

/** Writes in the send box key by key (so "typing" is sent) and presses Enter. */
async function say(page, words) {
  const box = page.getByRole('textbox', { name: en('group.chat.message_label'), exact: true });
  await box.pressSequentially(words);
  await box.press('Enter');
}

test('a validated teacher creates a group through the form, accepting the Code of Conduct', async () => {
  const a = await open(anna, '/groups');
  await a.locator('#my-groups-empty', { hasText: en('group.mine_none') }).waitFor();
  await a.getByRole('link', { name: en('group.create'), exact: true }).click();
  await a.locator('body[data-route="/groups/new"]').waitFor({ state: 'attached' });
  await a.getByRole('heading', { level: 1, name: en('group.new_title') }).waitFor();

  await a.getByLabel(en('group.title'), { exact: true }).fill(TITLE);
  await a.getByLabel(en('group.description'), { exact: true }).fill('Pupils aged 10 to 12 measure the weather at school and compare it across Europe.\nEveryone welcome.');
  await a.locator('#subjects-choices input').first().check();
  await a.locator('#languages-choices').getByLabel('English', { exact: true }).check();
  await a.locator('#languages-choices').getByLabel('Polish', { exact: true }).check();
  assert.ok(await a.getByRole('radio', { name: new RegExp(en('group.policy_all')) }).isChecked(), 'open to all by default');

  // The Code of Conduct is shown in full; the button waits for the box.
  const coc = a.locator('#code-of-conduct');
  await coc.locator('li').first().waitFor();
  assert.ok((await coc.locator('li').count()) >= 2, 'the points of the Code of Conduct are listed');
  const submit = a.getByRole('button', { name: en('group.create_submit'), exact: true });
  assert.equal(await submit.isDisabled(), true, 'disabled before the Code of Conduct is accepted');
  await assertFitsViewport(a);
  await screenshot(a, 'group-new');
  const accept = a.getByRole('checkbox', { name: en('group.coc_accept'), exact: true });
  await accept.check();
  assert.equal(await submit.isEnabled(), true);
  await accept.uncheck();
  assert.equal(await submit.isDisabled(), true);
  await accept.check();
  await submit.click();

  await a.locator('body[data-route="/groups/:id"]').waitFor({ state: 'attached' });
  await a.getByRole('heading', { level: 1, name: TITLE, exact: true }).waitFor();
  groupId = Number(/#\/groups\/(\d+)/.exec(a.url())[1]);
  const group = await anna.get(`/api/groups/${groupId}`);
  assert.equal(group.title, TITLE);
  assert.equal(group.policy, 'all');
  assert.deepEqual([...group.languages].sort(), ['en', 'pl']);
  assert.equal(group.me.admin, true);
  // The creator lands in the chat, alone and online.
  await a.locator('#online-list li', { hasText: 'Anna Nowak' }).waitFor();
  await a.getByText(en('group.chat.empty')).waitFor();
  // And the group is in "My groups".
  await a.getByRole('link', { name: en('nav.groups'), exact: true }).first().click();
  await a.locator('#my-groups li', { hasText: TITLE }).waitFor();
  assertNoConsoleErrors(a);
  await a.context().close();
});

test('a second teacher finds the group and joins; the two chat live', async () => {
  await indexed(bruno, 'climate', groupId);
  const b = await open(bruno, '/groups');
  const box = b.getByRole('searchbox', { name: en('group.search_label'), exact: true });
  await box.fill('climate detect');
  const row = b.locator('#search-groups-results > li', { hasText: TITLE });
  await row.waitFor();
  await row.getByText('1 member', { exact: true }).waitFor();
  await row.getByRole('button', { name: en('group.join_named', { title: TITLE }), exact: true }).click();
  await b.locator('body[data-route="/groups/:id"]').waitFor({ state: 'attached' });
  await b.locator('#online-list li', { hasText: 'Bruno Rossi' }).waitFor();

  const a = await openChat(anna, groupId);
  // Each sees the other online.
  await a.locator('#online-list li', { hasText: 'Bruno Rossi' }).waitFor();
  await b.locator('#online-list li', { hasText: 'Anna Nowak' }).waitFor();

  // Bruno types: Anna sees it; he sends: she sees the message, without a reload.
  const bBox = b.getByRole('textbox', { name: en('group.chat.message_label'), exact: true });
  await bBox.pressSequentially('Hello Anna, shall we start with rain');
  await a.locator('#chat-typing', { hasText: en('group.chat.typing_one', { name: 'Bruno Rossi' }) }).waitFor();
  await bBox.press('Enter');
  await message(a, 'Hello Anna, shall we start with rain').waitFor();
  await a.locator('#chat-typing', { hasText: /^$/ }).waitFor({ state: 'attached' });
  // His own copy is the server's message, not "Sending…" any more.
  await b.locator('#chat-messages > li:not(.pending)', { hasText: 'Hello Anna, shall we start with rain' }).waitFor();
  assert.equal(await bBox.inputValue(), '');

  // Shift+Enter starts a new line; hostile text stays text.
  const aBox = a.getByRole('textbox', { name: en('group.chat.message_label'), exact: true });
  await aBox.pressSequentially('Yes! Two lines:');
  await aBox.press('Shift+Enter');
  await aBox.pressSequentially('the second one');
  await aBox.press('Enter');
  await message(b, 'the second one').waitFor();
  assert.equal(await message(b, 'the second one').locator('.chat-text').textContent(), 'Yes! Two lines:\nthe second one');
  await aBox.fill(HOSTILE);
  await aBox.press('Enter');
  const hostile = message(b, 'onerror');
  await hostile.waitFor();
  assert.equal(await hostile.locator('.chat-text').textContent(), HOSTILE);
  assert.equal(await b.locator('#chat-messages img[src="x"]').count(), 0, 'member text never becomes markup');

  // "@" offers the members; the chosen one is mentioned and highlighted on both sides.
  await aBox.pressSequentially('@bru');
  const option = a.getByRole('option', { name: 'Bruno Rossi' });
  await option.waitFor();
  await aBox.press('Enter');
  assert.equal(await aBox.inputValue(), '@Bruno Rossi ');
  await aBox.pressSequentially('could you bring a rain gauge?');
  await aBox.press('Enter');
  const mention = message(b, 'could you bring a rain gauge?');
  await mention.waitFor();
  assert.match(await mention.getAttribute('class'), /mentions-me/);
  assert.equal(await mention.locator('mark.mention-me').textContent(), '@Bruno Rossi');
  await message(a, 'could you bring a rain gauge?').locator('mark.mention', { hasText: '@Bruno Rossi' }).waitFor();
  await b.locator('.toast', { hasText: en('notification.group_mention', { name: 'Anna Nowak', title: TITLE }) }).waitFor();

  // Bruno edits his message: Anna sees the new text and "(edited)" in its place.
  const mine = message(b, 'Hello Anna, shall we start with rain');
  await mine.hover();
  await mine.getByRole('button', { name: en('group.chat.edit') }).click();
  const edit = b.getByRole('textbox', { name: en('group.chat.edit_label'), exact: true });
  await edit.fill('Hello Anna, shall we start with wind?');
  await edit.press('Enter');
  const edited = message(a, 'Hello Anna, shall we start with wind?');
  await edited.locator('.chat-edited', { hasText: en('group.chat.edited') }).waitFor();
  assert.equal(await message(a, 'start with rain').count(), 0);
  assert.equal(await messages(a).first().getAttribute('data-id'), await edited.getAttribute('data-id'), 'edited in place');

  // Anna deletes the hostile one: Bruno sees "Message deleted" where it was.
  const hostileId = await hostile.getAttribute('data-id');
  const hers = message(a, 'onerror');
  await hers.hover();
  a.once('dialog', (dialog) => dialog.accept());
  await hers.getByRole('button', { name: en('group.chat.delete') }).click();
  await b.locator(`#chat-messages > li[data-id="${hostileId}"]`, { hasText: en('group.chat.deleted') }).waitFor();
  assert.equal(await message(b, 'onerror').count(), 0);

  // Nothing is shown twice.
  assert.equal(await messages(a).count(), 4);
  assert.equal(await messages(b).count(), 4);
  assert.equal(await b.evaluate(() => window.pwned), undefined, 'no injected script ran');
  assert.equal(await a.evaluate(() => window.pwned), undefined);

  await aBox.pressSequentially('See you');
  await b.locator('#chat-typing', { hasText: en('group.chat.typing_one', { name: 'Anna Nowak' }) }).waitFor();
  await withoutToasts(b);
  await b.evaluate(() => document.activeElement?.blur());
  await screenshot(b, 'group-chat');
  await aBox.fill('');

  // Leaving: Anna's open page shows Bruno offline, then out of the online list.
  await b.context().close();
  await a.locator('#online-list li', { hasText: 'Bruno Rossi' }).waitFor({ state: 'detached' });
  assertNoConsoleErrors(a);
  assertNoConsoleErrors(b);
  await a.context().close();
});

test('scrolling up reads older messages back; unread counts on "My groups"', async () => {
  for (let i = 1; i <= SEEDED; i += 1) {
    await anna.post(`/api/groups/${groupId}/messages`, { client_id: `seed-${i}`, text: `Seeded message number ${i}.` });
  }
  const b = await open(bruno, '/groups');
  const row = b.locator('#my-groups > li', { hasText: TITLE });
  const badge = row.locator('.unread-badge');
  await badge.waitFor();
  assert.match(await badge.locator('[aria-hidden="true"]').textContent(), /^\d+\+?$/);
  await withoutToasts(b);
  await screenshot(b, 'groups');
  await row.getByRole('link', { name: TITLE, exact: true }).click();
  await b.locator('#online-list li', { hasText: 'Bruno Rossi' }).waitFor();

  await message(b, `Seeded message number ${SEEDED}.`).waitFor();
  assert.equal(await message(b, 'Seeded message number 1.').count(), 0, 'the oldest are not read yet');
  // The newest is in view at the bottom.
  await b.waitForFunction(() => {
    const log = document.getElementById('chat-log');
    return log.scrollTop > 0 && log.scrollHeight - log.scrollTop - log.clientHeight < 60;
  });
  await b.locator('#chat-log').evaluate((el) => {
    el.scrollTop = 0;
  });
  await message(b, 'Seeded message number 1.').waitFor();
  await b.locator('#chat-start', { hasText: en('group.chat.start') }).waitFor();
  // In order, each once: the oldest seeded is above the next one.
  const ids = await messages(b).evaluateAll((els) => els.map((el) => Number(el.dataset.id)));
  assert.deepEqual(ids, [...ids].sort((x, y) => x - y));
  assert.equal(new Set(ids).size, ids.length);
  assert.equal(await message(b, /Seeded message number \d+\./).count(), SEEDED);

  // Read at the bottom: the unread count goes.
  await b.locator('#chat-log').evaluate((el) => {
    el.scrollTop = el.scrollHeight;
  });
  await b.waitForTimeout(800); // the read mark is sent 0.4 s after the scroll settles
  await b.goto(`${server.url}/#/groups`);
  await row.waitFor();
  assert.equal(await badge.count(), 0);
  assertNoConsoleErrors(b);
  await b.context().close();
});

test('after a restart a message written meanwhile goes out once, and what was missed comes in', async () => {
  const a = await openChat(anna, groupId);
  const b = await openChat(bruno, groupId);
  await server.stop();
  await b.locator('#live-state.live-reconnecting').waitFor();
  const bBox = b.getByRole('textbox', { name: en('group.chat.message_label'), exact: true });
  await bBox.fill('Written while the server was away');
  await bBox.press('Enter');
  await b.locator('#chat-messages > li.pending', { hasText: 'Written while the server was away' }).getByText(en('group.chat.sending')).waitFor();

  await server.restart();
  // Posted before the pages are back: they catch up on it.
  await anna.post(`/api/groups/${groupId}/messages`, { client_id: 'while-away', text: 'Posted during the reconnection' });
  for (const page of [a, b]) {
    await message(page, 'Posted during the reconnection').waitFor();
    await page.locator('#chat-messages > li:not(.pending)', { hasText: 'Written while the server was away' }).waitFor();
  }
  await a.waitForTimeout(500); // a duplicate would have arrived by now
  for (const page of [a, b]) {
    assert.equal(await message(page, 'Written while the server was away').count(), 1, 'sent once');
    assert.equal(await message(page, 'Posted during the reconnection').count(), 1);
  }
  const stored = await bruno.get(`/api/groups/${groupId}/messages?limit=5`);
  assert.equal(stored.items.filter((m) => m.text === 'Written while the server was away').length, 1);
  // Still live after it.
  await say(a, 'Back online');
  await message(b, 'Back online').waitFor();
  assertNoConsoleErrors(a, { allow: RESTART_ERRORS });
  assertNoConsoleErrors(b, { allow: RESTART_ERRORS });
  await a.context().close();
  await b.context().close();
});

test('an invitation-only group refuses a joiner who was not invited, until an administrator invites them', async () => {
  const coc = await anna.get('/api/groups/code-of-conduct?lang=en');
  const secret = await anna.post('/api/groups', {
    title: 'Staff room of the Baltic schools',
    description: 'For the teachers of our partner schools.',
    subjects: [subjectCode],
    languages: ['en'],
    policy: 'invited',
    accept_code_of_conduct: coc.version,
  });
  await indexed(chloe, 'baltic', secret.id);

  // Chloé finds it, and is told why she cannot join, in the search and on its page.
  const c = await open(chloe, '/groups?q=baltic');
  const row = c.locator('#search-groups-results > li', { hasText: 'Staff room of the Baltic schools' });
  await row.getByText(en('group.refusal_invitation_only')).waitFor();
  assert.equal(await row.getByRole('button', { name: en('group.join_named', { title: 'Staff room of the Baltic schools' }) }).count(), 0);
  await row.getByRole('link', { name: 'Staff room of the Baltic schools' }).click();
  await c.locator('#join-refusal', { hasText: en('group.refusal_invitation_only') }).waitFor();
  assert.equal(await c.locator('#join-group').count(), 0);
  // The about part only: no members, no chat.
  await c.locator('#group-description', { hasText: 'For the teachers of our partner schools.' }).waitFor();
  assert.equal(await c.getByRole('tab').count(), 1);
  // The server refuses too.
  const refused = await (await api(server.url).login(chloe.email, PASSWORD)).request('POST', `/api/groups/${secret.id}/members`);
  assert.equal(refused.status, 403);

  // Anna, its only administrator, cannot leave it (the last-administrator refusal is said).
  const a = await open(anna, `/groups/${secret.id}?tab=about`);
  a.once('dialog', (dialog) => dialog.accept());
  await a.locator('#leave-group').click();
  await a.getByRole('alert').getByText(en('error.conflict')).waitFor();

  // A picture for the group, from the about part.
  await a.locator('#group-picture').setInputFiles({ name: 'group.png', mimeType: 'image/png', buffer: PNG });
  await a.getByText(en('group.picture_done')).waitFor();
  await a.locator('#group-head img.avatar[src*="/picture"]').waitFor();
  await a.locator('#panel-about').getByRole('button', { name: en('group.picture_remove'), exact: true }).click();
  await a.getByText(en('group.picture_removed')).waitFor();
  await a.locator('#group-head img.avatar').waitFor({ state: 'detached' });

  // She invites Chloé from the about part; Chloé's open page is told, and she accepts.
  const invite = a.getByRole('searchbox', { name: en('group.invite_search'), exact: true });
  await invite.fill('chloe martin');
  await a.getByRole('button', { name: en('group.invite_named', { name: 'Chloé Martin' }), exact: true }).click();
  await a.locator('#invitation-list li', { hasText: 'Chloé Martin' }).waitFor();
  await c.locator('.toast', { hasText: en('notification.group_invited', { name: 'Anna Nowak', title: 'Staff room of the Baltic schools' }) }).waitFor();
  await c.goto(`${server.url}/#/groups`);
  const invitation = c.locator('#my-invitations li', { hasText: 'Staff room of the Baltic schools' });
  await invitation.getByRole('button', { name: en('group.accept_named', { title: 'Staff room of the Baltic schools' }), exact: true }).click();
  await c.locator('body[data-route="/groups/:id"]').waitFor({ state: 'attached' });
  await c.locator('#online-list li', { hasText: 'Chloé Martin' }).waitFor();
  await c.getByRole('tab', { name: en('group.tab_members') }).click();
  await c.locator('#member-list li', { hasText: 'Anna Nowak' }).getByText(en('group.admin')).waitFor();

  // Anna appoints her administrator from the Members tab, and takes it back: Chloé's page follows.
  await a.reload();
  await ready(a);
  await a.getByRole('tab', { name: en('group.tab_members') }).click();
  await a.getByRole('button', { name: en('group.make_admin_named', { name: 'Chloé Martin' }), exact: true }).click();
  await a.getByText(en('group.made_admin_done', { name: 'Chloé Martin' })).waitFor();
  await a.locator('#member-list li', { hasText: 'Chloé Martin' }).getByText(en('group.admin'), { exact: true }).waitFor();
  await c.locator('#edit-group').waitFor();
  await a.getByRole('button', { name: en('group.unmake_admin_named', { name: 'Chloé Martin' }), exact: true }).click();
  await a.getByText(en('group.unmade_admin_done', { name: 'Chloé Martin' })).waitFor();
  await c.locator('#edit-group').waitFor({ state: 'detached' });

  // Anna edits the group: Chloé's open page shows the new description.
  await a.locator('#edit-group').click();
  await a.locator('body[data-route="/groups/:id/edit"]').waitFor({ state: 'attached' });
  const description = a.getByLabel(en('group.description'), { exact: true });
  assert.equal(await description.inputValue(), 'For the teachers of our partner schools.');
  assert.equal(await a.locator('#code-of-conduct').count(), 0, 'no Code of Conduct when editing');
  await description.fill('For the teachers of our partner schools around the Baltic Sea.');
  await a.getByRole('button', { name: en('common.save'), exact: true }).click();
  await a.locator('body[data-route="/groups/:id"]').waitFor({ state: 'attached' });
  await c.locator('#group-description', { hasText: 'around the Baltic Sea' }).waitFor({ state: 'attached' });

  // Removed by Anna from the Members tab: Chloé's chat goes, and she is told.
  await a.getByRole('tab', { name: en('group.tab_members') }).click();
  a.once('dialog', (dialog) => dialog.accept());
  await a.getByRole('button', { name: en('group.remove_member_named', { name: 'Chloé Martin' }), exact: true }).click();
  await c.locator('#group-status', { hasText: en('group.no_longer_member') }).waitFor();
  assert.equal(await c.locator('#chat').count(), 0);
  await c.locator('#join-refusal', { hasText: en('group.refusal_removed') }).waitFor();

  assertNoConsoleErrors(a);
  assertNoConsoleErrors(c);
  await a.context().close();
  await c.context().close();
});

test('the group pages fit a phone screen', async () => {
  const page = await openChat(bruno, groupId, { viewport: 'phone' });
  await message(page, 'Back online').waitFor();
  await assertFitsViewport(page);
  const pages = [
    ['/groups', '/groups', '#search-groups-results'],
    ['/groups/new', '/groups/new', '#code-of-conduct li'],
    [`/groups/${groupId}?tab=about`, '/groups/:id', '#panel-about:not([hidden]) #group-description'],
    [`/groups/${groupId}?tab=members`, '/groups/:id', '#panel-members:not([hidden]) #member-list li'],
  ];
  for (const [path, route, shown] of pages) {
    await page.goto(`${server.url}/#${path}`);
    await page.locator(`body[data-route="${route}"]`).waitFor({ state: 'attached' });
    await page.locator(shown).first().waitFor();
    await assertFitsViewport(page);
  }
  assertNoConsoleErrors(page);
  await page.context().close();
});
