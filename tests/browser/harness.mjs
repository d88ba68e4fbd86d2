// Helpers for Twinhub's real-browser tests: the real `twinhub` binary on a free port over a
// temporary store, Debian's chromium driven by playwright-core, console-error collection,
// screenshots, and an HTTP API client for test setup. See README.md beside this file.

import { spawn } from 'node:child_process';
import { accessSync, constants as fsConstants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const HERE = dirname(fileURLToPath(import.meta.url));
/** The repository's root directory. */
export const REPO_ROOT = resolve(HERE, '..', '..');
/** The browser UI served by the server under test. */
export const WEB_DIR = join(REPO_ROOT, 'web');
/** The browser UI served by the server under test (TWINHUB_WEB_DIR overrides it). */
export const SERVED_WEB_DIR = process.env.TWINHUB_WEB_DIR ? resolve(process.env.TWINHUB_WEB_DIR) : WEB_DIR;
/** Where `screenshot()` writes, unless TWINHUB_SCREENSHOTS_DIR says otherwise. */
export const SCREENSHOTS_DIR = process.env.TWINHUB_SCREENSHOTS_DIR || join(WEB_DIR, 'screenshots');

/** Every demo account's password (src/demo.rs). */
export const DEMO_PASSWORD = 'twinhub-demo';
/** The demo platform administrator. */
export const DEMO_ADMIN = 'admin@demo.twinhub.test';
/** Countries of the demo data set, each with an NSO officer `nso.<cc>@demo.twinhub.test`. */
export const DEMO_COUNTRIES = ['FR', 'DE', 'ES', 'IT', 'PL', 'EL', 'UA'];
/** The demo NSO officer of a country, e.g. demoOfficer('FR') → 'nso.fr@demo.twinhub.test'. */
export const demoOfficer = (country) => `nso.${country.toLowerCase()}@demo.twinhub.test`;

/** Viewports for `newPage`. */
export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
};

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;
const LOG_TAIL_BYTES = 64 * 1024;

// ---------------------------------------------------------------------------------------------
// The server

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort() {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolvePort(port));
    });
  });
}

/** Servers still running and temp dirs to remove when this test process exits. */
const running = new Set();
const ownedDirs = new Set();
process.on('exit', () => {
  for (const child of running) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const dir of ownedDirs) rmSync(dir, { recursive: true, force: true });
});

function tomlValue(v) {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(tomlValue).join(', ')}]`;
  throw new Error(`startServer: cannot write ${JSON.stringify(v)} as a TOML value`);
}

function configText(sections) {
  return Object.entries(sections)
    .map(([name, keys]) =>
      [`[${name}]`, ...Object.entries(keys).map(([k, v]) => `${k} = ${tomlValue(v)}`)].join('\n'),
    )
    .join('\n\n') + '\n';
}

/** The environment of the server: ours, without stray TWINHUB_<SECTION>__<KEY> overrides
 * (they would win over the temp config file), plus the scenario's own. */
function serverEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!(k.startsWith('TWINHUB_') && k.includes('__'))) env[k] = v;
  }
  return { ...env, ...extra };
}

/**
 * Starts the real server (`$TWINHUB_BIN --config <file> serve`) on a free port of 127.0.0.1.
 *
 * Options:
 * - `dataDir`: the directory holding the temp config, the store (`data/`) and the index
 *   (`index/`). Default: a new temp directory, removed when the test process exits. Pass the
 *   `dataDir` of a stopped server to start again over its store.
 * - `port`: default a free one.
 * - `demo`: load the demo data set on an empty store (default true).
 * - `settings`: more config, `{ section: { key: value } }`, merged over the harness's, e.g.
 *   `{ auth: { registrations_per_address: 10 } }`.
 * - `env`: more environment variables for the server.
 * - `webDir`: the UI directory to serve (default the repository's web/, or $TWINHUB_WEB_DIR).
 * - `timeoutMs`: how long to wait for the server to listen (default 60 s).
 *
 * Returns `{ url, port, dataDir, origin, logs(), stop(), restart(), signal(sig) }`: `url` is
 * `http://127.0.0.1:<port>` (no trailing slash); `stop()` ends the server (SIGTERM, waits for
 * exit); `restart()` stops it and starts it again on the same port over the same store, so a
 * browser page reconnects to the same origin; `logs()` is the tail of its stdout and stderr.
 */
