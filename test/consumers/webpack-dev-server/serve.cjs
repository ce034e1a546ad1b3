// Starts webpack-dev-server 4 exactly as an application would, with its
// SockJS server (`webSocketServer: 'sockjs'`, so `require('sockjs')`) and its
// default host and origin checks, on the app in the directory given as the
// first argument. Prints its URL once it listens; stops on SIGTERM.
'use strict';
const path = require('node:path');
const webpack = require('webpack');
const WebpackDevServer = require('webpack-dev-server');

const dir = path.resolve(process.argv[2]);
const compiler = webpack({
  mode: 'development',
  context: dir,
  entry: './src/index.js',
  output: { path: path.join(dir, 'dist'), publicPath: '/' },
  devtool: false,
  infrastructureLogging: { level: 'warn' },
  stats: 'errors-only',
});
const server = new WebpackDevServer(
  {
    host: '127.0.0.1',
    port: 0,
    hot: true,
    liveReload: false,
    webSocketServer: 'sockjs',
    client: { webSocketTransport: 'sockjs', overlay: false, logging: 'info' },
    static: { directory: path.join(dir, 'public'), watch: false },
  },
  compiler,
);
server.start().then(() => {
  process.stdout.write(`http://127.0.0.1:${server.server.address().port}\n`);
});
process.on('SIGTERM', () => server.stop().then(() => process.exit(0)));
