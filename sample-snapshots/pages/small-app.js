// small-app: a tiny "bookshop" single-page app, evaluated in an about:blank page.
// Everything is deterministic (fixed data, seeded PRNG); nothing is printed.
'use strict';

function mulberry32(seed) {
  return function next() {
    seed |= 0; seed = (seed + 0x6D2B79F5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(20240611);

class Author {
  constructor(id, name, country) {
    this.id = id;
    this.name = name;
    this.country = country;
  }
}

class Book {
  constructor(isbn, title, author, price, tags) {
    this.isbn = isbn;
    this.title = title;
    this.author = author;
    this.price = price;
    this.tags = tags;
  }
}

class Inventory {
  constructor() {
    this.books = new Map();      // isbn -> Book
    this.byAuthor = new Map();   // author id -> Book[]
    this.stock = new Uint32Array(64);
  }
  add(book, count) {
    this.books.set(book.isbn, book);
    let list = this.byAuthor.get(book.author.id);
    if (!list) { list = []; this.byAuthor.set(book.author.id, list); }
    list.push(book);
    this.stock[this.books.size - 1] = count;
  }
}

class ShoppingCart {
  constructor(customer) {
    this.customer = customer;
    this.lines = [];
  }
  add(book, qty) { this.lines.push({ book, qty }); }
  total() { return this.lines.reduce((sum, line) => sum + line.book.price * line.qty, 0); }
}

class EventBus {
  constructor() { this.handlers = new Map(); }
  on(type, handler) {
    if (!this.handlers.has(type)) this.handlers.set(type, []);
    this.handlers.get(type).push(handler);
  }
  emit(type, payload) { for (const h of this.handlers.get(type) || []) h(payload); }
}

const authors = [
  new Author(1, 'Gabriel García Márquez', 'Colombia'),
  new Author(2, 'Фёдор Достоевский', 'Россия'),
  new Author(3, '村上春樹', '日本'),
  new Author(4, 'Chimamanda Ngozi Adichie', 'Nigeria'),
  new Author(5, 'Wisława Szymborska', 'Polska'),
  new Author(6, 'Ursula K. Le Guin', 'USA'),
];

const titles = [
  'Cien años de soledad', 'Преступление и наказание', 'ノルウェイの森', 'Half of a Yellow Sun',
  'Widok z ziarnkiem piasku', 'The Left Hand of Darkness', 'El amor en los tiempos del cólera',
  'Братья Карамазовы', '海辺のカフカ', 'Americanah', 'Koniec i początek', 'A Wizard of Earthsea',
  'Reading list 📚 for the holidays 😀', 'Naïve café résumé',
];

const inventory = new Inventory();
const books = titles.map((title, i) => {
  const author = authors[i % authors.length];
  const book = new Book('978-0-' + String(100000 + i * 7919).padStart(6, '0') + '-' + (i % 10),
    title, author, Math.round((5 + rand() * 40) * 100) / 100, ['fiction', i % 2 ? 'paperback' : 'hardcover']);
  inventory.add(book, 1 + Math.floor(rand() * 20));
  return book;
});

// Plain objects with a repeated shape {id, name, email}.
const firstNames = ['Ada', 'Linus', 'Grace', 'Ken', 'Barbara', 'Dennis', 'Margaret', 'Alan', 'Frances', 'Edsger', 'Zoë', 'Søren'];
const customers = firstNames.map((name, i) => ({ id: 'c-' + (1000 + i), name, email: name.toLowerCase() + '@example.com' }));
// A second repeated shape {street, city, zip}.
const addresses = customers.map((c, i) => ({ street: (10 + i) + ' Main St', city: i % 2 ? 'Springfield' : 'Zürich', zip: String(8000 + i) }));

// Closures: counters capturing their own state, and handlers capturing app objects.
function makeCounter(label) {
  let n = 0;
  return function count() { n += 1; return label + ':' + n; };
}
const pageViews = makeCounter('views');
const checkouts = makeCounter('checkouts');

const bus = new EventBus();
const carts = customers.slice(0, 4).map((customer, i) => {
  const cart = new ShoppingCart(customer);
  cart.add(books[i % books.length], 1);
  cart.add(books[(i + 3) % books.length], 2);
  return cart;
});
const receipts = [];
bus.on('checkout', (cart) => { receipts.push({ customer: cart.customer.email, total: cart.total(), label: checkouts() }); });
bus.on('view', () => pageViews());
for (const cart of carts) bus.emit('checkout', cart);
for (let i = 0; i < 5; i++) bus.emit('view');

// WeakMap with live keys (books) -> per-book statistics.
const bookStats = new WeakMap();
books.forEach((book, i) => { if (i % 2 === 0) bookStats.set(book, { views: i * 3, lastViewed: 'day-' + i }); });

// Typed arrays.
const priceHistory = new Float64Array(256);
for (let i = 0; i < priceHistory.length; i++) priceHistory[i] = 10 + rand();
const thumbnail = new Uint8Array(4096);
for (let i = 0; i < thumbnail.length; i++) thumbnail[i] = (i * 31) & 0xff;

// Strings: non-ASCII, emoji, and a long generated one.
const greetings = { en: 'Hello', es: '¡Hola!', ru: 'Привет', ja: 'こんにちは', emoji: 'Hi 👋🌍' };
const banner = 'Welcome to the bookshop — ' + titles.join(' · ');

// A little DOM: an attached list and a detached element kept alive from JS.
const list = document.createElement('ul');
list.id = 'book-list';
for (const book of books.slice(0, 3)) {
  const li = document.createElement('li');
  li.textContent = book.title;
  list.appendChild(li);
}
document.body.appendChild(list);
const detachedPanel = document.createElement('div');
detachedPanel.className = 'detached-panel';
detachedPanel.appendChild(document.createElement('span')).textContent = 'not in the document';

globalThis.bookshop = { inventory, books, authors, customers, addresses, carts, receipts, bus, bookStats, priceHistory, thumbnail, greetings, banner, detachedPanel };
