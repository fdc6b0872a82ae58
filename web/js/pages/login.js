// The login page: POST /api/v1/session {person, password}.
import { api, setCsrf } from '../api.js';
import { t } from '../i18n.js';
import { h, refusalBox, say } from '../dom.js';

export function render(view, ctx) {
  const out = h('div', {});
  const person = h('input', { id: 'login-person', name: 'person', autocomplete: 'username', required: true });
  const password = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const form = h('form', { class: 'card login', 'aria-labelledby': 'login-title' },
    h('h2', { id: 'login-title' }, t('login.title')),
    h('div', { class: 'field' }, h('label', { for: 'login-person' }, t('login.person')), person),
    h('div', { class: 'field' }, h('label', { for: 'login-password' }, t('login.password')), password),
    h('button', { type: 'submit' }, t('login.submit')), out);
  form.addEventListener('submit', async e => {
    e.preventDefault();
    try {
      const me = await api('POST', '/api/v1/session', { person: person.value.trim(), password: password.value });
      setCsrf(me.csrf_token);
      ctx.done();
    } catch (err) {
      say(out, refusalBox(err));
    }
  });
  view.append(form);
  person.focus();
}
