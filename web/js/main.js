// main: the shell. It asks the gateway who is logged in (GET /api/v1/me),
// shows the login page when nobody is, and otherwise the pages this person's
// roles use, one at a time, by the address's #fragment: #/page, or
// #/page/arg for an address that names one thing on the page (#/queue/42:
// dispatch 42, which the page asks the service for, so another unit's is
// NOT_FOUND like any other way of asking). Each page is a module exporting
// render(view, ctx) that returns a function to call when the page is left
// (to stop its timers and live subscriptions).
import { api, setCsrf, setUnit } from './api.js';
import { t, translate, setLang, getLang } from './i18n.js';
import { h } from './dom.js';
import { startLive, stopLive, onState } from './live.js';
import * as login from './pages/login.js';
import * as queue from './pages/queue.js';
import * as resident from './pages/resident.js';
import * as whistles from './pages/whistles.js';
import * as centre from './pages/centre.js';
import * as matters from './pages/matters.js';
import * as lists from './pages/lists.js';
import * as patrol from './pages/patrol.js';

const PAGES = { queue, resident, whistles, centre, matters, lists, patrol };

// Which pages a person's units open, first one the start page.
export function pagesFor(me) {
  const kinds = new Set((me.units || []).map(u => u.kind));
  const out = [];
  const community = kinds.has('party_committee') || kinds.has('community') || kinds.has('supervision');
  // A grid worker's day is on a phone: the patrol page (the team's queue and
  // filing from where they stand) comes first.
  if (kinds.has('grid_team')) out.push('patrol');
  if (community) out.push('matters', 'lists');
  if (kinds.has('street_office')) out.push('whistles');
  if (kinds.has('dispatch_centre') || kinds.has('leadership')) out.push('centre');
  if (kinds.size > 0) out.push('queue');
  if (me.resident) out.push('resident');
  if (!community && (me.resident || kinds.has('grid_team') || kinds.size === 0)) out.push('matters', 'lists');
  return out.length ? out : ['resident', 'matters', 'lists'];
}

let me = null;
let leave = () => {};

function nav(pages, current) {
  const list = document.getElementById('nav-list');
  list.replaceChildren(...pages.map(p => h('li', {},
    h('a', { href: '#/' + p, 'aria-current': p === current ? 'page' : null }, t('page.' + p)))));
  document.getElementById('nav').hidden = false;
}

function show() {
  leave();
  leave = () => {};
  const view = document.getElementById('view');
  view.replaceChildren();
  document.getElementById('status').replaceChildren();
  if (!me) {
    document.getElementById('who').hidden = true;
    document.getElementById('nav').hidden = true;
    login.render(view, { done: boot });
    return;
  }
  const pages = pagesFor(me);
  const [want, ...rest] = location.hash.replace(/^#\//, '').split('/');
  const page = pages.includes(want) ? want : pages[0];
  nav(pages, page);
  document.title = t('page.' + page) + ' · ' + t('title');
  let arg = '';
  try { arg = page === want ? decodeURIComponent(rest.join('/')) : ''; } catch { /* a malformed address names nothing */ }
  leave = PAGES[page].render(view, { me, arg }) || (() => {});
}

function who() {
  const w = document.getElementById('who');
  document.getElementById('who-name').textContent = me.name + ' (' + me.person + ')';
  const sel = document.getElementById('unit-select');
  sel.replaceChildren(...(me.units.length ? me.units : [{ code: '', kind: 'resident', role: '' }])
    .map(u => h('option', { value: u.code }, u.code ? t('kind.' + u.kind) + ' · ' + u.code : t('kind.resident'))));
  // One unit: nothing to choose. Several: the choice goes with every request
  // (X-Gov-Unit); the live feed shows what any of them may see.
  sel.disabled = me.units.length < 2;
  setUnit(me.units.length > 1 ? sel.value : null);
  sel.onchange = () => { setUnit(sel.value); show(); };
  w.hidden = false;
}

async function boot() {
  try {
    me = await api('GET', '/api/v1/me');
    setCsrf(me.csrf_token);
    who();
    startLive();
  } catch (e) {
    me = null;
    stopLive();
  }
  show();
}

function relabel() {
  const b = document.getElementById('lang');
  const zh = getLang() === 'zh';
  b.textContent = zh ? 'English' : '中文';
  b.setAttribute('lang', zh ? 'en' : 'zh-CN');
  b.setAttribute('aria-label', zh ? 'Switch to English' : '切换到中文');
  translate();
  document.getElementById('nav').setAttribute('aria-label', t('nav'));
}

document.getElementById('lang').addEventListener('click', () => {
  setLang(getLang() === 'zh' ? 'en' : 'zh');
  relabel();
  if (me) who();
  show();
});
document.getElementById('logout').addEventListener('click', async () => {
  try { await api('DELETE', '/api/v1/session'); } catch { /* the session may be gone already */ }
  me = null;
  stopLive();
  location.hash = '';
  show();
});
// The skip link moves the focus to the page's content; it must not change
// the address (#view is no page: the shell would draw the start page).
document.querySelector('a.skip').addEventListener('click', e => {
  e.preventDefault();
  document.getElementById('view').focus();
});
onState(s => { document.getElementById('live-state').textContent = t('live.' + s); });
window.addEventListener('hashchange', show);
setLang(getLang());
relabel();
boot();
