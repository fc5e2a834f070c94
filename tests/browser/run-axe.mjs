#!/usr/bin/env node
// Accessibility + keyboard checks for CommonBeat pages in headless Chromium.
//
//   node tests/browser/run-axe.mjs PLAN.json
//
// See README.md in this directory for the plan format. Prints one line per
// page+language check and a final "browser: N passed, M failed" line; exits 1
// when anything failed (including a login or browser launch failure).

import { createHmac } from 'node:crypto';
import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const LANGS = ['en', 'es'];
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const TIMEOUT_MS = 30_000;

// ------------------------------------------------------------------ TOTP

/** RFC 4648 base32 decode (case-insensitive; spaces, dashes and '=' ignored). */
export function base32Decode(input) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const clean = String(input).toUpperCase().replace(/[\s=-]/g, '');
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of clean) {
    const idx = alphabet.indexOf(ch);
    if (idx < 0) throw new Error(`invalid base32 character ${JSON.stringify(ch)}`);
    value = (value << 5) | idx;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** RFC 4226 HOTP with HMAC-SHA1. */
export function hotp(key, counter, digits = 6) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(msg).digest();
  const off = mac[mac.length - 1] & 0x0f;
  const bin = ((mac[off] & 0x7f) << 24) | (mac[off + 1] << 16) | (mac[off + 2] << 8) | mac[off + 3];
  return String(bin % 10 ** digits).padStart(digits, '0');
}

/** RFC 6238 TOTP: 30 s step, T0 = 0. `key` is raw bytes. */
export function totp(key, unixSeconds = Date.now() / 1000, digits = 6, step = 30) {
  return hotp(key, Math.floor(unixSeconds / step), digits);
}

function totpSelfCheck() {
  // RFC 6238 appendix B, SHA1 seed "12345678901234567890", T = 59 s.
  const key = Buffer.from('12345678901234567890', 'ascii');
  const got8 = totp(key, 59, 8);
  const got6 = totp(key, 59, 6);
  // Same seed through base32, as a plan would supply it.
  const got32 = totp(base32Decode('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'), 59, 6);
  if (got8 !== '94287082' || got6 !== '287082' || got32 !== '287082') {
    throw new Error(`TOTP self-check failed: got ${got8}/${got6}/${got32}, want 94287082/287082/287082`);
  }
}

// ------------------------------------------------------------------ helpers

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function withLang(base, pagePath, lang) {
  const url = new URL(pagePath, base);
  url.searchParams.set('lang', lang);
  return url.toString();
}

function slug(pagePath) {
  const s = pagePath.replace(/^\/+|\/+$/g, '').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
  return s || 'root';
}

function pathOf(page) {
  try {
    return new URL(page.url()).pathname.replace(/\/+$/, '') || '/';
  } catch {
    return page.url();
  }
}

