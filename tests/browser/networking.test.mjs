// Networking (issue 6) in real browsers: People search as you type (every word, the last as a
// prefix, accents folded, special characters only text), filters that show their counts, the
// search kept in the address (Back returns to it), a profile opened from a result; Partner
// finding: a validated teacher publishes an "eTwinning project idea" with the form, another
// finds it by a word of its title, opens it and adds a post comment, and the author's open
// page shows the notification and the comment live; the Projects tab says none exist yet;
// phone widths fit. Saves screenshots of the networking and posting pages.

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
import { catalogue, ready, text } from './catalogue.mjs';

const en = (key, params) => text('en', key, params);
/** A plural text in English as the UI writes it for `count`. */
const plural = (key, count) => {
  const forms = key.split('.').reduce((node, part) => node?.[part], catalogue('en'));
  return forms[new Intl.PluralRules('en').select(count)].replace('{count}', String(count));
};
const PASSWORD = 'a long enough password';
const HOSTILE = '<img src=x onerror="window.pwned=1">';

let server;
let browser;
let quentin; // validated, France: the rare surname, a bio with a rare word
let zofia; // validated, Poland: a Müller (the demo data has Anna Müller, Germany)
let teresa; // registered in Spain, not validated: searches
let anna; // validated, Poland, with a school: publishes a posting
let bruno; // validated, Italy: comments on it

