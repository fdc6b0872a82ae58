// casefile: the form that files a case (POST /api/v1/cases), shared by the
// resident's page and the grid worker's patrol page. The place is a point on
// the district's map — a click or a tap puts it; with `here`, a button asks
// the device where it stands (navigator.geolocation) and puts the point
// there, to be moved by a tap if the fix is off — or an address typed (the
// keyboard's way). The categories are the deployment's own, from the Open311
// service list (GET /open311/v2/services.json). The services decide whether
// the place is inside the filer's area (OUTSIDE_AREA otherwise, shown).
import { api } from './api.js';
import { t } from './i18n.js';
import { h, refusalBox, okBox, say } from './dom.js';
import { areaMap } from './map.js';

// spec: {channel ('app' | 'grid_patrol'), here (offer "use my position"),
// title (the form's heading key), filed(reply) after a case is filed}.
// Returns {el, start, stop}: append el, then start() (Leaflet needs the map
// in the page to size it), stop() when the page is left.
export function caseForm(spec) {
  const out = h('div', { id: 'file-outcome' });
  const mapEl = h('div', { id: 'case-map', class: 'map' });
  const category = h('select', { id: 'case-category', name: 'category', required: true });
  const description = h('textarea', { id: 'case-description', name: 'description', rows: 3, required: true });
  const address = h('input', { id: 'case-address', name: 'address' });
  const point = h('output', { id: 'case-point', for: 'case-map' }, t('r.nopoint'));
  let picked = null, marker = null, map = null;

  const put = latlng => {
    picked = latlng;
    if (marker) marker.setLatLng(picked); else if (map) marker = L.circleMarker(picked, { radius: 10, color: '#8b0000' }).addTo(map);
    point.textContent = picked.lat.toFixed(5) + ', ' + picked.lng.toFixed(5);
  };
  const here = spec.here ? h('button', { type: 'button', id: 'case-here', class: 'big secondary', onclick: () => {
    if (!navigator.geolocation) { say(out, refusalBox({ code: 'NO_POSITION', message: 'no geolocation in this browser' })); return; }
    say(out, okBox(t('p.locating')));
    navigator.geolocation.getCurrentPosition(pos => {
      const ll = L.latLng(pos.coords.latitude, pos.coords.longitude);
      put(ll);
      if (map) map.setView(ll, Math.max(map.getZoom(), 16));
      say(out, okBox(t('p.located', { m: Math.round(pos.coords.accuracy || 0) })));
    }, err => say(out, refusalBox({ code: 'NO_POSITION', message: err.message })), { enableHighAccuracy: true, timeout: 10000 });
  } }, t('p.here')) : null;

  const form = h('form', { class: 'card casefile', 'aria-labelledby': 'file-title' },
    h('h3', { id: 'file-title' }, t(spec.title || 'r.file')),
    h('p', { class: 'meta' }, t(spec.here ? 'p.howto' : 'r.howto')),
    here, mapEl,
    h('div', { class: 'meta' }, t('r.point'), point),
    h('div', { class: 'field' }, h('label', { for: 'case-category' }, t('r.category')), category),
    h('div', { class: 'field' }, h('label', { for: 'case-description' }, t('r.description')), description),
    h('div', { class: 'field' }, h('label', { for: 'case-address' }, t('r.address')), address),
    h('button', { type: 'submit', class: 'big' }, t('r.submit')), out);

  form.addEventListener('submit', async e => {
    e.preventDefault();
    const location = {};
    if (picked) location.point = { lat: picked.lat, lon: picked.lng };
    if (address.value.trim()) location.address = address.value.trim();
    try {
      const r = await api('POST', '/api/v1/cases', {
        channel: spec.channel || 'app', category: category.value, description: description.value, location,
      });
      say(out, okBox(t('r.filed', { id: r.case_id, area: (r.area_path || []).map(a => a.name).join(' / ') })));
      description.value = '';
      if (spec.filed) spec.filed(r);
    } catch (err) {
      say(out, refusalBox(err));
    }
  });

  const start = async () => {
    try {
      const services = await api('GET', '/open311/v2/services.json');
      category.replaceChildren(...services.map(s => h('option', { value: s.service_code }, s.service_name)));
    } catch (err) {
      say(out, refusalBox(err));
    }
    try {
      ({ map } = await areaMap(mapEl, t('r.map')));
      map.on('click', ev => put(ev.latlng));
      if (picked) put(picked);
      mapEl.dataset.ready = '1';
    } catch (err) {
      say(out, refusalBox(err));
    }
  };
  return { el: form, start, stop: () => { if (map) map.remove(); } };
}