function oneLine(s, max = 200) {
  const t = String(s ?? '').replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** Text of any visible alert/error on the page, to explain a failed login. */
async function pageErrorText(page) {
  try {
    return await page.evaluate(() => {
      const el = document.querySelector('.usa-alert, .usa-error-message, [role=alert]');
      return el ? el.textContent : '';
    });
  } catch {
    return '';
  }
}

async function clickAndWaitForNavigation(page, selector) {
  const nav = page.waitForNavigation({ waitUntil: 'load', timeout: TIMEOUT_MS });
  await page.click(selector);
  await nav;
}

// ------------------------------------------------------------------ login

async function login(page, base, creds) {
  const resp = await page.goto(new URL('/login', base).toString(), { waitUntil: 'load' });
  if (!resp || resp.status() >= 400) {
    throw new Error(`GET /login returned ${resp ? resp.status() : 'no response'}`);
  }
  await page.fill('input[name=email]', creds.email);
  await page.fill('input[name=password]', creds.password);
  try {
    await clickAndWaitForNavigation(page, '#login-form button[type=submit]');
  } catch (e) {
    throw new Error(`no navigation after submitting #login-form: ${oneLine(e.message)}`);
  }

  if (creds.stop_after_password) {
    // The session stays half signed in (MFA challenge or enrolment pending) so those pages can be checked.
    return;
  }
  if (pathOf(page) === '/login/mfa') {
    if (!creds.totp_secret) {
      throw new Error('server asked for MFA (/login/mfa) but the plan has no totp_secret');
    }
    const key = base32Decode(creds.totp_secret);
    // Up to two attempts: the second waits for the next 30 s step, which
    // covers clock-boundary races and servers that refuse a code reused
    // within the same step (e.g. two sessions for the same user).
    for (let attempt = 1; attempt <= 2; attempt++) {
      let now = Date.now() / 1000;
      const left = 30 - (now % 30);
      if (attempt === 2 || left < 3) {
        await sleep((left + 0.5) * 1000);
        now = Date.now() / 1000;
      }
      await page.fill('input[name=code]', totp(key, now));
      try {
        await clickAndWaitForNavigation(page, '#mfa-form button[type=submit]');
      } catch (e) {
        throw new Error(`no navigation after submitting #mfa-form: ${oneLine(e.message)}`);
      }
      if (pathOf(page) !== '/login/mfa') break;
    }
  }

  const where = pathOf(page);
  if (where === '/login' || where === '/login/mfa') {
    const msg = oneLine(await pageErrorText(page));
    throw new Error(`still on ${where} after login${msg ? `: "${msg}"` : ''}`);
  }
}

// ------------------------------------------------------------------ checks

async function runAxe(page, axeSource, enforceCsp) {
  if (enforceCsp) {
    // CDP evaluation is not subject to the page's CSP.
    await page.evaluate(axeSource);
  } else {
    await page.addScriptTag({ content: axeSource });
  }
  return page.evaluate(async (tags) => {
    // eslint-disable-next-line no-undef
    const results = await axe.run(document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations'],
    });
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.length,
      targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
  }, AXE_TAGS);
}

async function keyboardCheck(page, url) {
  const problems = [];
  await page.goto(url, { waitUntil: 'load' });
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { skip: false, desc: 'nothing (body)' };
    const desc = `<${el.tagName.toLowerCase()}${el.id ? ` id="${el.id}"` : ''}${
      el.className && typeof el.className === 'string' ? ` class="${el.className}"` : ''
    }>`;
    return { skip: el.matches('a.usa-skipnav'), desc };
  });
  if (!focused.skip) {
    problems.push(`keyboard: first Tab focused ${focused.desc}, not a.usa-skipnav`);
    return problems;
  }
  await page.keyboard.press('Enter');
  // Fragment navigation is synchronous, but USWDS JS may also handle the
  // click; give it a moment to settle.
  await page.waitForTimeout(100);
  const after = await page.evaluate(() => ({
    hash: location.hash,
    main: !!document.getElementById('main-content'),
  }));
  if (after.hash !== '#main-content') {
    problems.push(`keyboard: after Enter on skip link location.hash is ${JSON.stringify(after.hash)}, want "#main-content"`);
  }
  if (!after.main) problems.push('keyboard: no element with id="main-content"');
  return problems;
}

async function checkPage(page, { base, session, pagePath, lang, axeSource, screenshots, enforceCsp, cspErrors, expectStatus }) {
  const problems = [];
  const url = withLang(base, pagePath, lang);

  cspErrors.length = 0;
  const resp = await page.goto(url, { waitUntil: 'load' });
  const status = resp ? resp.status() : 0;
  if (expectStatus !== undefined ? status !== expectStatus : (!resp || status >= 400)) {
    problems.push(`HTTP status ${resp ? status : 'none'}${expectStatus !== undefined ? `, want ${expectStatus}` : ''}`);
    return problems; // nothing else is meaningful on an unexpected page
  }

  const htmlLang = await page.evaluate(() => document.documentElement.lang);
  if (htmlLang !== lang) problems.push(`<html lang> is ${JSON.stringify(htmlLang)}, want "${lang}"`);

  if (screenshots) {
    const file = path.join(screenshots, `${session}-${slug(pagePath)}-${lang}.png`);
    await page.screenshot({ path: file, fullPage: true });
  }

  const violations = await runAxe(page, axeSource, enforceCsp);
  for (const v of violations) {
    const more = v.nodes > v.targets.length ? ` (+${v.nodes - v.targets.length} more)` : '';
    problems.push(`axe ${v.id} (${v.impact}): ${v.help} [${v.targets.join(', ')}]${more}`);
  }

  problems.push(...(await keyboardCheck(page, url)));
  if (enforceCsp) {
    for (const msg of new Set(cspErrors)) problems.push(`csp: ${oneLine(msg)}`);
  }
  return problems;
}

