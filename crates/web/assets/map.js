// Progressive enhancement of the server-rendered SVG area maps: where Leaflet is available, the SVG is replaced
// by an interactive map of the same outlines (pan, zoom, keyboard). Tiles are drawn only when the deployment
// configures a tile URL (data-tiles); otherwise the outlines sit on a plain background and nothing is fetched
// from elsewhere. The table next to every map stays the accessible source of the same information.
(function () {
  'use strict';
  if (!window.L) { return; }
  document.querySelectorAll('[data-map-geojson]').forEach(function (box) {
    var url = box.getAttribute('data-map-geojson');
    fetch(url, { credentials: 'same-origin' }).then(function (r) { return r.ok ? r.json() : null; }).then(function (fc) {
      if (!fc || !fc.features || fc.features.length === 0) { return; }
      var el = document.createElement('div');
      el.className = 'cb-leaflet';
      el.setAttribute('role', 'region');
      el.setAttribute('aria-label', box.getAttribute('data-map-label') || 'Map');
      box.parentNode.insertBefore(el, box);
      box.hidden = true;
      var map = L.map(el, { scrollWheelZoom: false, attributionControl: true });
      var tiles = box.getAttribute('data-tiles');
      if (tiles) {
        L.tileLayer(tiles, { maxZoom: 19, attribution: box.getAttribute('data-tiles-attribution') || '' }).addTo(map);
      }
      var layer = L.geoJSON(fc, {
        style: function (f) {
          if (f.properties && typeof f.properties['class'] === 'number') {
            var fills = { '3': '#b50909', '2': '#e52207', '1': '#f2938c', '0': '#f0f0f0', '-1': '#97d4ea', '-2': '#28a0cb', '-3': '#005ea2' };
            return { color: '#565c65', weight: 0.5, fillColor: fills[String(f.properties['class'])] || '#f0f0f0', fillOpacity: 0.7 };
          }
          return f.properties && f.properties.focus
            ? { color: '#162e51', weight: 2, fillColor: '#73b3e7', fillOpacity: 0.6 }
            : { color: '#71767a', weight: 1, fillOpacity: 0 };
        },
        onEachFeature: function (f, l) {
          if (f.properties && f.properties.name) { l.bindTooltip(f.properties.name); }
          if (f.properties && typeof f.properties['class'] === 'number' && f.properties.count !== null) {
            l.bindTooltip(String(f.properties.count));
          }
        }
      }).addTo(map);
      map.fitBounds(layer.getBounds(), { padding: [8, 8] });
    }).catch(function () { /* the SVG stays */ });
  });
})();

// Point picker, shared by the new-problem form and the report form ([data-pick-point] = URL of the outlines;
// data-lat/data-lon name the fields, `lat`/`lon` by default): the latitude and longitude fields stay the
// accessible way to give a place; where Leaflet is available, a map of the area outlines lets a mouse or touch
// user click the spot instead. A box rendered `hidden` (its hint only makes sense with the map) is shown once the
// map loads. The marker follows the fields when they are typed in, and clicking fills them in.
(function () {
  'use strict';
  if (!window.L) { return; }
  document.querySelectorAll('[data-pick-point]').forEach(function (box) {
    var lat = document.getElementById(box.getAttribute('data-lat') || 'lat');
    var lon = document.getElementById(box.getAttribute('data-lon') || 'lon');
    if (!lat || !lon) { return; }
    fetch(box.getAttribute('data-pick-point'), { credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (fc) {
        if (!fc || !fc.features || fc.features.length === 0) { return; }
        var el = document.createElement('div');
        box.hidden = false;
        el.className = 'cb-leaflet cb-picker';
        el.setAttribute('role', 'region');
        el.setAttribute('aria-label', box.getAttribute('data-map-label') || 'Map');
        box.appendChild(el);
        var map = L.map(el, { scrollWheelZoom: false });
        var tiles = box.getAttribute('data-tiles');
        if (tiles) { L.tileLayer(tiles, { maxZoom: 19 }).addTo(map); }
        // Outlines do not take clicks, so a click anywhere reaches the map once.
        var layer = L.geoJSON(fc, {
          interactive: false,
          style: function (f) {
            return f.properties && f.properties.focus
              ? { color: '#162e51', weight: 2, fillColor: '#73b3e7', fillOpacity: 0.3 }
              : { color: '#71767a', weight: 1, fillOpacity: 0 };
          }
        }).addTo(map);
        map.fitBounds(layer.getBounds(), { padding: [8, 8] });
        var marker = null;
        function place(ll) {
          if (marker) { marker.setLatLng(ll); } else { marker = L.circleMarker(ll, { radius: 8, color: '#b50909', fillOpacity: 0.8 }).addTo(map); }
        }
        function fromFields() {
          var a = parseFloat(lat.value), b = parseFloat(lon.value);
          if (isFinite(a) && isFinite(b)) { place([a, b]); }
        }
        fromFields();
        lat.addEventListener('change', fromFields);
        lon.addEventListener('change', fromFields);
        function pick(e) {
          lat.value = e.latlng.lat.toFixed(6);
          lon.value = e.latlng.lng.toFixed(6);
          place(e.latlng);
        }
        map.on('click', pick);
      })
      .catch(function () { /* the fields remain */ });
  });
})();
