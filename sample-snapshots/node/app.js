// A small service module: it caches every session in a module-level Map that is never evicted,
// and it keeps report objects in a global array. Used to make the Node sample snapshot.
const sessionCache = new Map();

class SessionPayload {
  constructor(id) {
    this.id = id;
    this.user = { name: 'user' + id, email: 'user' + id + '@example.test' };
    this.token = 'tok-' + id.toString(16).padStart(8, '0');
  }
}

class Report {
  constructor(i) {
    this.index = i;
    this.createdAt = 1700000000000 + i;
  }
}

function handleRequest(i) {
  // The leak: nothing ever deletes from the cache.
  sessionCache.set('session-' + i, new SessionPayload(i));
}

module.exports = { handleRequest, Report };