export async function startServer(options = {}) {
  const bin = process.env.TWINHUB_BIN;
  if (!bin) {
    throw new Error(
      'TWINHUB_BIN is not set: run the browser tests through `cargo test --test browser`, or set ' +
        'TWINHUB_BIN=../../target/debug/twinhub after `cargo build`',
    );
  }
  try {
    accessSync(bin, fsConstants.X_OK);
  } catch {
    throw new Error(`TWINHUB_BIN=${bin} is not an executable file: run \`cargo build\` first`);
  }

  let dataDir = options.dataDir;
  if (!dataDir) {
    dataDir = mkdtempSync(join(tmpdir(), 'twinhub-browser-'));
    ownedDirs.add(dataDir);
  }
  mkdirSync(dataDir, { recursive: true });
  const port = options.port ?? (await freePort());
  const origin = `http://127.0.0.1:${port}`;

  const sections = {
    // Tests stop and restart servers often: a graceful stop would wait for the browser's idle
    // keep-alive connections (server.keep_alive_secs) up to the shutdown timeout.
    server: { bind: `127.0.0.1:${port}`, web_dir: options.webDir ?? SERVED_WEB_DIR, shutdown_timeout_secs: 1 },
    store: {
      path: join(dataDir, 'data'),
      durability: 'flush',
      load_demo_on_empty: options.demo ?? true,
    },
    search: { index_dir: join(dataDir, 'index') },
    // The e-mail outbox too (its default, data/outbox, is relative to the working directory).
    mail: { outbox_dir: join(dataDir, 'outbox') },
    // Every request of a test comes from 127.0.0.1: the default 10 registrations per address
    // and hour would throttle a scenario that registers a few members.
    auth: { registrations_per_address: 1000 },
  };
  for (const [name, keys] of Object.entries(options.settings ?? {})) {
    sections[name] = { ...(sections[name] ?? {}), ...keys };
  }
  const configFile = join(dataDir, 'twinhub-test.toml');
  writeFileSync(configFile, configText(sections));

  let log = '';
  const appendLog = (chunk) => {
    log += chunk;
    if (log.length > LOG_TAIL_BYTES * 2) log = log.slice(-LOG_TAIL_BYTES);
  };
  const echo = !!process.env.TWINHUB_BROWSER_SERVER_LOG;
  const env = serverEnv(options.env ?? {});
  let child = null;

  const launch = () =>
    new Promise((resolveStart, reject) => {
      const startedAt = Date.now();
      const proc = spawn(bin, ['--config', configFile, 'serve'], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = proc;
      running.add(proc);
      let stderr = '';
      let stdoutLine = '';
      let settled = false;
      const fail = (why) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(
          new Error(
            `twinhub server on port ${port} ${why}\n--- server stderr ---\n${stderr.slice(-8000)}` +
              `\n--- server output ---\n${log.slice(-8000)}`,
          ),
        );
      };
      const timer = setTimeout(() => {
        proc.kill('SIGKILL');
        fail(`did not print "Twinhub listening on" within ${options.timeoutMs ?? START_TIMEOUT_MS} ms`);
      }, options.timeoutMs ?? START_TIMEOUT_MS);
      proc.stdout.setEncoding('utf8');
      proc.stderr.setEncoding('utf8');
      proc.stdout.on('data', (chunk) => {
        appendLog(chunk);
        if (echo) process.stderr.write(chunk);
        if (settled) return;
        stdoutLine += chunk;
        const m = /Twinhub listening on (http:\/\/\S+)/.exec(stdoutLine);
        if (m) {
          settled = true;
          clearTimeout(timer);
          resolveStart({ ms: Date.now() - startedAt, listening: m[1] });
        }
      });
      proc.stderr.on('data', (chunk) => {
        appendLog(chunk);
        if (echo) process.stderr.write(chunk);
        if (stderr.length < LOG_TAIL_BYTES) stderr += chunk;
      });
      proc.on('error', (e) => fail(`could not be started: ${e.message}`));
      proc.on('exit', (code, signal) => {
        running.delete(proc);
        fail(`exited before listening (code ${code}, signal ${signal})`);
      });
    });

  // Ready means answering: the listening line comes once the server handles stop signals, but
  // its workers may still be starting.
  const ready = async () => {
    const deadline = Date.now() + (options.timeoutMs ?? START_TIMEOUT_MS);
    for (;;) {
      // node:http without an agent: no idle keep-alive connection left to delay a stop.
      const status = await new Promise((r) => {
        const req = httpGet(`${origin}/healthz`, { agent: false }, (res) => {
          res.resume();
          res.on('end', () => r(res.statusCode));
        });
        req.on('error', () => r(0));
      });
      if (status === 200) return;
      if (Date.now() > deadline) {
        throw new Error(`twinhub server on port ${port} never answered GET /healthz\n--- server output ---\n${log.slice(-8000)}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const start = async () => {
    // On a restart the port was just released; a slow exit can leave it busy for a moment.
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await launch();
        return await ready();
      } catch (e) {
        if (!/cannot listen on/.test(e.message) || Date.now() > deadline) throw e;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  };

  const stop = async () => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', (code, signal) => r({ code, signal })));
    proc.kill('SIGTERM');
    let timer;
    const timeout = new Promise((r) => {
      timer = setTimeout(() => r(null), STOP_TIMEOUT_MS);
    });
    const result = await Promise.race([exited, timeout]);
    clearTimeout(timer);
    if (result === null) {
      proc.kill('SIGKILL');
      await exited;
      throw new Error(
        `twinhub server on port ${port} did not stop within ${STOP_TIMEOUT_MS} ms of SIGTERM ` +
          `(killed)\n--- server output ---\n${log.slice(-8000)}`,
      );
    }
    if (result.code !== 0) {
      throw new Error(
        `twinhub server on port ${port} exited with code ${result.code} (signal ${result.signal}) ` +
          `after SIGTERM\n--- server output ---\n${log.slice(-8000)}`,
      );
    }
  };

  await start();
  return {
    url: origin,
    origin,
    port,
    dataDir,
    configFile,
    logs: () => log,
    stop,
    /** Sends a signal to the running server, e.g. SIGSTOP/SIGCONT to freeze it. */
    signal: (sig) => child?.kill(sig),
    restart: async () => {
      await stop();
      await start();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The browser

/**
 * Launches Debian's chromium (`/usr/bin/chromium`, or `$CHROMIUM`) headless through
 * playwright-core. Extra playwright launch options may be given.
 */
export async function launchBrowser(options = {}) {
  const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
  try {
    accessSync(executablePath, fsConstants.X_OK);
  } catch {
    throw new Error(
      `chromium not found at ${executablePath}: install Debian's chromium ` +
        '(apt-get install chromium), or set CHROMIUM to a chromium executable',
    );
  }
  const { args = [], ...rest } = options;
  return chromium.launch({
    executablePath,
    headless: true,
    timeout: 60_000,
    ...rest,
    // As root in a container chromium's sandbox cannot start. This machine has no network
    // beyond the test server: keep chromium from reaching out (playwright adds the rest).
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', ...args],
  });
}

/** What each page met: `{ text, url }` problems, and the URLs it requested with fetch/XHR. */
const problems = new WeakMap();

const FAILED_LOAD = /^Failed to load resource: the server responded with a status of (\d+)/;

/**
 * A new page in a new browser context (its own cookies and storage).
 *
 * Options: `viewport`: 'desktop' (1280x800, the default), 'phone' (390x844, touch, mobile) or
 * `{width, height}`; `locale` (default 'en-US', also sets Accept-Language); `timezoneId`
 * (default 'UTC'); any other playwright `browser.newContext` option.
 *
 * Console errors, uncaught exceptions and CSP violations are recorded: see `consoleErrors` and
 * `assertNoConsoleErrors`. Close it with `await page.context().close()`.
 */
export async function newPage(browser, options = {}) {
  const { viewport = 'desktop', locale = 'en-US', timezoneId = 'UTC', ...rest } = options;
  const size = typeof viewport === 'string' ? VIEWPORTS[viewport] : viewport;
  if (!size) throw new Error(`newPage: unknown viewport ${JSON.stringify(viewport)}`);
  const phone = viewport === 'phone';
  const context = await browser.newContext({
    viewport: size,
    locale,
    timezoneId,
    ...(phone ? { isMobile: true, hasTouch: true } : {}),
    ...rest,
  });
  // CSP violations also print a console error, but only this event names every blocked use.
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(
        `CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} ` +
          `at ${e.sourceFile}:${e.lineNumber}`,
      );
    });
  });
  const page = await context.newPage();
  const seen = { list: [], apiUrls: new Set() };
  problems.set(page, seen);
  page.on('request', (req) => {
    const type = req.resourceType();
    if (type === 'fetch' || type === 'xhr') seen.apiUrls.add(req.url());
  });
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const url = msg.location()?.url ?? '';
    seen.list.push({ text: `console.error: ${msg.text()}${url ? ` (${url})` : ''}`, raw: msg.text(), url });
  });
  page.on('pageerror', (err) => seen.list.push({ text: `uncaught: ${err.stack || err.message || err}` }));
  page.on('crash', () => seen.list.push({ text: 'page crashed' }));
  return page;
}

