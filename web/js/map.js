// map: a Leaflet map with no tile layer (no tile server is reachable from a
// deployment): it draws the district's own polygons from GET /api/v1/areas
// — district, streets, communities, grids, thinner and lighter the deeper —
// and fits itself to them. Leaflet is Debian's libjs-leaflet (window.L).
import { api } from './api.js';

const STYLE = {
  district: { color: '#073763', weight: 3, fillOpacity: 0.02 },
  street: { color: '#0b5394', weight: 2, fillOpacity: 0.03 },
  community: { color: '#3d85c6', weight: 1.5, fillOpacity: 0.04 },
  grid: { color: '#6fa8dc', weight: 1, fillOpacity: 0.05, dashArray: '3' },
};

// Makes a map in `el` (which has a size); resolves to {map, areas} once the
// polygons are drawn. `label` names the map for screen readers.
export async function areaMap(el, label) {
  el.setAttribute('role', 'application');
  el.setAttribute('aria-label', label);
  const map = L.map(el, { attributionControl: false, zoomSnap: 0.25 });
  const geo = await api('GET', '/api/v1/areas');
  const layer = L.geoJSON(geo, {
    style: f => ({ ...(STYLE[f.properties.level] || STYLE.grid),
      className: 'area area-' + f.properties.level + ' area-' + f.properties.code.replace(/[^A-Za-z0-9_-]/g, '-') }),
    onEachFeature: (f, l) => l.bindTooltip(f.properties.name, { sticky: true }),
    interactive: true,
  }).addTo(map);
  const bounds = layer.getBounds();
  if (bounds.isValid()) map.fitBounds(bounds); else map.setView([39.9, 116.3], 13);
  return { map, areas: geo };
}
