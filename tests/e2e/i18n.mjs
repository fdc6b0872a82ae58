// The console's message tables cover every string it shows: each key the
// code names — t('key'), an action's key and its fields' labels (f.NAME),
// the options of a select with their prefix, a list mapped through
// t('prefix.' + x), data-t in index.html — is in both web/js/i18n/zh.js and
// en.js, and the two tables have the same keys — but for a refusal's
// err.CODE and hint.CODE, which only the Chinese table must have (in English
// the console shows the service's own message and hint). Run from the repository's
// root (tests/cli/test_console.sh): prints what is missing, exits 1 if any.
import { readFileSync, readdirSync } from 'node:fs';

const load = async f => (await import('data:text/javascript,' + encodeURIComponent(readFileSync(f, 'utf8')))).default;
const zh = await load('web/js/i18n/zh.js'), en = await load('web/js/i18n/en.js');
const files = [...readdirSync('web/js').filter(f => f.endsWith('.js')).map(f => 'web/js/' + f),
  ...readdirSync('web/js/pages').map(f => 'web/js/pages/' + f)];
const need = new Map(); // key → where
const want = (key, where) => { if (!need.has(key)) need.set(key, where); };
const list = s => [...s.matchAll(/'([^']*)'/g)].map(m => m[1]);

for (const f of files) {
  const src = readFileSync(f, 'utf8');
  const consts = new Map([...src.matchAll(/const (\w+) = \[([^\]]*)\]/g)].map(m => [m[1], list(m[2])]));
  for (const m of src.matchAll(/\bt\('([^'{}]+)'[,)]/g)) want(m[1], f);
  for (const m of src.matchAll(/\b(?:key|label|title): '([\w.]+)'/g)) want(m[1], f);
  // an action's field without a label of its own is labelled f.NAME
  for (const m of src.matchAll(/\{ name: '(\w+)'([^}]*)\}/g)) if (!/label:/.test(m[2])) want('f.' + m[1], f);
  for (const m of src.matchAll(/options: (\[[^\]]*\]|\w+), prefix: '([\w.]+)'/g))
    for (const o of m[1].startsWith('[') ? list(m[1]) : consts.get(m[1]) || []) want(m[2] + o, f);
  // ['a', 'b'].map(x => … t('prefix.' + x) …)
  for (const m of src.matchAll(/\[([^\][]*)\]\.map\(\(?(\w+)\)? => [^;]*?t\('([\w.]+\.)' \+ \2\)/g))
    for (const o of list(m[1])) want(m[3] + o, f);
  // the pages of the shell: page.NAME
  for (const m of src.matchAll(/const PAGES = \{([^}]*)\}/g))
    for (const p of m[1].split(',').map(x => x.trim()).filter(Boolean)) want('page.' + p, f);
}
for (const m of readFileSync('web/index.html', 'utf8').matchAll(/data-t="([^"]+)"/g)) want(m[1], 'web/index.html');

const problems = [];
for (const [key, where] of need) {
  if (!(key in zh)) problems.push(`zh.js lacks ${key} (${where})`);
  if (!(key in en)) problems.push(`en.js lacks ${key} (${where})`);
}
const refusal = k => /^(err|hint)\./.test(k);
for (const k of Object.keys(zh)) if (!(k in en) && !refusal(k)) problems.push(`en.js lacks ${k} (in zh.js)`);
for (const k of Object.keys(en)) if (!(k in zh)) problems.push(`zh.js lacks ${k} (in en.js)`);
for (const [lang, tab] of [['zh', zh], ['en', en]])
  for (const [k, v] of Object.entries(tab)) if (typeof v !== 'string' || (!v.trim() && !refusal(k))) problems.push(`${lang}.js: ${k} is empty`);
console.log(`# ${need.size} keys named by the console, ${Object.keys(zh).length} in zh.js, ${Object.keys(en).length} in en.js`);
for (const p of problems) console.log(p);
process.exit(problems.length ? 1 : 0);