/**
 * The problems a page has met so far, as strings: console errors (CSP violations among them),
 * uncaught exceptions, crashes. Not counted, because they are not errors of the page's code:
 * - the browser's own request for /favicon.ico answering 404;
 * - an HTTP status below 500 answering the page's fetch/XHR: the API's 401 for "not logged
 *   in" or 400 for a refused form is an answer the page handles (chromium still logs "Failed
 *   to load resource" for it). A 5xx answer to the page's fetch is counted, as is any failed
 *   load of a document, script, style sheet, image or font.
 */
export function consoleErrors(page) {
  const seen = problems.get(page);
  if (!seen) return [];
  return seen.list
    .filter(({ raw, url }) => {
      const failed = raw && FAILED_LOAD.exec(raw);
      if (!failed) return true;
      if (/\/favicon\.ico$/.test(url) && failed[1] === '404') return false;
      return !(seen.apiUrls.has(url) && Number(failed[1]) < 500);
    })
    .map(({ text }) => text);
}

/** Forgets the problems met so far, e.g. the expected ones while the server restarts. */
export function clearConsoleErrors(page) {
  problems.get(page)?.list.splice(0);
}

/**
 * Throws if the page met a console error, an uncaught exception or a CSP violation (see
 * `consoleErrors`). `allow`: regular expressions of expected messages, e.g.
 * `[/WebSocket connection to .* failed/]` while the server restarts.
 */
