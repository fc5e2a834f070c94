// Progressive enhancement of the report form: where Leaflet is available, a map of the jurisdiction's areas lets
// the reporter click the spot, which fills in the latitude and longitude fields (they stay visible and editable,
// so the form works the same by keyboard or without JavaScript). Nothing is loaded from other origins.
(function () {
  'use strict';
  if (!window.L) { return; }
  var box = document.querySelector('[data-pick-geojson]');
  var lat = document.getElementById('lat');
  var lon = document.getElementById('lon');
  if (!box || !lat || !lon) { return; }
  fetch(box.getAttribute('data-pick-geojson'), { credentials: 'same-origin' })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (fc) {
      if (!fc || !fc.features || fc.features.length === 0) { return; }
      box.hidden = false;
      var el = document.createElement('div');
      el.className = 'cb-leaflet';
      el.setAttribute('role', 'region');
      el.setAttribute('aria-label', box.getAttribute('data-pick-label') || 'Map');
      box.appendChild(el);
      var map = L.map(el, { scrollWheelZoom: false });
      var layer = L.geoJSON(fc, { style: function () { return { color: '#71767a', weight: 1, fillOpacity: 0 }; } }).addTo(map);
      map.fitBounds(layer.getBounds(), { padding: [8, 8] });
      var marker = null;
      function place(latlng) {
        if (marker) { marker.setLatLng(latlng); } else {
          marker = L.circleMarker(latlng, { radius: 8, color: '#162e51', weight: 2, fillColor: '#b50909', fillOpacity: 0.9 }).addTo(map);
        }
      }
      var a = parseFloat(lat.value), b = parseFloat(lon.value);
      if (!isNaN(a) && !isNaN(b)) { place([a, b]); }
      map.on('click', function (e) {
        lat.value = e.latlng.lat.toFixed(6);
        lon.value = e.latlng.lng.toFixed(6);
        place(e.latlng);
      });
    })
    .catch(function () { /* the fields stay */ });
})();
