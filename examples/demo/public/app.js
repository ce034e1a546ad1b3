/* global document, location, history, SockJS -- a browser script; SockJS comes from /lib/sockjs.min.js */
// The demo page: one SockJS connection to /chat, a chat room with presence,
// the transport in use, a transport picker and the measured round trip.
// Plain browser JavaScript, no build step.
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var params = new URLSearchParams(location.search);
  var forced = params.get('transport') || '';
  var name = params.get('name') || localStorage.getItem('sockjs-demo-name') || '';
  var sock = null;
  var me = null;
  var pings = {};
  var nextPing = 1;

  $('transport-select').value = forced;
  $('name').value = name;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function send(message) {
    if (sock && sock.readyState === SockJS.OPEN) sock.send(JSON.stringify(message));
  }

  function addLine(node) {
    var list = $('messages');
    var atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 4;
    list.appendChild(node);
    if (atBottom) list.scrollTop = list.scrollHeight;
  }

  function notice(text) {
    addLine(el('li', 'notice', text));
  }

  function showSaid(said) {
    var li = el('li', me && said.from.id === me.id ? 'msg mine' : 'msg');
    li.appendChild(el('span', 'time', new Date(said.at).toLocaleTimeString()));
    li.appendChild(el('span', 'from', said.from.name));
    li.appendChild(el('span', 'text', said.text));
    addLine(li);
  }

  function showUsers(users) {
    var list = $('users');
    list.textContent = '';
    users.forEach(function (user) {
      var li = el('li', me && user.id === me.id ? 'me' : '', user.name);
      li.appendChild(el('span', 'via', user.transport));
      list.appendChild(li);
    });
    $('count').textContent = '(' + users.length + ')';
  }

  function ping() {
    var id = nextPing++;
    pings[id] = performance.now();
    send({ type: 'ping', id: id });
  }

  function onMessage(e) {
    var message = JSON.parse(e.data);
    switch (message.type) {
      case 'welcome':
        me = message.you;
        $('name').value = me.name;
        message.history.forEach(showSaid);
        showUsers(message.users);
        break;
      case 'presence':
        showUsers(message.users);
        break;
      case 'said':
        showSaid(message);
        break;
      case 'pong':
        if (pings[message.id] !== undefined) {
          $('latency').textContent = (performance.now() - pings[message.id]).toFixed(1) + ' ms';
          delete pings[message.id];
        }
        break;
      case 'error':
        notice('server: ' + message.message);
        break;
    }
  }

  function connect() {
    // Every transport the client offers can be forced; `timeout` gives each
    // attempt time to load the iframe transports on a slow machine.
    var options = forced ? { transports: [forced], timeout: 10000 } : {};
    var current = new SockJS(location.origin + '/chat', null, options);
    var pingTimer = null;
    sock = current;
    me = null;
    $('status').textContent = 'connecting…';
    $('transport').textContent = forced ? forced + ' (forced)…' : '–';
    $('latency').textContent = '–';
    current.onopen = function () {
      $('status').textContent = 'connected';
      $('transport').textContent = current.transport + (forced ? ' (forced)' : '');
      send({ type: 'join', name: $('name').value, transport: current.transport });
      ping();
      pingTimer = setInterval(ping, 2000);
    };
    current.onmessage = onMessage;
    current.onclose = function (e) {
      clearInterval(pingTimer);
      pings = {};
      if (sock !== current) return;
      $('status').textContent = 'closed: ' + e.code + ' ' + e.reason;
      $('transport').textContent = '–';
      notice('disconnected (' + e.code + ' ' + e.reason + ')' + (forced ? ': is ' + forced + ' available in this browser?' : ''));
    };
  }

  function reconnect() {
    var old = sock;
    sock = null;
    if (old) old.close();
    connect();
  }

  $('transport-select').onchange = function () {
    forced = this.value;
    // Kept in the address so a reload (or a shared link) uses the same transport.
    if (forced) params.set('transport', forced); else params.delete('transport');
    history.replaceState(null, '', '?' + params.toString());
    $('messages').textContent = '';
    reconnect();
  };

  $('say').onsubmit = function (e) {
    e.preventDefault();
    var text = $('text').value;
    if (text.trim()) send({ type: 'say', text: text });
    $('text').value = '';
  };

  $('rename').onsubmit = function (e) {
    e.preventDefault();
    localStorage.setItem('sockjs-demo-name', $('name').value);
    send({ type: 'join', name: $('name').value, transport: sock && sock.transport });
  };
  $('name').onchange = $('rename').onsubmit;

  connect();
  $('text').focus();
})();