export function assertNoConsoleErrors(page, { allow = [] } = {}) {
  const bad = consoleErrors(page).filter((m) => !allow.some((re) => re.test(m)));
  if (bad.length) {
    throw new Error(`${bad.length} console error(s) on ${page.url()}:\n  ${bad.join('\n  ')}`);
  }
}

/**
 * Throws if the page is wider than its viewport (a horizontal scroll bar, or on a phone a
 * page the browser zooms out to fit), naming the widest elements that stick out.
 */
export async function assertFitsViewport(page) {
  const width = page.viewportSize().width;
  const found = await page.evaluate((w) => {
    const sw = document.documentElement.scrollWidth;
    const wide = [...document.querySelectorAll('body *')]
      .map((el) => ({ el, right: el.getBoundingClientRect().right }))
      .filter(({ right }) => right > w + 0.5)
      .sort((a, b) => b.right - a.right)
      .slice(0, 5)
      .map(({ el, right }) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : ''} (right edge ${Math.round(right)} px)`);
    return { sw, wide };
  }, width);
  if (found.sw > width) {
    throw new Error(
      `${page.url()} is ${found.sw} px wide in a ${width} px viewport: ${found.wide.join(', ') || '(no element found)'}`,
    );
  }
}

/**
 * Saves a full-page screenshot as `<dir>/<name>.png` (default dir: web/screenshots/, or
 * $TWINHUB_SCREENSHOTS_DIR) and returns its path. `name` may contain letters, digits, `-`, `_`.
 */
export async function screenshot(page, name, { dir = SCREENSHOTS_DIR, fullPage = true } = {}) {
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`screenshot: bad name ${JSON.stringify(name)}`);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  // From the top: a full-page shot of a scrolled page draws the sticky top bar mid-page.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path, fullPage, animations: 'disabled' });
  return path;
}

/**
 * Logs a browser context in with the cookie session (`POST /api/auth/login` through the
 * context's own request API, which shares its cookie jar): the pages of that context are then
 * logged in, without going through the UI. Returns the answer, `{ user, csrf_token }`.
 */
export async function loginInBrowser(pageOrContext, url, email, password = DEMO_PASSWORD) {
  const context = typeof pageOrContext.context === 'function' ? pageOrContext.context() : pageOrContext;
  const res = await context.request.post(`${url}/api/auth/login`, { data: { email, password } });
  if (!res.ok()) throw new Error(`login of ${email} failed: ${res.status()} ${await res.text()}`);
  return res.json();
}

// ---------------------------------------------------------------------------------------------
// The HTTP API, for setup

/**
 * An HTTP API client for `url` (the server's `url`), anonymous or authenticated by
 * `{ bearer }` (a token from POST /api/auth/token) or `{ cookie, csrf }` (browser session).
 *
 * - `request(method, path, body?, headers?)` → `{ status, headers, body }` (body parsed as
 *   JSON when it is JSON); never throws on an HTTP status.
 * - `get/post/put/patch/delete(path, body?)`: the same, but throw unless the status is 2xx, and
 *   return the parsed body.
 * - `register({ display_name, email, password, country })` → the 202 answer.
 * - `token(email, password?)` → a new client logged in with a bearer token (`.bearer` and
 *   `.user` set).
 * - `login(email, password?)` → a new client logged in with a cookie session and its CSRF
 *   token, as a browser would be (`.user`, `.cookie`, `.csrf` set).
 * - `me()` → my own profile (`GET /api/me`'s `user`).
 * The password defaults to the demo password.
 */
export function api(url, auth = {}) {
  const base = url.replace(/\/$/, '');
  const client = {
    url: base,
    bearer: auth.bearer ?? null,
    cookie: auth.cookie ?? null,
    csrf: auth.csrf ?? null,
    user: auth.user ?? null,

    async request(method, path, body, headers = {}) {
      const h = { accept: 'application/json', ...headers };
      if (client.bearer) h.authorization = `Bearer ${client.bearer}`;
      if (client.cookie) h.cookie = client.cookie;
      if (client.csrf && method !== 'GET' && method !== 'HEAD') h['x-csrf-token'] = client.csrf;
      let payload;
      if (body !== undefined) {
        if (body instanceof Uint8Array || typeof body === 'string') {
          payload = body;
        } else {
          payload = JSON.stringify(body);
          h['content-type'] ??= 'application/json';
        }
      }
      const res = await fetch(base + path, { method, headers: h, body: payload });
      const text = await res.text();
      let parsed = text;
      if ((res.headers.get('content-type') || '').includes('json') && text) {
        parsed = JSON.parse(text);
      }
      return { status: res.status, headers: res.headers, body: parsed };
    },

    async expectOk(method, path, body) {
      const res = await client.request(method, path, body);
      if (res.status < 200 || res.status >= 300) {
        throw new Error(
          `${method} ${path} answered ${res.status}: ${typeof res.body === 'string' ? res.body : JSON.stringify(res.body)}`,
        );
      }
      return res.body;
    },
    get: (path) => client.expectOk('GET', path),
    post: (path, body) => client.expectOk('POST', path, body),
    put: (path, body) => client.expectOk('PUT', path, body),
    patch: (path, body) => client.expectOk('PATCH', path, body),
    delete: (path, body) => client.expectOk('DELETE', path, body),

    register: (input) => client.post('/api/auth/register', input),

    async token(email, password = DEMO_PASSWORD) {
      const body = await api(base).post('/api/auth/token', { email, password });
      return api(base, { bearer: body.token, user: body.user });
    },

    async login(email, password = DEMO_PASSWORD) {
      const res = await fetch(`${base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ email, password }),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`POST /api/auth/login answered ${res.status}: ${text}`);
      const body = JSON.parse(text);
      const cookie = res.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .find((c) => c.startsWith('twinhub_session='));
      if (!cookie) throw new Error('POST /api/auth/login set no twinhub_session cookie');
      return api(base, { cookie, csrf: body.csrf_token, user: body.user });
    },

    me: async () => (await client.get('/api/me')).user,
  };
  return client;
}

/**
 * Registers a member and logs them in with a bearer token; with `validated: true` the demo NSO
 * officer of their country (which must be one of DEMO_COUNTRIES) validates them.
 * Returns the logged-in client (`.user` is their own profile, `.user.id` their id), with
 * `.email` and `.password`.
 */
export async function registerMember(
  url,
  { email, display_name = 'Test Member', country = 'FR', password = 'a long test password', validated = false },
) {
  await api(url).register({ display_name, email, password, country });
  let member = await api(url).token(email, password);
  if (validated) {
    const officer = await api(url).token(demoOfficer(country));
    await officer.put(`/api/nso/members/${member.user.id}/validation`);
    member = await api(url).token(email, password);
  }
  return Object.assign(member, { email, password });
}