// ------------------------------------------------------------------ main

async function main() {
  const planFile = process.argv[2];
  if (!planFile) {
    console.error('usage: node tests/browser/run-axe.mjs PLAN.json');
    process.exit(2);
  }

  totpSelfCheck();

  const plan = JSON.parse(readFileSync(planFile, 'utf8'));
  if (!plan.base || !Array.isArray(plan.sessions)) {
    console.error(`${planFile}: plan needs "base" and a "sessions" array`);
    process.exit(2);
  }
  const base = String(plan.base).replace(/\/+$/, '');
  const screenshots = plan.screenshots || null;
  // Optional: keep the app's Content-Security-Policy in force and fail pages
  // that trigger CSP violations (axe is then injected via CDP evaluation).
  const enforceCsp = plan.enforce_csp === true;
  if (screenshots) mkdirSync(screenshots, { recursive: true });

  const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

  let passed = 0;
  let failed = 0;
  const fail = (what, reasons) => {
    failed++;
    console.log(`FAIL ${what}: ${reasons[0]}`);
    for (const r of reasons.slice(1)) console.log(`       ${r}`);
  };

  let browser;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: LAUNCH_ARGS,
      timeout: 60_000,
    });
  } catch (e) {
    console.log(`FAIL launch: could not start ${CHROMIUM}: ${oneLine(e.message, 500)}`);
    console.log('browser: 0 passed, 1 failed');
    process.exit(1);
  }

  try {
    for (const s of plan.sessions) {
      const name = s.name || 'session';
      const context = await browser.newContext({
        // The app's CSP is script-src 'self'; axe is injected as an inline
        // <script> unless enforce_csp is set.
        bypassCSP: !enforceCsp,
        viewport: { width: 1280, height: 900 },
      });
      context.setDefaultTimeout(TIMEOUT_MS);
      context.setDefaultNavigationTimeout(TIMEOUT_MS);
      const page = await context.newPage();
      const cspErrors = [];
      page.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text());
      });
      page.on('pageerror', (err) => console.log(`warn ${name}: page error on ${page.url()}: ${oneLine(err.message)}`));

      try {
        if (s.login) {
          try {
            await login(page, base, s.login);
            console.log(`ok  ${name} login ${s.login.email}`);
            passed++;
          } catch (e) {
            fail(`${name} login ${s.login.email}`, [
              `login failed: ${oneLine(e.message, 500)}`,
              `skipping ${(s.pages || []).length} page(s) of session ${name}`,
            ]);
            continue;
          }
        }

        for (const entry of s.pages || []) {
          // A page is a path, or {"path": …, "status": N} for pages that must answer with an error status.
          const pagePath = typeof entry === 'string' ? entry : entry.path;
          const expectStatus = typeof entry === 'string' ? undefined : entry.status;
          for (const lang of LANGS) {
            const what = `${name} ${lang} ${pagePath}`;
            let problems;
            try {
              problems = await checkPage(page, { base, session: name, pagePath, lang, axeSource, screenshots, enforceCsp, cspErrors, expectStatus });
            } catch (e) {
              problems = [`error: ${oneLine(e.message, 500)}`];
            }
            if (problems.length === 0) {
              console.log(`ok  ${what}`);
              passed++;
            } else {
              fail(what, problems);
            }
          }
        }
      } finally {
        await context.close();
      }
    }
  } finally {
    await browser.close();
  }

  console.log(`browser: ${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}

main().catch((e) => {
  console.error(`run-axe: ${e && e.stack ? e.stack : e}`);
  console.log('browser: 0 passed, 1 failed');
  process.exit(1);
});
