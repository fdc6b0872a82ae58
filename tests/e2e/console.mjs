// The console in a real browser: Debian's chromium, headless, driven by
// playwright-core (tests/e2e/package.json; started by tests/cli/test_console.sh,
// which starts the stack and sets the passwords). Prints one line a check,
// "PASS name" or "FAIL name<TAB>evidence", for the shell to number as TAP.
//
// Env: GOV_CONSOLE_URL (the gateway), GOV_CONSOLE_PASSWORD, GOVCTL (moves
// deliberation's test clock: govctl matter clock MS), GOV_CONSOLE_SHOTS
// (a folder for screenshots, optional), CHROMIUM (default /usr/bin/chromium).
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';

const base = process.env.GOV_CONSOLE_URL;
const pw = process.env.GOV_CONSOLE_PASSWORD;
const shots = process.env.GOV_CONSOLE_SHOTS || '';
const clerk = 'p.dept.chengguan.head', resident = 'r.s1.c1.g1.1.1', other = 'r.s1.c1.g1.1.2';
const party = 'p.pc.s1.c1.secretary'; // the community party committee (社区党委)
const supervisor = 'r.s1.c1.g2.3.2';     // the head of its supervision committee
const water_head = 'p.dept.shuiwu.head', gridWorker = 'p.gt.s1.c1.g1.grid_worker', committee = 'p.cm.s1.c1.head';
let failures = 0;
const pass = name => console.log('PASS ' + name);
const fail = (name, why) => { failures++; console.log('FAIL ' + name + '\t' + String(why).replace(/\s+/g, ' ').slice(0, 400)); };
async function check(name, fn) {
  try { const r = await fn(); if (r === false) fail(name, 'false'); else pass(name); } catch (e) { fail(name, e.message || e); }
}

// A person's API session from outside the browser (Node's fetch).
async function session(person) {
  const r = await fetch(base + '/api/v1/session', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ person, password: pw }) });
  const me = await r.json();
  if (!r.ok) throw new Error('login ' + person + ': ' + JSON.stringify(me));
  const cookie = r.headers.get('set-cookie').split(';')[0];
  return async (method, path, body) => {
    const a = await fetch(base + path, { method, headers: { 'Content-Type': 'application/json', Cookie: cookie, 'X-CSRF-Token': me.csrf_token },
      body: body === undefined ? undefined : JSON.stringify(body) });
    const j = await a.json();
    if (!a.ok) throw new Error(method + ' ' + path + ' ' + a.status + ' ' + JSON.stringify(j));
    return j;
  };
}
// Moves deliberation's clock (GOV_TEST_CLOCK=1) forward; its time now, in ms.
const delibClock = ms => JSON.parse(execFileSync(process.env.GOVCTL || 'build/bin/govctl', ['matter', 'clock', String(ms)])).now_ms;
// A time for an <input type="datetime-local">, in the browser's zone (the same as ours).
const localInput = ms => new Date(ms - new Date(ms).getTimezoneOffset() * 60000).toISOString().slice(0, 16);
const until = async (what, fn, ms = 15000) => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await new Promise(r => setTimeout(r, 100));
  }
};

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-dev-shm-usage'] });
const outside = [], errors = [];
let networkChanged = 0;
const desk = { viewport: { width: 1200, height: 900 }, locale: 'zh-CN' };
// A browser context (its own cookies: one person's session) whose every
// request for any address but 127.0.0.1 is recorded and aborted, and whose
// pages' errors are collected.
async function newPage(options = desk) {
  const context = await browser.newContext(options);
  await context.route('**/*', route => {
    const u = new URL(route.request().url());
    if (u.protocol === 'data:' || u.hostname === '127.0.0.1') return route.continue();
    outside.push(u.href);
    return route.abort();
  });
  const pg = await context.newPage();
  pg.setDefaultTimeout(10000);
  pg.on('pageerror', e => errors.push('pageerror: ' + e.message));
  // The test never asks for a rate-limit refusal: one would leave a page stale.
  pg.on('response', r => { if (r.status() === 429) errors.push('429 RATE_LIMITED ' + r.url()); });
  pg.on('console', m => {
    if (m.type() !== 'error') return;
    // A refusal the test asks for is a 4xx on /api/ that the browser reports
    // as a failed load; any other error (CSP violations included) counts.
    if (/Failed to load resource: the server responded with a status of 4\d\d/.test(m.text()) && (m.location().url || '').includes('/api/v1/')) return;
    // The host's network changing under the test (another process adding an
    // interface) aborts a load in flight: not the console's doing; the page
    // is loaded again (openAs) and the run says how often it happened.
    if (/net::ERR_NETWORK_CHANGED/.test(m.text())) { networkChanged++; return; }
    errors.push(m.text() + ' @ ' + (m.location().url || ''));
  });
  return pg;
}
const page = await newPage();
async function login(person, pg = page) {
  await pg.fill('#login-person', person);
  await pg.fill('#login-password', pw);
  await pg.press('#login-password', 'Enter');
  await pg.locator('#who:not([hidden])').waitFor({ timeout: 10000 });
}
// A person logged in in a browser context of their own, beside the others.
async function openAs(person, options = desk) {
  const pg = await newPage(options);
  await pg.goto(base + '/');
  if (!await pg.locator('#login-person').waitFor({ timeout: 5000 }).then(() => true, () => false)) await pg.reload();
  await login(person, pg);
  await until('the live feed', () => pg.locator('#live-state', { hasText: '实时已连接' }).count());
  return pg;
}
async function noScroll(what, pg = page) {
  const size = pg.viewportSize();
  await pg.setViewportSize({ width: 390, height: 844 });
  await pg.waitForTimeout(300);
  await check(`at 390x844 ${what} has no horizontal scroll`, async () => {
    const [sw, w] = await pg.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    if (sw > w) throw new Error(`scrollWidth ${sw} > ${w}`);
  });
  await pg.setViewportSize(size);
}
// Every input, select, textarea, button, link and summary on the page has an
// accessible name: its <label>s, aria-label, aria-labelledby, title, or (a
// button, a link, a summary) its own text.
async function named(what, pg = page) {
  await check(`${what}: every control has an accessible name`, async () => {
    const bad = await pg.evaluate(() => {
      const text = el => (el.textContent || '').trim();
      const name = el => (el.labels && [...el.labels].map(text).join(' ').trim()) || el.getAttribute('aria-label') ||
        (el.getAttribute('aria-labelledby') || '').split(/\s+/).map(id => (document.getElementById(id) || { textContent: '' }).textContent).join(' ').trim() ||
        el.getAttribute('title') || (['BUTTON', 'A', 'SUMMARY'].includes(el.tagName) ? text(el) : '');
      const all = [...document.querySelectorAll('input:not([type="hidden"]), select, textarea, button, a[href], summary')];
      if (all.length < 3) return ['only ' + all.length + ' controls'];
      return all.filter(el => !name(el)).map(el => el.id || el.outerHTML.slice(0, 100));
    });
    if (bad.length) throw new Error('no name: ' + bad.join(', '));
  });
}
// Opens a card's actions (a <details>), whatever state a reload left it in.
const openActions = async card => { await card.locator('details.actions').first().evaluate(d => { d.open = true; }); };
// A role's main page as the README shows it (the viewport, not the whole page: JPEG, small in git).
// (a matter's card with its actions folded, scrolled to its top)
const showCard = async (pg, card) => {
  await card.evaluate(el => { for (const d of el.querySelectorAll('details')) d.open = false; window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 8); });
  await pg.waitForTimeout(200); // (the scroll drawn before the picture)
};
const shot = async (name, pg = page) => { if (shots) await pg.screenshot({ path: `${shots}/${name}.jpeg`, quality: 70 }); };
// Moves routing's clock (GOV_TEST_CLOCK=1) forward, so the deadlines' ladder fires.
const routingClock = ms => JSON.parse(execFileSync(process.env.GOVCTL || 'build/bin/govctl', ['dispatch', 'clock', String(ms)])).now_ms;

