/* global document -- a browser script */
// The live panel: what the server itself counts (its stats()), fetched once
// a second from /stats.json: open sessions by transport and messages per
// second across every tab connected to this server.
(function () {
  'use strict';
  var panel = document.getElementById('live');
  var rows = {};

  function row(transport) {
    if (rows[transport]) return rows[transport];
    var dt = document.createElement('dt');
    dt.textContent = transport;
    var dd = document.createElement('dd');
    dd.setAttribute('data-transport', transport);
    panel.querySelector('.transports').append(dt, dd);
    rows[transport] = dd;
    return dd;
  }

  function show(stats) {
    Object.keys(stats.byTransport).forEach(function (transport) {
      var dd = row(transport);
      var n = stats.byTransport[transport];
      dd.textContent = String(n);
      dd.className = n > 0 ? 'busy' : '';
    });
    document.getElementById('live-open').textContent = String(stats.open);
    document.getElementById('live-rate').textContent = stats.messagesPerSecond.toFixed(1);
    document.getElementById('live-total').textContent = String(stats.messages.in + stats.messages.out);
  }

  function refresh() {
    fetch('/stats.json', { cache: 'no-store' })
      .then(function (res) { return res.json(); })
      .then(show, function () { document.getElementById('live-open').textContent = '?'; });
  }

  refresh();
  setInterval(refresh, 1000);
})();
