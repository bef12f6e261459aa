// A small Express service whose leak sits in a dependency from npm: express-session's default
// MemoryStore keeps one session per request that sends no cookie (health checkers, crawlers and
// CI do exactly that) and never expires them while the process lives. For heapsift's live test:
//
//   PORT=0 node tests/live/npm-session/server.js      prints "listening on PORT" once ready
'use strict';
const express = require('express');
const session = require('express-session');

const app = express();
app.use(
  session({
    secret: 'heapsift test',
    resave: false,
    saveUninitialized: true,
  }),
);
app.get('/action', (req, res) => {
  req.session.visits = (req.session.visits || 0) + 1;
  res.type('text/plain').send('ok\n');
});

const server = app.listen(Number(process.env.PORT || 3000), '127.0.0.1', () => {
  console.log('listening on ' + server.address().port);
});
server.keepAliveTimeout = 0;
process.on('SIGTERM', () => process.exit(0));
