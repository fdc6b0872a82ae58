// i18n: one message catalogue per language (i18n/zh.js, i18n/en.js), Chinese
// by default; the choice is kept in localStorage. t(key, vars) looks a key up
// in the current language, then in Chinese, then shows the key itself.
import zh from './i18n/zh.js';
import en from './i18n/en.js';

const catalogues = { zh, en };
let lang = localStorage.getItem('gov.lang') === 'en' ? 'en' : 'zh';

export function getLang() { return lang; }

export function setLang(l) {
  lang = l === 'en' ? 'en' : 'zh';
  localStorage.setItem('gov.lang', lang);
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
}

export function has(key) { return key in catalogues[lang]; }

export function t(key, vars) {
  let s = catalogues[lang][key] ?? catalogues.zh[key] ?? key;
  if (vars) for (const k of Object.keys(vars)) s = s.split('{' + k + '}').join(String(vars[k]));
  return s;
}

// Fills every element with data-t="key" under root with its text.
export function translate(root = document) {
  for (const el of root.querySelectorAll('[data-t]')) el.textContent = t(el.dataset.t);
}