before(async () => {
  // Facet counts are exact up to two matches here, so browsing everyone shows estimates.
  [server, browser] = await Promise.all([startServer({ env: { TWINHUB_SEARCH__FACET_EXACT_MAX: '2' } }), launchBrowser()]);
  const member = (email, display_name, country, validated) =>
    registerMember(server.url, { email, display_name, country, password: PASSWORD, validated });
  [quentin, zofia, teresa, anna, bruno] = await Promise.all([
    member('quentin@school.example', 'Quentin Vandersteenhoven', 'FR', true),
    member('zofia@school.example', 'Zofia Müller', 'PL', true),
    member('teresa@school.example', 'Teresa Ortega', 'ES', false),
    member('anna@school.example', 'Anna Nowak', 'PL', true),
    member('bruno@school.example', 'Bruno Rossi', 'IT', true),
  ]);
  await quentin.patch(`/api/users/${quentin.user.id}/profile`, {
    bio: 'I teach history and fold origami cranes with my pupils.',
    subjects: ['history'],
    available_for_projects: true,
  });
  const school = await anna.post('/api/schools', { name: 'Szkoła Podstawowa nr 12', city: 'Gdańsk', country: 'PL' });
  await anna.post(`/api/users/${anna.user.id}/schools`, { school_id: school.id });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/**
 * Waits until the search index answers `q` with result `id` (the index commits about once a
 * second): the server's own answer is awaited, never a fixed sleep.
 */
async function indexed(client, kind, q, id) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const page = await client.get(`/api/search?kind=${kind}&q=${encodeURIComponent(q)}`);
    if (page.items.some((item) => item.id === id)) return page;
    if (Date.now() > deadline) throw new Error(`search ${kind} "${q}" never found ${id}: ${JSON.stringify(page)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A logged-in page at `path`, once its live connection is up. */
async function open(member, path, options = {}) {
  const page = await newPage(browser, options);
  await loginInBrowser(page, server.url, member.email, PASSWORD);
  await page.goto(`${server.url}/#${path}`);
  await ready(page);
  await page.locator('#live-state.live-live').waitFor({ state: 'attached' });
  return page;
}

/** Waits until the results on screen answer the query `q` (the latest search has landed). */
async function answered(page, kind, q) {
  await page.waitForFunction(
    ([id, words]) => {
      const list = document.getElementById(id);
      return list && list.dataset.q === words && !list.hasAttribute('aria-busy');
    },
    [`search-${kind}-results`, q],
  );
}

const withoutToasts = (page) => page.evaluate(() => document.querySelectorAll('.toast').forEach((t) => t.remove()));

test('People: search as you type by a rare surname, filters with counts, accents folded, a profile opened and Back to the search', async () => {
  await Promise.all([
    indexed(teresa, 'people', 'Vandersteenhoven', quentin.user.id),
    indexed(teresa, 'people', 'muller', zofia.user.id),
  ]);
  const page = await open(teresa, '/networking');
  await page.getByRole('heading', { level: 1, name: en('nav.networking') }).waitFor();
  assert.equal(await page.locator('#tab-people').getAttribute('aria-current'), 'page');
  const box = page.getByRole('searchbox', { name: en('networking.search_people'), exact: true });
  const rows = page.locator('#search-people-results > li');
  const count = page.locator('#search-people-count');

  // Before any word: everyone, newest first, and more than two, so the counts are estimates.
  await answered(page, 'people', '');
  const options = await page.getByLabel(en('networking.filter_country'), { exact: true }).locator('option').allTextContents();
  const about = en('networking.with_count_about', { name: 'NAME', count: 12345 })
    .replace(/[()]/g, '\\$&')
    .replace('NAME', '.+')
    .replace('12345', '[\\d,]+');
  assert.ok(options.some((o) => new RegExp(`^${about}$`).test(o)), `no estimated count among ${options}`);
  assert.ok(!options.some((o) => /\(\d+\)$/.test(o)), `an exact count among ${options}`);

  // Typed key by key: every pause may start a search; only the last answer is shown, and the
  // last word already matches as the start of the name.
  await box.pressSequentially('Vandersteen', { delay: 40 });
  await answered(page, 'people', 'Vandersteen');
  await rows.first().getByRole('link', { name: 'Quentin Vandersteenhoven', exact: true }).waitFor();
  // The whole surname, then "first surname": the person comes first each time.
  for (const words of ['Vandersteenhoven', 'Quentin Vandersteenhoven']) {
    await box.fill(words);
    await answered(page, 'people', words);
    assert.equal(await rows.first().getByRole('link').first().textContent(), 'Quentin Vandersteenhoven');
  }
  // The row says who they are.
  const first = rows.first();
  assert.match(await first.textContent(), /Teacher · France/);
  await first.getByText(en('profile.etwinner'), { exact: true }).waitFor();
  await first.getByText(en('profile.available'), { exact: true }).waitFor();
  assert.equal(await count.textContent(), plural('networking.people_count', 1));

  // A word of the bio: the snippet marks it, as text.
  await box.fill('origami');
  await answered(page, 'people', 'origami');
  await rows.first().locator('.snippet mark', { hasText: /origami/i }).waitFor();
  assert.equal(await rows.first().getByRole('link').first().textContent(), 'Quentin Vandersteenhoven');

  // Accents folded: "muller" finds both Müllers; the country filter counts them per country.
  await box.fill('muller');
  await answered(page, 'people', 'muller');
  await rows.getByRole('link', { name: 'Zofia Müller', exact: true }).waitFor();
  await rows.getByRole('link', { name: 'Anna Müller', exact: true }).waitFor();
  const country = page.getByLabel(en('networking.filter_country'), { exact: true });
  assert.equal(await country.locator('option[value="PL"]').textContent(), en('networking.with_count', { name: 'Poland', count: 1 }));
  assert.equal(await country.locator('option[value="DE"]').textContent(), en('networking.with_count', { name: 'Germany', count: 1 }));
  await country.selectOption('PL');
  await page.waitForFunction(() => /country=PL/.test(location.hash));
  await answered(page, 'people', 'muller');
  await count.filter({ hasText: plural('networking.people_count', 1) }).waitFor();
  assert.equal(await rows.count(), 1);
  assert.equal(await rows.first().getByRole('link').first().textContent(), 'Zofia Müller');
  // The search lives in the address: shareable, and Back returns to it.
  assert.match(page.url(), /#\/networking\?q=muller&country=PL$/);
  const clear = page.getByRole('button', { name: en('networking.clear_filters'), exact: true });
  await clear.waitFor();

  await rows.first().getByRole('link', { name: 'Zofia Müller', exact: true }).click();
  await page.locator('body[data-route="/people/:id"]').waitFor({ state: 'attached' });
  await page.getByRole('heading', { level: 1, name: 'Zofia Müller' }).waitFor();
  await page.goBack();
  await page.locator('body[data-route="/networking"]').waitFor({ state: 'attached' });
  await answered(page, 'people', 'muller');
  assert.equal(await box.inputValue(), 'muller');
  assert.equal(await country.inputValue(), 'PL');
  assert.equal(await rows.count(), 1);

  // Clearing the filters searches again with the words alone.
  await clear.click();
  await page.waitForFunction(() => !/country=/.test(location.hash));
  await rows.getByRole('link', { name: 'Anna Müller', exact: true }).waitFor();

  // Quotes, colons and brackets are only text: no error, an ordinary answer.
  for (const words of ['"(:', 'Vandersteenhoven AND OR NOT', 'name:"Quentin" (x*']) {
    await box.fill(words);
    await box.press('Enter');
    await answered(page, 'people', words);
    assert.equal(await page.locator('.notice-error').count(), 0, words);
    await count.waitFor();
  }
  // The other tabs take the words along.
  assert.match(await page.locator('#tab-partners').getAttribute('href'), /^#\/networking\/partners\?q=/);

  // A word nobody has: the empty state.
  await box.fill('zzyzxquilt');
  await answered(page, 'people', 'zzyzxquilt');
  await page.getByText(en('networking.no_people')).waitFor();
  assert.equal(await rows.count(), 0);
  await box.fill('');
  await answered(page, 'people', '');
  assert.ok((await rows.count()) > 1, 'no words: everyone');
  await screenshot(page, 'networking-people');
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('Partner finding: a teacher publishes a project idea, another finds it, comments, and the author sees it live', async () => {
  // Anna publishes through the form.
  const a = await open(anna, '/networking/partners');
  await a.getByText(en('networking.my_postings_none')).waitFor();
  await a.getByRole('link', { name: en('networking.add_posting'), exact: true }).click();
  await a.locator('body[data-route="/postings/new"]').waitFor({ state: 'attached' });
  const title = `Hedgehogs across borders ${HOSTILE}`;
  await a.getByLabel(en('posting.scope_european')).check();
  await a.getByLabel(en('posting.title'), { exact: true }).fill(title);
  await a.getByLabel(en('posting.summary'), { exact: true }).fill('Our pupils count hedgehogs in the school garden and compare with partners.');
  await a.getByLabel(en('posting.description'), { exact: true }).fill('Spring: counting.\nAutumn: a shared map.');
  // The lists that need a choice are said before anything is sent.
  await a.getByRole('button', { name: en('posting.publish'), exact: true }).click();
  await a.getByText(en('posting.need_choice', { list: en('posting.languages') })).waitFor();
  await a.locator('#languages-choices').getByLabel('English', { exact: true }).check();
  await a.locator('#subjects-choices').getByLabel(en('subject.biology'), { exact: true }).check();
  await a.locator('#topics-choices').getByLabel(en('topic.climate_environment'), { exact: true }).check();
  await a.locator('#key_competences-choices').getByLabel(en('competence.stem'), { exact: true }).check();
  await a.locator('#pupil_ages-choices').getByLabel(en('pupil_age.10-12'), { exact: true }).check();
  await screenshot(a, 'posting-new');
  await a.getByRole('button', { name: en('posting.publish'), exact: true }).click();
  await a.locator('body[data-route="/postings/:id"]').waitFor({ state: 'attached' });
  await a.getByRole('heading', { level: 1, name: title, exact: true }).waitFor();
  const id = Number(/#\/postings\/(\d+)/.exec(a.url())[1]);
  assert.ok(id > 0);
  assert.equal(await a.locator('h1 img, .posting img').count(), 0, 'what members type stays text');
  // Every field, codes named.
  const facts = a.locator('.posting-facts');
  for (const name of [en('posting.scope_european'), 'English', en('subject.biology'), en('topic.climate_environment'), en('competence.stem'), en('pupil_age.10-12')]) {
    await facts.getByText(name, { exact: false }).first().waitFor();
  }
  assert.equal(await a.locator('#posting-description').textContent(), 'Spring: counting.\nAutumn: a shared map.');
  await a.getByRole('link', { name: en('posting.edit'), exact: true }).waitFor();
  await a.getByText(en('posting.no_comments')).waitFor();

  // Bruno finds it by a word of its title, in Partner finding.
  await indexed(bruno, 'postings', 'hedgehogs', id);
  const b = await open(bruno, '/networking/partners');
  const box = b.getByRole('searchbox', { name: en('networking.search_postings'), exact: true });
  await box.fill('hedgehog');
  await answered(b, 'postings', 'hedgehog');
  const row = b.locator('#search-postings-results > li', { hasText: 'Hedgehogs across borders' });
  await row.waitFor();
  assert.match(await row.textContent(), new RegExp(en('posting.by', { name: 'Anna Nowak' })));
  await row.getByText(en('posting.scope_european'), { exact: true }).waitFor();
  await row.locator('.snippet mark', { hasText: /hedgehog/i }).first().waitFor();
  // The scope filter counts it.
  const scope = b.getByLabel(en('networking.filter_scope'), { exact: true });
  assert.equal(await scope.locator('option[value="european"]').textContent(), en('networking.with_count', { name: en('posting.scope_european'), count: 1 }));
  await scope.selectOption('european');
  await answered(b, 'postings', 'hedgehog');
  await row.waitFor();
  await screenshot(b, 'networking-partners');

  // Anna waits on her posting's page; Bruno opens it and adds a post comment.
  await row.getByRole('link', { name: title, exact: true }).click();
  await b.getByRole('heading', { level: 1, name: title, exact: true }).waitFor();
  assert.equal(await b.getByRole('link', { name: en('posting.edit'), exact: true }).count(), 0, 'only the author edits');
  const comment = `Count us in! We have hedgehogs too.\n${HOSTILE}`;
  await b.getByLabel(en('posting.comment_label'), { exact: true }).fill(comment);
  await b.getByRole('button', { name: en('posting.add_comment'), exact: true }).click();
  await b.getByText(en('posting.comment_added')).waitFor();
  const mine = b.locator('#comment-list > li', { hasText: 'Bruno Rossi' });
  await mine.waitFor();
  assert.equal(await mine.locator('.comment-body').textContent(), comment);
  await b.getByRole('heading', { level: 2, name: plural('posting.comments', 1) }).waitFor();

  // Anna's open page, untouched: the toast, the count and the comment arrive live.
  await a.locator('.toast', { hasText: en('notification.posting_comment', { name: 'Bruno Rossi', title }) }).waitFor();
  await a.locator('#comment-list > li', { hasText: 'Count us in!' }).waitFor();
  await a.getByRole('heading', { level: 2, name: plural('posting.comments', 1) }).waitFor();
  await a.locator('#notification-count', { hasText: '2' }).waitFor(); // her validation, then this
  // The notification leads to the posting.
  await a.goto(`${server.url}/#/notifications`);
  const note = a.locator('#notification-list li', { hasText: en('notification.posting_comment', { name: 'Bruno Rossi', title }) });
  assert.equal(await note.getByRole('link').getAttribute('href'), `#/postings/${id}`);

  // Her postings are listed in Partner finding.
  await a.goto(`${server.url}/#/networking/partners`);
  await a.locator('#my-postings li', { hasText: 'Hedgehogs across borders' }).waitFor();

  await a.goto(`${server.url}/#/postings/${id}`);
  await a.locator('#comment-list > li', { hasText: 'Count us in!' }).waitFor();
  await withoutToasts(a);
  await screenshot(a, 'posting');

  // She edits it; then, as the posting's author, deletes Bruno's comment.
  await a.goto(`${server.url}/#/postings/${id}/edit`);
  const titleBox = a.getByLabel(en('posting.title'), { exact: true });
  assert.equal(await titleBox.inputValue(), title);
  await titleBox.fill('Hedgehogs and foxes across borders');
  await a.getByRole('button', { name: en('common.save'), exact: true }).click();
  await a.getByRole('heading', { level: 1, name: 'Hedgehogs and foxes across borders' }).waitFor();
  a.once('dialog', (dialog) => dialog.accept());
  await a.getByRole('button', { name: en('posting.delete_comment_named', { name: 'Bruno Rossi' }) }).click();
  await a.getByText(en('posting.comment_deleted')).waitFor();
  await a.getByText(en('posting.no_comments')).waitFor();

  assertNoConsoleErrors(a);
  assertNoConsoleErrors(b);
  await a.context().close();
  await b.context().close();
});

test('a member who is not validated searches, but is told why they cannot publish or comment', async () => {
  const page = await open(teresa, '/postings/new');
  await page.getByText(en('posting.not_validated')).waitFor();
  assert.equal(await page.getByRole('button', { name: en('posting.publish'), exact: true }).count(), 0);
  const posting = (await anna.get('/api/me/postings')).items[0];
  await page.goto(`${server.url}/#/postings/${posting.id}`);
  await page.getByText(en('posting.comment_not_validated')).waitFor();
  assert.equal(await page.getByLabel(en('posting.comment_label')).count(), 0);
  // An unknown posting is said to be gone.
  await page.goto(`${server.url}/#/postings/999999`);
  await page.getByText(en('error.not_found')).waitFor();
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('Projects: the search is there and says no projects exist yet', async () => {
  const page = await open(teresa, '/networking/projects');
  assert.equal(await page.locator('#tab-projects').getAttribute('aria-current'), 'page');
  await page.getByText(en('networking.no_projects_yet')).waitFor();
  await page.locator('#search-projects-count', { hasText: plural('networking.projects_count', 0) }).waitFor();
  await page.getByRole('searchbox', { name: en('networking.search_projects'), exact: true }).fill('rivers');
  await answered(page, 'projects', 'rivers');
  await page.getByText(en('networking.no_projects_match')).waitFor();
  assert.equal(await page.locator('.notice-error').count(), 0);
  await screenshot(page, 'networking-projects');
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('phone width: the networking and posting pages fit 390 px, in English and in Polish', async () => {
  const posting = (await anna.get('/api/me/postings')).items[0];
  for (const locale of ['en-US', 'pl-PL']) {
    const page = await open(bruno, '/networking', { viewport: 'phone', locale });
    for (const path of ['/networking?q=muller', '/networking/partners', '/networking/projects', `/postings/${posting.id}`, '/postings/new']) {
      await page.goto(`${server.url}/#${path}`);
      await page.locator('#page-title').waitFor();
      await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'));
      // Folded filters open, so they are measured too.
      for (const details of await page.locator('details.filters:not([open]) > summary').all()) await details.click();
      await assertFitsViewport(page);
    }
    if (locale === 'en-US') {
      await page.goto(`${server.url}/#/networking/partners`);
      await page.locator('#search-postings-results').waitFor();
      await screenshot(page, 'networking-phone');
    }
    assertNoConsoleErrors(page);
    await page.context().close();
  }
});
