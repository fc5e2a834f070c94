// A problem's location drawn on the map. The form's textarea of "lat,lon" lines is the real field and stays the
// keyboard way to give the outline; where Leaflet is available, a map of the area outlines lets a mouse or touch
// user click to add vertices, with Undo and Clear buttons. The drawing follows the textarea as it is edited, and
// clicking appends to it. Read-only maps ([data-show-shape]) draw a stored shape (for the public, only its
// generalised box). Tiles are drawn only when the deployment configures them; nothing else is fetched.
(function () {
  'use strict';
  if (!window.L) { return; }

  function outlines(url) {
    if (!url) { return Promise.resolve(null); }
    return fetch(url, { credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.json() : null; })
      .catch(function () { return null; });
  }

  function baseMap(box, fc) {
    var el = document.createElement('div');
    el.className = 'cb-leaflet';
    el.setAttribute('role', 'region');
    el.setAttribute('aria-label', box.getAttribute('data-map-label') || 'Map');
    box.appendChild(el);
    var map = L.map(el, { scrollWheelZoom: false });
    var tiles = box.getAttribute('data-tiles');
    if (tiles) { L.tileLayer(tiles, { maxZoom: 19 }).addTo(map); }
    // The outlines are returned, not added: layers go on the map once it has a view (fit first, then add).
    var layer = null;
    if (fc && fc.features && fc.features.length) {
      layer = L.geoJSON(fc, {
        interactive: false,
        style: function (f) {
          return f.properties && f.properties.focus
            ? { color: '#162e51', weight: 2, fillColor: '#73b3e7', fillOpacity: 0.15 }
            : { color: '#71767a', weight: 1, fillOpacity: 0 };
        }
      });
    }
    return { map: map, outlines: layer };
  }

  // "lat,lon" lines to [lat, lon] pairs; lines that do not read are skipped (the server names them).
  function parse(text) {
    var out = [];
    text.split(/\r?\n/).forEach(function (line) {
      var parts = line.trim().split(/[\s,;]+/).filter(function (s) { return s.length > 0; });
      if (parts.length !== 2) { return; }
      var a = parseFloat(parts[0]), b = parseFloat(parts[1]);
      if (isFinite(a) && isFinite(b) && Math.abs(a) <= 90 && Math.abs(b) <= 180) { out.push([a, b]); }
    });
    return out;
  }

  document.querySelectorAll('[data-draw-polygon]').forEach(function (box) {
    var field = document.getElementById(box.getAttribute('data-target') || 'vertices');
    if (!field) { return; }
    outlines(box.getAttribute('data-draw-polygon')).then(function (fc) {
      var m = baseMap(box, fc);
      var map = m.map;
      var start = parse(field.value);
      if (start.length >= 2) {
        map.fitBounds(L.latLngBounds(start), { padding: [24, 24], maxZoom: 18 });
      } else if (m.outlines) {
        map.fitBounds(m.outlines.getBounds(), { padding: [8, 8] });
      } else {
        map.setView([0, 0], 2);
      }
      if (m.outlines) { m.outlines.addTo(map); }
      var shape = L.polygon([], { color: '#b50909', weight: 2, fillColor: '#b50909', fillOpacity: 0.25, interactive: false }).addTo(map);
      var dots = L.layerGroup().addTo(map);
      function redraw() {
        var pts = parse(field.value);
        shape.setLatLngs(pts);
        dots.clearLayers();
        pts.forEach(function (p) { L.circleMarker(p, { radius: 4, color: '#b50909', fillOpacity: 1, interactive: false }).addTo(dots); });
      }
      redraw();
      field.addEventListener('input', function () { redraw(); });
      map.on('click', function (e) {
        var line = e.latlng.lat.toFixed(6) + ',' + e.latlng.lng.toFixed(6);
        var text = field.value.replace(/\s+$/, '');
        field.value = text ? text + '\n' + line : line;
        redraw();
      });
      var bar = document.createElement('div');
      bar.className = 'usa-button-group cb-draw-tools';
      function button(label, fn) {
        var b = document.createElement('button');
        b.type = 'button';
        b.className = 'usa-button usa-button--outline';
        b.textContent = label;
        b.addEventListener('click', fn);
        bar.appendChild(b);
      }
      button(box.getAttribute('data-label-undo') || 'Undo', function () {
        var lines = field.value.replace(/\s+$/, '').split(/\r?\n/);
        lines.pop();
        field.value = lines.join('\n');
        redraw();
      });
      button(box.getAttribute('data-label-clear') || 'Clear', function () {
        field.value = '';
        redraw();
      });
      box.appendChild(bar);
    });
  });

  document.querySelectorAll('[data-show-shape]').forEach(function (box) {
    var geojson;
    try { geojson = JSON.parse(box.getAttribute('data-show-shape')); } catch (e) { return; }
    outlines(box.getAttribute('data-areas')).then(function (fc) {
      var m = baseMap(box, fc);
      var layer = L.geoJSON(geojson, {
        interactive: false,
        style: function () { return { color: '#b50909', weight: 2, fillColor: '#b50909', fillOpacity: 0.2 }; }
      });
      m.map.fitBounds(layer.getBounds(), { padding: [24, 24], maxZoom: 17 });
      if (m.outlines) { m.outlines.addTo(m.map); }
      layer.addTo(m.map);
    });
  });
})();
