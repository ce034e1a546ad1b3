// The echo example of sockjs-node 0.3 (examples/echo/server.js). The SockJS
// lines are the original ones; only the `require('sockjs')` changed. Around
// them, three deliberate edits, none of them about the SockJS API:
// - `sockjs_url` points at the client bundle served here, not at a CDN, so
//   the iframe transports work with no internet;
// - node-static (unmaintained) is replaced by the few lines of `fs` below;
// - PORT and HOST come from the environment (the smoke test uses PORT=0), and
//   the URL is printed once the server really listens.
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: it is the sockjs-node original */
var http = require('http');
var fs = require('fs');
var path = require('path');
var sockjs = require('@sockjs-server/core');

// 1. Echo sockjs server
var sockjs_opts = {sockjs_url: '/sockjs.min.js'};

var sockjs_echo = sockjs.createServer(sockjs_opts);
sockjs_echo.on('connection', function(conn) {
    conn.on('data', function(message) {
        conn.write(message);
    });
});

// 2. Static files server
var static_files = {
    '/': [path.join(__dirname, 'index.html'), 'text/html; charset=UTF-8'],
    '/sockjs.min.js': [require.resolve('sockjs-client/dist/sockjs.min.js'), 'application/javascript; charset=UTF-8']
};
function serve_static(req, res) {
    var file = static_files[req.url.split('?')[0]];
    if (!file) {
        res.writeHead(404, {'Content-Type': 'text/plain'});
        return res.end('Not found\n');
    }
    res.writeHead(200, {'Content-Type': file[1]});
    fs.createReadStream(file[0]).pipe(res);
}

// 3. Usual http stuff
var server = http.createServer();
server.addListener('request', function(req, res) {
    serve_static(req, res);
});
server.addListener('upgrade', function(req,res){
    res.end();
});

sockjs_echo.installHandlers(server, {prefix:'/echo'});

var port = process.env.PORT || 9999;
var host = process.env.HOST || '127.0.0.1';
server.listen(port, host, function() {
    console.log(' [*] Listening on http://' + host + ':' + server.address().port + '/');
});