try {
  // --- the department clerk --------------------------------------------------
  await page.goto(base + '/');
  await check('the login page is in Chinese by default', async () =>
    (await page.locator('#login-title').textContent()) === '登录');
  await noScroll('the login page');
  await page.focus('a.skip');
  await page.keyboard.press('Enter');
  await check('keyboard: the skip link moves the focus to the content and keeps the page', async () =>
    page.evaluate(() => document.activeElement.id === 'view' && location.hash === '' && !!document.getElementById('login-title')));
  await page.fill('#login-person', clerk);
  await page.fill('#login-password', 'wrong password!');
  await page.press('#login-password', 'Enter');
  await check('a wrong password shows the refusal with its code', async () => {
    const r = page.locator('.refusal');
    await r.waitFor({ timeout: 5000 });
    return (await r.getAttribute('data-code')) === 'BAD_CREDENTIALS' && (await r.textContent()).includes('密码错误');
  });
  // The second try by keyboard alone: the person's field, Tab, the password, Enter.
  await page.focus('#login-person');
  await page.keyboard.press('Tab');
  await check('keyboard: Tab goes from the person to the password', async () => page.evaluate(() => document.activeElement.id === 'login-password'));
  await page.keyboard.press('Control+A');
  await page.keyboard.type(pw);
  await page.keyboard.press('Enter');
  await check('the clerk logs in (by keyboard) and lands on the department queue', async () => {
    await page.locator('h2', { hasText: '派单队列' }).waitFor({ timeout: 10000 });
  });
  await until('the live feed', () => page.locator('#live-state', { hasText: '实时已连接' }).count());
  await page.evaluate(() => { window.__noReload = true; });

  const asResident = await session(resident);
  const filed = await asResident('POST', '/api/v1/cases', { channel: 'app', category: 'complaint.noise',
    description: '浏览器测试：夜间施工噪音', location: { point: { lat: 39.9025, lon: 116.3025 } } });
  const card = page.locator('article.dispatch', { hasText: `案件 ${filed.case_id}` });
  await check('a dispatch of a case filed through the API appears live', async () => { await card.waitFor({ timeout: 15000 }); });
  await check('... without a reload', async () => page.evaluate(() => window.__noReload === true));
  await check('... with a countdown to its deadlines', async () => /剩余|已超时/.test(await card.locator('.deadlines').textContent()));
  await shot('department');

  const ownId = await card.getAttribute('data-id');
  await card.locator('button[data-action="sign"]').focus();
  await page.keyboard.press('Enter');
  await check('the clerk signs it (by keyboard: the button focused, Enter)', async () => { await page.locator(`article.dispatch[data-state="signed"]`, { hasText: `案件 ${filed.case_id}` }).waitFor({ timeout: 10000 }); });
  const signed = page.locator('article.dispatch', { hasText: `案件 ${filed.case_id}` });
  await signed.locator('button[data-action="sign"]').click();
  await check('signing again shows the service refusal with its code, in Chinese', async () => {
    const r = signed.locator('.refusal');
    await r.waitFor({ timeout: 5000 });
    const code = await r.getAttribute('data-code');
    if (code !== 'ALREADY_SIGNED' && code !== 'ILLEGAL_TRANSITION') throw new Error('code ' + code + ': ' + await r.textContent());
    return /已经签收|不允许/.test(await r.textContent());
  });

  // Another department's dispatch, opened by its number: not found.
  const asOther = await session(other);
  const water = await asOther('POST', '/api/v1/cases', { channel: 'app', category: 'report.water',
    description: '浏览器测试：水管破裂', location: { point: { lat: 39.9075, lon: 116.3075 } } });
  const centre = await session('p.centre.dispatcher');
  const theirs = await until('the water case dispatched', async () =>
    (await centre('GET', `/api/v1/dispatches?case_id=${water.case_id}`)).items.find(d => d.unit !== 'dept.chengguan'));
  await page.fill('#open-id', String(theirs.id));
  await page.press('#open-id', 'Enter');
  await check("another unit's dispatch by its number shows NOT_FOUND", async () => {
    const r = page.locator('#queue-status .refusal');
    await r.waitFor({ timeout: 5000 });
    return (await r.getAttribute('data-code')) === 'NOT_FOUND';
  });
  // The same by editing the address: #/queue/ID asks the service, which answers 404.
  await page.goto(base + '/#/queue/' + ownId);
  await check("the clerk's own dispatch opens by its address (#/queue/ID)", async () => {
    await page.locator(`article.dispatch.opened[data-id="${ownId}"]`).waitFor({ timeout: 10000 });
  });
  await page.goto(base + '/#/queue/' + theirs.id);
  await check("another unit's dispatch by its address (#/queue/ID, edited) shows NOT_FOUND and nothing of it", async () => {
    const r = page.locator('#queue-status .refusal');
    await r.waitFor({ timeout: 5000 });
    if ((await r.getAttribute('data-code')) !== 'NOT_FOUND') throw new Error(await r.textContent());
    if ((await page.locator('#view').textContent()).includes('水管破裂')) throw new Error("the other unit's case is shown");
    return (await page.locator(`article.dispatch[data-id="${theirs.id}"]`).count()) === 0;
  });
  await page.goto(base + '/#/queue');

  await page.click('#lang');
  await check('the English switch relabels the page', async () => {
    await page.locator('h2', { hasText: 'Dispatch queue' }).waitFor({ timeout: 5000 });
    return (await page.locator('html').getAttribute('lang')) === 'en';
  });
  await page.click('#lang');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(300);
  await check('at 390x844 the department page has no horizontal scroll', async () => {
    const [sw, w] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    if (sw > w) throw new Error(`scrollWidth ${sw} > ${w}`);
  });
  await named('the department page');
  await page.setViewportSize({ width: 1200, height: 900 });
  await page.click('#logout');
  await page.locator('#login-title').waitFor({ timeout: 5000 });

  // --- the resident ------------------------------------------------------------
  await page.fill('#login-person', resident);
  await page.fill('#login-password', pw);
  await page.press('#login-password', 'Enter');
  await check("the resident lands on the resident's page", async () => { await page.locator('h2', { hasText: '我要反映' }).waitFor({ timeout: 10000 }); });
  await check('the map draws the areas themselves (no tiles)', async () => {
    await page.locator('#case-map[data-ready="1"]').waitFor({ timeout: 10000 });
    const paths = await page.locator('#case-map path.leaflet-interactive').count();
    const tiles = await page.locator('#case-map img.leaflet-tile').count();
    if (paths < 2 || tiles) throw new Error(`${paths} polygons, ${tiles} tiles`);
  });
  await check('... and lists the resident\'s own case', async () => { await page.locator(`article.case[data-id="${filed.case_id}"]`).waitFor({ timeout: 5000 }); });
  const box = await page.locator('#case-map').boundingBox();
  await page.mouse.click(box.x + box.width * 0.45, box.y + box.height * 0.6);
  await check('a click on the map sets the point', async () => /\d+\.\d+, \d+\.\d+/.test(await page.locator('#case-point').textContent()));
  // 违法建设: routing gives it to 城管 (a category no open case near here has, so it is not merged).
  await page.selectOption('#case-category', 'report.construction');
  await page.fill('#case-description', '浏览器测试：楼顶违建');
  await page.click('form button[type="submit"]');
  let mapCase = null;
  await check('the resident files a case on the map and it is received with its area', async () => {
    const ok = page.locator('#file-outcome > *');
    await ok.waitFor({ timeout: 10000 });
    const text = await ok.textContent();
    if ((await ok.getAttribute('class')) !== 'ok') throw new Error('refused: ' + text);
    const id = (text.match(/案件 (\d+)/) || [])[1];
    if (!id) throw new Error(text);
    await page.locator(`article.case[data-id="${id}"]`).waitFor({ timeout: 10000 });
    mapCase = id;
  });
  await check('... and sees it routed (已派单) on the page', async () => {
    await page.locator(`article.case[data-id="${mapCase}"][data-status="dispatched"]`, { hasText: '已派单' }).waitFor({ timeout: 10000 });
  });
  await named("the resident's page");
  await noScroll("the resident's page");
  await shot('resident');

  // --- the street office ---------------------------------------------------------
  await page.click('#logout');
  await page.locator('#login-title').waitFor({ timeout: 5000 });
  await login('p.so.s1.head');
  await check("the street office lands on its whistles", async () => { await page.locator('h2', { hasText: '吹哨报到' }).waitFor({ timeout: 10000 }); });
  await page.locator('#w-depts input[value="dept.chengguan"]').waitFor({ timeout: 10000 });
  await page.locator('#whistle-map path.leaflet-interactive').first().waitFor({ timeout: 10000 });
  await page.selectOption('#w-kind', 'hard');
  await page.fill('#w-reason', '浏览器测试：占道经营');
  await page.check('#w-depts input[value="dept.chengguan"]');
  await page.check('#w-depts input[value="dept.shuiwu"]');
  // The two summoned departments have their pages open, each in its own session.
  const clerkPg = await openAs(clerk), waterPg = await openAs(water_head);
  for (const pg of [clerkPg, waterPg]) await pg.evaluate(() => { window.__noReload = true; });
  // inside the street's first grid: a street office whistles within its own area
  const wbox = await page.locator('#whistle-map path.area-demo-s1-c1-g1').boundingBox();
  await page.mouse.click(wbox.x + wbox.width * 0.5, wbox.y + wbox.height * 0.5);
  await page.click('#view form button[type="submit"]');
  let whistle = null;
  await check('the street office blows a whistle on the map, summoning two departments', async () => {
    const ok = page.locator('#view form .ok, #view form .refusal').first();
    await ok.waitFor({ timeout: 10000 });
    const text = await ok.textContent();
    whistle = (text.match(/吹哨 (\d+)/) || [])[1];
    if (!whistle) throw new Error(text);
    await page.locator(`article.whistle[data-id="${whistle}"] tr[data-unit="dept.chengguan"]`).waitFor({ timeout: 10000 });
    await page.locator(`article.whistle[data-id="${whistle}"] tr[data-unit="dept.shuiwu"]`).waitFor({ timeout: 10000 });
  });
  await page.evaluate(() => { window.__noReload = true; });
  for (const [pg, who] of [[clerkPg, '城管'], [waterPg, '水务']]) {
    await check(`the whistle appears on the page of each summoned department (${who}), live`, async () => {
      await pg.locator('article.dispatch', { hasText: `吹哨 ${whistle}` }).waitFor({ timeout: 10000 });
      if (!await pg.evaluate(() => window.__noReload === true)) throw new Error('reloaded');
    });
  }
  const asClerk = await session(clerk);
  const summoned = await until('the whistle\'s dispatch', async () =>
    (await asClerk('GET', `/api/v1/dispatches?whistle_id=${whistle}`)).items[0]);
  // 城管 signs on its page; the street office's board shows it within a second, no reload.
  const wcard = clerkPg.locator('article.dispatch', { hasText: `吹哨 ${whistle}` });
  // Timed from the department's signature (the answer to its sign) to the
  // board's row showing 已签收.
  const answered = clerkPg.waitForResponse(r => /\/sign$/.test(new URL(r.url()).pathname)).then(() => Date.now());
  const t0 = Date.now();
  await wcard.locator('button[data-action="sign"]').click();
  await check("城管 signs on its page and the street office's board shows it within a second, without a reload", async () => {
    await page.locator(`article.whistle[data-id="${whistle}"] tr[data-unit="dept.chengguan"]`, { hasText: '已签收' }).waitFor({ timeout: 5000 });
    const shown = Date.now(), signedAt = await answered;
    console.log(`# the board showed the signature ${shown - signedAt} ms after the department's sign was answered (${shown - t0} ms after the click)`);
    if (shown - signedAt > 1000) throw new Error((shown - signedAt) + ' ms');
    if (!await page.evaluate(() => window.__noReload === true)) throw new Error('reloaded');
  });
  await check('... the department page shows it signed', async () => {
    await clerkPg.locator('article.dispatch[data-state="signed"]', { hasText: `吹哨 ${whistle}` }).waitFor({ timeout: 5000 });
  });
  // The board follows the feed, not a timer: while nothing happens it asks
  // nothing; the department's arrival comes through the feed too.
  // First a second for the signature's own event: the board may have shown
  // 已签收 from a redraw an earlier event caused (48 ms after it in one run),
  // and then redraws once more when DispatchSigned arrives (~250 ms).
  await page.waitForTimeout(1000);
  let asked = 0;
  const seen = []; const count = r => { if (new URL(r.url()).pathname.startsWith('/api/v1/whistles')) { asked++; seen.push(r.url() + '@' + (Date.now() - t0)); } };
  page.on('request', count);
  await page.waitForTimeout(2500);
  await check('... the board does not poll (no whistle request in 2.5 s of quiet)', async () => {
    if (asked) throw new Error(asked + ' requests ' + seen.join(' '));
  });
  page.off('request', count);
  const place = (await asClerk('GET', `/api/v1/whistles/${whistle}`)).item.point;
  await asClerk('POST', `/api/v1/dispatches/${summoned.id}/arrive`, { point: place });
  await check('... and the arrival, live', async () => {
    await page.locator(`article.whistle[data-id="${whistle}"] tr[data-unit="dept.chengguan"]`, { hasText: '已到场' }).waitFor({ timeout: 10000 });
  });
  await page.reload();
  await check("... the board is the street office's own whistles (GET /api/v1/whistles), after a reload too", async () => {
    await page.locator(`article.whistle[data-id="${whistle}"]`).waitFor({ timeout: 10000 });
  });
  await page.fill('#w-open', String(999999));
  await page.press('#w-open', 'Enter');
  await check('... a whistle that is not its own, opened by number, shows NOT_FOUND', async () => {
    const r = page.locator('#whistle-board .refusal');
    await r.waitFor({ timeout: 5000 });
    return (await r.getAttribute('data-code')) === 'NOT_FOUND';
  });
  await named('the street office page');
  await noScroll('the street office page');
  await shot('street-office');

  // --- the silent department's escalation ------------------------------------------
  // 水务 never signs. Routing's clock passes its sign deadline (攻坚哨: 60
  // minutes) and the ladder's step to the centre 30 minutes after; the
  // escalation appears on the centre's page, live.
  const centrePg = await openAs('p.centre.dispatcher');
  const silent = (await centre('GET', `/api/v1/dispatches?whistle_id=${whistle}`)).items.find(d => d.unit === 'dept.shuiwu');
  routingClock(91 * 60 * 1000);
  await check("the silent department's escalation appears on the centre's page when the clock passes the deadline", async () => {
    const li = centrePg.locator(`#escalations li[data-dispatch="${silent.id}"][data-action="escalate_centre"]`).first();
    await li.waitFor({ timeout: 20000 });
    if (!/水务/.test(await li.textContent()) || !/指挥中心/.test(await li.textContent())) throw new Error(await li.textContent());
  });
  await showCard(centrePg, centrePg.locator('h3', { hasText: '升级督办' }));
  await shot('centre-escalations', centrePg);
  await centrePg.context().close();
  await waterPg.context().close();

  // --- the community party committee ------------------------------------------------
  // A resident proposes a matter through the API; the party committee (社区党委,
  // "1+3": it accepts and leads) accepts it on its page; accepting again is
  // refused by deliberation (WRONG_STEP).
  const proposed = await asResident('POST', '/api/v1/matters', { scope: 'community', area: 'demo.s1.c1',
    title: '浏览器测试：加装电梯', body: '3号楼加装电梯' });
  const mid = proposed.item.id;
  await page.click('#logout');
  await page.locator('#login-title').waitFor({ timeout: 5000 });
  await login(party);
  const matter = page.locator(`article.matter[data-id="${mid}"]`);
  await check("the party committee lands on its community's matters, the resident's among them", async () => {
    await page.locator('h2', { hasText: '社区议事' }).waitFor({ timeout: 10000 });
    await matter.waitFor({ timeout: 10000 });
    return (await matter.locator('.step').textContent()) === '居民提事';
  });
  await openActions(matter);
  await matter.locator('form[data-action="m.accept"] input').fill('2');
  await matter.locator('form[data-action="m.accept"] button').click();
  await check('the party committee accepts it: the matter moves to 网格议事', async () => {
    await page.locator(`article.matter[data-id="${mid}"][data-step="discussing"]`).waitFor({ timeout: 10000 });
  });
  await page.locator(`article.matter[data-id="${mid}"] form[data-action="m.accept"] button`).click();
  await check('accepting again shows WRONG_STEP in Chinese', async () => {
    const r = page.locator(`article.matter[data-id="${mid}"] form[data-action="m.accept"] .refusal`);
    await r.waitFor({ timeout: 5000 });
    return (await r.getAttribute('data-code')) === 'WRONG_STEP' && (await r.textContent()).includes('步骤');
  });
  await named('the matters page');
  await noScroll('the matters page');
  await page.click('a[href="#/lists"]');
  await check("the party committee's 3+1 lists show its community's", async () => {
    await page.locator('h2', { hasText: '清单与服务' }).waitFor({ timeout: 10000 });
    await page.locator('#lists h4').first().waitFor({ timeout: 10000 });
  });
  await named('the lists page');
  await noScroll('the lists page');

  // --- the resident: opinions, an order, an evaluation --------------------------------
  await page.click('#logout');
  await page.locator('#login-title').waitFor({ timeout: 5000 });
  await login(resident);
  await page.click('a[href="#/matters"]');
  const rm = page.locator(`article.matter[data-id="${mid}"]`);
  await rm.waitFor({ timeout: 10000 });
  await openActions(rm);
  await rm.locator('form[data-action="m.opine"] select').selectOption('for');
  await rm.locator('form[data-action="m.opine"] button').click();
  await check('the resident gives an opinion: counted on the matter', async () => {
    await page.locator(`article.matter[data-id="${mid}"]`, { hasText: '赞成 1' }).waitFor({ timeout: 10000 });
  });
  await openActions(page.locator(`article.matter[data-id="${mid}"]`));
  await page.locator(`article.matter[data-id="${mid}"] form[data-action="m.vote"] button`).click();
  await check('voting with no meeting is refused, with the code', async () => {
    const r = page.locator(`article.matter[data-id="${mid}"] form[data-action="m.vote"] .refusal`);
    await r.waitFor({ timeout: 5000 });
    return !!(await r.getAttribute('data-code'));
  });
  await page.click('a[href="#/lists"]');
  await page.locator('#l-community').fill('demo.s1.c1');
  await page.locator('form[data-action="o.submit"] input').first().fill('浏览器测试：上门理发');
  await page.locator('form[data-action="o.submit"] button').click();
  let order = null;
  await check('the resident orders a service', async () => {
    const ok = page.locator('form[data-action="o.submit"] .ok');
    await ok.waitFor({ timeout: 10000 });
    order = ((await ok.textContent()).match(/(\d+)/) || [])[1];
    await page.locator(`article.order[data-id="${order}"]`).waitFor({ timeout: 10000 });
  });
  await openActions(page.locator(`article.order[data-id="${order}"]`));
  await page.locator(`article.order[data-id="${order}"] form[data-action="o.claim"] button`).click();
  await check("claiming one's own order is refused, with the code", async () => {
    const r = page.locator(`article.order[data-id="${order}"] form[data-action="o.claim"] .refusal`);
    await r.waitFor({ timeout: 5000 });
    return !!(await r.getAttribute('data-code'));
  });
  // The case the resident filed on the map: 城管 signs, reports arrival and
  // resolves it on its page; the resident sees it resolved, evaluates it
  // dissatisfied, and sees it reopen (dispatched again).
  const mcard = () => clerkPg.locator('article.dispatch', { hasText: `案件 ${mapCase}` });
  await check("the resident's case is on 城管's page", async () => { await mcard().waitFor({ timeout: 10000 }); });
  const mdid = await mcard().getAttribute('data-id');
  for (const [verb, state] of [['sign', 'signed'], ['arrive', 'arrived']]) {
    await clerkPg.locator(`article.dispatch[data-id="${mdid}"] button[data-action="${verb}"]`).click();
    await clerkPg.locator(`article.dispatch[data-id="${mdid}"][data-state="${state}"]`).waitFor({ timeout: 10000 });
  }
  await clerkPg.locator(`#text-${mdid}`).fill('已拆除');
  await clerkPg.locator(`article.dispatch[data-id="${mdid}"] button[data-action="resolve"]`).click();
  await check('城管 signs, arrives and resolves it on its page', async () => {
    await clerkPg.locator(`article.dispatch[data-id="${mdid}"][data-state="resolved"]`).waitFor({ timeout: 10000 });
  });
  await page.click('a[href="#/resident"]');
  const mycase = page.locator(`article.case[data-id="${mapCase}"]`);
  await check('the resident sees it resolved (已办结)', async () => {
    await page.locator(`article.case[data-id="${mapCase}"][data-status="resolved"]`).waitFor({ timeout: 10000 });
  });
  await openActions(mycase);
  await mycase.locator('form[data-action="r.evaluate"] select').selectOption('dissatisfied');
  await mycase.locator('form[data-action="r.evaluate"] button').click();
  await check('the resident evaluates it dissatisfied and sees it reopen on the page (dispatched again)', async () => {
    const ok = page.locator(`article.case[data-id="${mapCase}"] form[data-action="r.evaluate"] .ok`);
    await ok.waitFor({ timeout: 10000 });
    if (!/已评价/.test(await ok.textContent())) throw new Error(await ok.textContent());
    await page.locator(`article.case[data-id="${mapCase}"]:not([data-status="resolved"])`).waitFor({ timeout: 10000 });
    await until('dispatched again', async () => (await centre('GET', `/api/v1/dispatches?case_id=${mapCase}`)).items.some(d => d.state === 'sent'), 10000);
  });
  await check('... and 城管 has it again, live', async () => {
    await clerkPg.locator('article.dispatch[data-state="sent"]', { hasText: `案件 ${mapCase}` }).waitFor({ timeout: 10000 });
  });
  await openActions(page.locator(`article.case[data-id="${mapCase}"]`));
  await page.locator(`article.case[data-id="${mapCase}"] form[data-action="r.evaluate"] button`).click();
  await check('evaluating it again is refused, with the code', async () => {
    const r = page.locator(`article.case[data-id="${mapCase}"] form[data-action="r.evaluate"] .refusal`);
    await r.waitFor({ timeout: 5000 });
    return !!(await r.getAttribute('data-code'));
  });

  // --- a meeting of the standing council (村务商议团): the party committee convenes
  // it (its roster is the council in office, demo.s1.c1's 8 representatives;
  // quorum 2/3 = 6), its members vote in their own sessions, the party committee
  // closes, the 两委 review what it agreed, the party committee publishes. -----------
  delibClock(2 * 3600 * 1000 + 1000); // the opinion window (2 hours) closes
  await until('the opinions closed', async () => (await asResident('GET', `/api/v1/matters/${mid}`)).item.step === 'discussed');
  const council = [resident, 'r.s1.c1.g1.4.1', 'r.s1.c1.g2.1.1', 'r.s1.c1.g2.4.1', 'r.s1.c1.g3.1.1', 'r.s1.c1.g3.4.1'];
  const starts = Math.ceil((delibClock(1) + 120000) / 60000) * 60000 + 60000;
  await page.click('#logout');
  await page.locator('#login-title').waitFor({ timeout: 5000 });
  await login(party);
  const cm = page.locator(`article.matter[data-id="${mid}"]`);
  await cm.waitFor({ timeout: 10000 });
  await openActions(cm);
  const conv = cm.locator('form[data-action="m.convene"]');
  await conv.locator('select').first().selectOption('council');
  await conv.locator('select').nth(1).selectOption('secret');
  await conv.locator('input[id$="-motion"]').fill('同意加装电梯');
  await conv.locator('input[type="datetime-local"]').fill(localInput(starts));
  await conv.locator('button').click();
  await check('the party committee convenes the standing council on the page: roster of 8, ballot and motion shown', async () => {
    const m = page.locator(`article.matter[data-id="${mid}"] .meeting`);
    await m.waitFor({ timeout: 10000 });
    const text = await m.textContent();
    return /同意加装电梯/.test(text) && /无记名投票/.test(text) && /村务商议团/.test(text) && /名册 8 人/.test(text);
  });
  delibClock(starts - delibClock(1) + 1000); // the meeting starts
  await page.click('#logout');
  await page.locator('#login-title').waitFor({ timeout: 5000 });
  await login(resident);
  await page.click('a[href="#/matters"]');
  const rv = page.locator(`article.matter[data-id="${mid}"]`);
  await rv.waitFor({ timeout: 10000 });
  await openActions(rv);
  await rv.locator('form[data-action="m.attend"] button').click();
  await check('the resident records their attendance', async () => {
    await page.locator(`article.matter[data-id="${mid}"] form[data-action="m.attend"] .ok`).waitFor({ timeout: 10000 });
  });
  await openActions(page.locator(`article.matter[data-id="${mid}"]`));
  await page.locator(`article.matter[data-id="${mid}"] form[data-action="m.vote"] select`).selectOption('yes');
  await page.locator(`article.matter[data-id="${mid}"] form[data-action="m.vote"] button`).click();
  let receipt = '';
  await check('the resident votes in their own session and sees the receipt', async () => {
    const r = page.locator(`article.matter[data-id="${mid}"] .receipt code`);
    await r.waitFor({ timeout: 10000 });
    receipt = await r.textContent();
    return receipt.length >= 16;
  });
  // A second member of the council votes on their own page, in their own
  // browser session, at the same time as the first one's page is open.
  const voter2 = await openAs(council[1]);
  await voter2.click('a[href="#/matters"]');
  const v2 = () => voter2.locator(`article.matter[data-id="${mid}"]`);
  await v2().waitFor({ timeout: 10000 });
  await openActions(v2());
  await v2().locator('form[data-action="m.attend"] button').click();
  await voter2.locator(`article.matter[data-id="${mid}"] form[data-action="m.attend"] .ok`).waitFor({ timeout: 10000 });
  await openActions(v2());
  await v2().locator('form[data-action="m.vote"] select').selectOption('yes');
  await v2().locator('form[data-action="m.vote"] button').click();
  await check('a second member votes on their own page, in their own session, and sees their own receipt', async () => {
    const r = voter2.locator(`article.matter[data-id="${mid}"] .receipt code`);
    await r.waitFor({ timeout: 10000 });
    const mine = await r.textContent();
    if (mine.length < 16 || mine === receipt) throw new Error(mine);
  });
  await voter2.context().close();
  for (const p of council.slice(2)) { // four more of the eight, each in their own session
    const s = await session(p);
    await s('POST', `/api/v1/matters/${mid}/attendance`, { person: '' });
    await s('POST', `/api/v1/matters/${mid}/votes`, { choice: 'yes' });
  }
  await page.click('#logout');
  await page.locator('#login-title').waitFor({ timeout: 5000 });
  await login(party);
  const cc = page.locator(`article.matter[data-id="${mid}"]`);
  await cc.waitFor({ timeout: 10000 });
  await openActions(cc);
  await cc.locator('form[data-action="m.close"] button').click();
  await check('the party committee closes the meeting: the tally, quorum and receipts hash appear, and it goes to the 两委 review', async () => {
    const tl = page.locator(`article.matter[data-id="${mid}"][data-step="reviewing"] .tally`);
    await tl.waitFor({ timeout: 10000 });
    const text = await tl.textContent();
    if (!/到会 6 \/ 名册 8/.test(text) || !/赞成 6/.test(text) || !/通过/.test(text) || !/[0-9a-f]{64}/.test(text)) throw new Error(text);
  });
  // The 两委 review: the party committee, then the residents' committee, each on its page.
  await openActions(page.locator(`article.matter[data-id="${mid}"]`));
  await page.locator(`article.matter[data-id="${mid}"] form[data-action="m.publish"] button`).click();
  await check('publishing before the review is refused (WRONG_STEP)', async () => {
    const r = page.locator(`article.matter[data-id="${mid}"] form[data-action="m.publish"] .refusal`);
    await r.waitFor({ timeout: 5000 });
    return (await r.getAttribute('data-code')) === 'WRONG_STEP';
  });
  const review = async (text) => {
    await openActions(page.locator(`article.matter[data-id="${mid}"]`));
    const f = page.locator(`article.matter[data-id="${mid}"] form[data-action="m.review"]`);
    await f.locator('input[type="checkbox"]').check();
    await f.locator('textarea').fill(text);
    await f.locator('button').click();
  };
  await review('党委同意');
  await check('the party committee reviews on its page: its approval is shown, the matter still under review', async () => {
    await page.locator(`article.matter[data-id="${mid}"][data-step="reviewing"] .reviews li[data-unit="party_committee"][data-approve="true"]`).waitFor({ timeout: 10000 });
  });
  await review('党委再次同意');
  await check('reviewing twice is refused (ALREADY_REVIEWED)', async () => {
    const r = page.locator(`article.matter[data-id="${mid}"] form[data-action="m.review"] .refusal`);
    await r.waitFor({ timeout: 5000 });
    return (await r.getAttribute('data-code')) === 'ALREADY_REVIEWED';
  });
  await page.click('#logout');
  await page.locator('#login-title').waitFor({ timeout: 5000 });
  await login('p.cm.s1.c1.head');
  await page.locator(`article.matter[data-id="${mid}"]`).waitFor({ timeout: 10000 });
  await openActions(page.locator(`article.matter[data-id="${mid}"]`));
  await page.locator(`article.matter[data-id="${mid}"] form[data-action="m.publish"]`).count().then(n => {
    if (n) throw new Error("the residents' committee is offered the 公示");
  }).then(() => pass("the residents' committee is not offered the party committee's commands"), e => fail("the residents' committee is not offered the party committee's commands", e.message));
  await review('居委会同意');
  await check("the residents' committee reviews on its page: both approvals shown, the matter decided", async () => {
    const card = page.locator(`article.matter[data-id="${mid}"][data-step="decided"]`);
    await card.locator('.reviews li[data-unit="community"][data-approve="true"]').waitFor({ timeout: 10000 });
    await card.locator('.reviews li[data-unit="party_committee"]').waitFor({ timeout: 10000 });
  });
  await page.click('#logout');
  await page.locator('#login-title').waitFor({ timeout: 5000 });
  await login(party);
  await page.locator(`article.matter[data-id="${mid}"]`).waitFor({ timeout: 10000 });
  // The supervision committee (监督委员会), on its own page, flags record 1 as
  // irregular: the flag shows, and it holds the matter — publishing is refused
  // MATTER_HELD — until the party committee (the owner of that step) answers.
  const supPg = await openAs(supervisor);
  await supPg.click('a[href="#/matters"]');
  const sm = supPg.locator(`article.matter[data-id="${mid}"]`);
  await sm.waitFor({ timeout: 10000 });
  await openActions(sm);
  const ff = sm.locator('form[data-action="m.flag"]');
  await ff.locator('input').fill('1');
  await ff.locator('textarea').fill('浏览器测试：提议材料不全');
  await ff.locator('button').click();
  await check('the supervision committee flags record 1 on its page: the flag shows, open, for the party committee', async () => {
    const f = supPg.locator(`article.matter[data-id="${mid}"] .flags li[data-answered="false"]`);
    await f.waitFor({ timeout: 10000 });
    return /社区党委/.test(await f.textContent());
  });
  await named("the supervision committee's matters page", supPg);
  await check("... and live on the party committee's page", async () => {
    await page.locator(`article.matter[data-id="${mid}"] .flags li[data-answered="false"]`).waitFor({ timeout: 10000 });
  });
  await openActions(page.locator(`article.matter[data-id="${mid}"]`));
  await page.locator(`article.matter[data-id="${mid}"] form[data-action="m.publish"] button`).click();
  await check('the flag holds the matter: publishing is refused MATTER_HELD, in Chinese', async () => {
    const r = page.locator(`article.matter[data-id="${mid}"] form[data-action="m.publish"] .refusal`);
    await r.waitFor({ timeout: 5000 });
    return (await r.getAttribute('data-code')) === 'MATTER_HELD' && /议事暂停/.test(await r.textContent());
  });
  const flag = await page.locator(`article.matter[data-id="${mid}"] .flags li[data-flag]`).getAttribute('data-flag');
  const af = page.locator(`article.matter[data-id="${mid}"] form[data-action="m.answerflag"]`);
  await af.locator('input').fill(flag);
  await af.locator('textarea').fill('已补齐材料');
  await af.locator('button').click();
  await check('the party committee answers the flag on its page; the supervision sees the answer', async () => {
    await page.locator(`article.matter[data-id="${mid}"] .flags li[data-flag="${flag}"][data-answered="true"]`, { hasText: '已补齐材料' }).waitFor({ timeout: 10000 });
    await supPg.locator(`article.matter[data-id="${mid}"] .flags li[data-flag="${flag}"][data-answered="true"]`).waitFor({ timeout: 10000 });
  });
  await openActions(page.locator(`article.matter[data-id="${mid}"]`));
  await page.locator(`article.matter[data-id="${mid}"] form[data-action="m.publish"] button`).click();
  await check('the party committee publishes the decision once the flag is answered: the 公示 shows its hash', async () => {
    const pub = page.locator(`article.matter[data-id="${mid}"] .publication code`);
    await pub.waitFor({ timeout: 10000 });
    return /^[0-9a-f]{64}$/.test(await pub.textContent());
  });
  // During the 公示: a resident objects and the supervision committee flags a
  // step (both through the API); the party committee sees each on its page
  // and answers it there.
  await asResident('POST', `/api/v1/matters/${mid}/objections`, { text: '浏览器测试：噪声怎么办' });
  await check('an objection shows live on the 公示 with its number, unanswered (the decision held)', async () => {
    const li = page.locator(`article.matter[data-id="${mid}"] .objections li[data-objection]`);
    await li.waitFor({ timeout: 10000 }).catch(async e => { throw new Error(e.message.slice(0, 60) + ' card: ' + (await page.locator(`article.matter[data-id="${mid}"]`).textContent()).slice(-330)); });
    const pub = await page.locator(`article.matter[data-id="${mid}"] .publication`).textContent();
    if (!/1 条待答复/.test(pub) || !/待党委答复/.test(await li.textContent())) throw new Error(pub);
  });
  const objection = await page.locator(`article.matter[data-id="${mid}"] .objections li[data-objection]`).getAttribute('data-objection');
  await openActions(page.locator(`article.matter[data-id="${mid}"]`));
  const ans = page.locator(`article.matter[data-id="${mid}"] form[data-action="m.answerobj"]`);
  await ans.locator('input').fill(objection);
  await ans.locator('textarea').fill('施工限定在白天');
  await ans.locator('button').click();
  await check('the party committee answers the objection on its page', async () => {
    await page.locator(`article.matter[data-id="${mid}"] .objections li[data-objection="${objection}"]`, { hasText: '施工限定在白天' }).waitFor({ timeout: 10000 })
      .catch(async e => { throw new Error('the form said: ' + await ans.locator('.outcome').textContent() + ' · ' + e.message.slice(0, 80)); });
    // (the record and the list are read apart: wait for the list to agree)
    await page.locator(`article.matter[data-id="${mid}"] .publication`, { hasNotText: '待答复' }).waitFor({ timeout: 10000 });
  });
  // The notice ends (publish_minutes: 10 here) with the objection answered:
  // approved. The residents' committee (居委会) executes on its page — a task —
  // and reports it done; the supervision committee rates the execution.
  delibClock(10 * 60 * 1000 + 1000);
  await check('the notice ends: the matter is approved', async () => {
    await page.locator(`article.matter[data-id="${mid}"][data-step="approved"]`).waitFor({ timeout: 15000 });
  });
  await showCard(page, page.locator(`article.matter[data-id="${mid}"]`));
  await shot('community-tally');
  const cmPg = await openAs(committee);
  const cmm = () => cmPg.locator(`article.matter[data-id="${mid}"]`);
  await cmm().waitFor({ timeout: 10000 });
  await openActions(cmm());
  const act = cmm().locator('form[data-action="m.act"]');
  await act.locator('textarea[id$="-tasks"]').fill('3号楼加装电梯施工');
  await act.locator('button').click();
  await check("the residents' committee executes on its page: the matter is acting, with its task", async () => {
    await cmPg.locator(`article.matter[data-id="${mid}"][data-step="acting"] .tasks li[data-task]`).waitFor({ timeout: 10000 })
      .catch(async e => { throw new Error('the form said: ' + await act.locator('.outcome').textContent() + ' · ' + e.message.slice(0, 80)); });
  });
  const task = await cmm().locator('.tasks li[data-task]').first().getAttribute('data-task');
  // The act's own events (MatterActing, the whistle's) redraw the card a few
  // times; the form keeps what is typed, but a redraw between a keystroke and
  // the click can lose it: let them settle first.
  await cmPg.waitForTimeout(800);
  await openActions(cmm());
  const prog = cmm().locator('form[data-action="m.progress"]');
  await prog.locator('input[type="number"]').fill(task);
  await prog.locator('input[id$="-text"]').fill('电梯已安装');
  await prog.locator('input[type="checkbox"]').check();
  await prog.locator('button').click();
  await check("... reports the task done: the matter goes to the residents' evaluation", async () => {
    await cmPg.locator(`article.matter[data-id="${mid}"][data-step="evaluating"]`).waitFor({ timeout: 10000 })
      .catch(async e => { throw new Error('the form said: ' + await prog.locator('.outcome').textContent() + ' · ' + e.message.slice(0, 80)); });
  });
  await named("the residents' committee's matters page", cmPg);
  await showCard(cmPg, cmm());
  await shot('residents-committee', cmPg);
  const sm2 = () => supPg.locator(`article.matter[data-id="${mid}"]`);
  await supPg.locator(`article.matter[data-id="${mid}"][data-step="evaluating"]`).waitFor({ timeout: 10000 });
  await openActions(sm2());
  const rate = sm2().locator('form[data-action="m.rate"]');
  await rate.locator('select').selectOption('basic');
  await rate.locator('button').click();
  await check('the supervision committee rates the execution on its page: the rating shows', async () => {
    await supPg.locator(`article.matter[data-id="${mid}"] .round`, { hasText: '基本满意' }).waitFor({ timeout: 10000 })
      .catch(async e => { throw new Error('the form said: ' + await rate.locator('.outcome').textContent() + ' · card: ' + (await sm2().textContent()).slice(0, 300)); });
  });
  await showCard(supPg, sm2());
  await shot('supervision', supPg);
  await cmPg.context().close();
  await supPg.context().close();
  await page.click('#logout');
  await page.locator('#login-title').waitFor({ timeout: 5000 });
  await login(resident);
  await page.click('a[href="#/matters"]');
  const rc = page.locator(`article.matter[data-id="${mid}"]`);
  await rc.waitFor({ timeout: 10000 });
  await openActions(rc);
  await rc.locator('form[data-action="m.check"] button').click();
  await check('the resident checks the receipt: counted, as yes', async () => {
    const ok = page.locator(`article.matter[data-id="${mid}"] form[data-action="m.check"] .ok`);
    await ok.waitFor({ timeout: 10000 });
    return /已计入：赞成/.test(await ok.textContent());
  });

  // --- the dispatch centre --------------------------------------------------------
  // A case the clerk returns (职能不符): routing gives it to the centre.
  const wrong = await asResident('POST', '/api/v1/cases', { channel: 'app', category: 'complaint.noise',
    description: '浏览器测试：工业噪声', location: { point: { lat: 39.9025, lon: 116.3025 } } });
  const wd = await until('the returned case dispatched', async () => (await asClerk('GET', `/api/v1/dispatches?case_id=${wrong.case_id}`)).items[0]);
  await asClerk('POST', `/api/v1/dispatches/${wd.id}/return`, { reason: 'function', text: '工业噪声归生态环境' });
  await page.click('#logout');
  await page.locator('#login-title').waitFor({ timeout: 5000 });
  await login('p.centre.dispatcher');
  await check("the centre lands on the three rates, with a chart and a ranking", async () => {
    await page.locator('h2', { hasText: '三率考核' }).waitFor({ timeout: 10000 });
    await page.locator('#view table tbody tr').first().waitFor({ timeout: 10000 });
    const drawn = await page.evaluate(() => !!(window.Chart && Chart.getChart(document.getElementById('kpi-chart'))));
    if (!drawn) throw new Error('no chart');
  });
  const ret = page.locator(`#returned article.dispatch[data-id="${wd.id}"]`);
  await check('the centre sees the returned dispatch', async () => { await ret.waitFor({ timeout: 10000 }); });
  await ret.locator('input').first().fill('dept.nosuchunit');
  await ret.locator('button').click();
  await check('reassigning to a unit that does not exist is refused, with the code', async () => {
    const r = ret.locator('.refusal');
    await r.waitFor({ timeout: 5000 });
    return !!(await r.getAttribute('data-code'));
  });
  const next = await until('the returned case dispatched again', async () =>
    (await centre('GET', `/api/v1/dispatches?case_id=${wrong.case_id}`)).items.find(d => ['sent', 'signed'].includes(d.state)));
  const target = next.unit === 'dept.shengtai' ? 'dept.gongan' : 'dept.shengtai';
  await check("... with the case's open dispatch named", async () => {
    await page.locator(`#returned article.dispatch[data-id="${wd.id}"][data-current="${next.id}"]`).waitFor({ timeout: 10000 });
  });
  await ret.locator('input').first().fill(target);
  await ret.locator('button').click();
  await check('the centre reassigns it from the returned card', async () => {
    await until('reassigned', async () => (await centre('GET', `/api/v1/dispatches?case_id=${wrong.case_id}`)).items.some(d => d.unit === target), 10000);
  });
  await check('the map shows open dispatches by grid', async () => {
    await page.locator('#grid-table tr[data-grid]').first().waitFor({ timeout: 10000 });
    await page.locator('#grid-map path.open-count').first().waitFor({ timeout: 5000 });
  });
  await named('the centre page');
  await noScroll('the centre page');
  await shot('centre');

  // --- the grid worker, on a phone ----------------------------------------------------
  // 390x844, touch, the phone's position in the middle of its own grid
  // (demo.s1.c1.g1): the patrol page, the team's queue with its countdowns,
  // a case filed from where the worker stands, back in the queue live.
  const areas = await centre('GET', '/api/v1/areas');
  const g1 = areas.features.find(f => f.properties.code === 'demo.s1.c1.g1');
  const pts = JSON.stringify(g1.geometry.coordinates).match(/-?\d+\.?\d*,-?\d+\.?\d*/g).map(p => p.split(',').map(Number));
  const mid2 = (a, b) => (Math.min(...a) + Math.max(...a)) / 2;
  const here = { longitude: mid2(pts.map(p => p[0])), latitude: mid2(pts.map(p => p[1])), accuracy: 8 };
  const phone = await openAs(gridWorker, { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, locale: 'zh-CN',
    geolocation: here, permissions: ['geolocation'] });
  await check("the grid worker lands on the patrol page: the team's queue and filing from here", async () => {
    await phone.locator('h2', { hasText: '网格巡查' }).waitFor({ timeout: 10000 });
    await phone.locator('#patrol-queue #queue-list').waitFor({ timeout: 10000 });
    await phone.locator('#case-map[data-ready="1"]').waitFor({ timeout: 10000 });
  });
  const targets = async what => check(`${what}: every control is a touch target at least 44 px high`, async () => {
    const small = await phone.evaluate(() => [...document.querySelectorAll(
      'header button, header select, nav a, #view button, #view select, #view textarea, #view summary, #view a[href], #view .leaflet-bar a, ' +
      '#view input:not([type="checkbox"]):not([type="radio"])')]
      .filter(el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
      .map(el => [el.id || el.getAttribute('data-action') || el.textContent.trim().slice(0, 12) || el.tagName, Math.round(el.getBoundingClientRect().height)])
      .filter(([, hh]) => hh < 44));
    if (small.length) throw new Error(JSON.stringify(small).slice(0, 300));
  });
  await targets('the patrol page');
  await named('the patrol page', phone);
  await noScroll('the patrol page', phone);
  await phone.tap('#patrol-jump');
  await check("'file from here' puts the point where the phone is", async () => {
    await until('the point', async () => /\d+\.\d+, \d+\.\d+/.test(await phone.locator('#case-point').textContent()), 10000);
    const [lat, lon] = (await phone.locator('#case-point').textContent()).split(',').map(Number);
    if (Math.abs(lat - here.latitude) > 1e-4 || Math.abs(lon - here.longitude) > 1e-4) throw new Error(`${lat},${lon} vs ${here.latitude},${here.longitude}`);
  });
  await phone.selectOption('#case-category', 'report.sanitation');
  await phone.fill('#case-description', '浏览器测试：巡查发现垃圾堆放');
  await phone.tap('form.casefile button[type="submit"]');
  let patrolCase = null;
  await check('the grid worker files the case from the patrol, received in its own grid', async () => {
    const ok = phone.locator('#file-outcome > .ok', { hasText: '已受理' }).or(phone.locator('#file-outcome > .refusal'));
    await ok.waitFor({ timeout: 10000 });
    const text = await ok.textContent();
    patrolCase = (text.match(/案件 (\d+)/) || [])[1];
    if (!patrolCase || !/第1网格/.test(text)) throw new Error(text);
  });
  const pcard = () => phone.locator('#patrol-queue article.dispatch', { hasText: `案件 ${patrolCase}` });
  await check("... and it comes to the grid team's queue, live, with its countdown", async () => {
    await pcard().waitFor({ timeout: 15000 });
    return /剩余|已超时/.test(await pcard().locator('.deadlines').textContent());
  });
  await pcard().locator('button[data-action="sign"]').tap();
  await check('the grid worker signs it with a tap', async () => {
    await phone.locator('#patrol-queue article.dispatch[data-state="signed"]', { hasText: `案件 ${patrolCase}` }).waitFor({ timeout: 10000 });
  });
  await phone.evaluate(() => window.scrollTo(0, 0));
  await shot('grid-worker', phone);
  // 小事不出网格、大事不出社区: beyond the grid, the worker passes it up (上报) to the community.
  const pid = await phone.locator('#patrol-queue article.dispatch', { hasText: `案件 ${patrolCase}` }).getAttribute('data-id');
  await phone.locator(`#passup-${pid}`).selectOption('beyond');
  await phone.locator(`article.dispatch[data-id="${pid}"] button[data-action="pass-up"]`).tap();
  await check('the grid worker passes it up to the community (上报) with a tap: the dispatch ends 已上报', async () => {
    await phone.locator(`#patrol-queue article.dispatch[data-id="${pid}"][data-state="passed_up"]`, { hasText: '已上报' }).waitFor({ timeout: 10000 });
    return (await centre('GET', `/api/v1/dispatches?case_id=${patrolCase}`)).items.some(d => d.unit === 'cm.s1.c1' && d.state === 'sent');
  });
  for (const p of ['queue', 'matters', 'lists']) {
    await phone.tap(`a[href="#/${p}"]`);
    await phone.locator('h2', { hasText: { queue: '派单队列', matters: '社区议事', lists: '清单与服务' }[p] }).waitFor({ timeout: 10000 });
    await phone.waitForTimeout(300);
    await noScroll(`the grid worker's ${p} page`, phone);
    await targets(`the grid worker's ${p} page`);
  }
  await phone.context().close();
  await clerkPg.context().close();

  if (networkChanged) console.log(`# the host's network changed under the run ${networkChanged} times (net::ERR_NETWORK_CHANGED)`);
  await check('no request left 127.0.0.1', async () => { if (outside.length) throw new Error(outside.join(' ')); });
  await check('no console error (CSP violations included)', async () => { if (errors.length) throw new Error(errors.join(' | ')); });
} catch (e) {
  fail('the run finished', (e.stack || e) + ' -- console errors: ' + errors.join(' | '));
} finally {
  await browser.close();
}
process.exit(failures ? 1 : 0);
