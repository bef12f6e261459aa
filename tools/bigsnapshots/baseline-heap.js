// The pieces the big-snapshot scripts share: command-line arguments and the baseline heap of
// Customer/Order units (a Map of customers and an array of orders) that make-synthetic.js writes alone
// and make-synthetic-series.js plants its leaks next to.
'use strict';

function arg(name, def) { const i = process.argv.indexOf(name); return i >= 0 ? process.argv[i + 1] : def; }

const TIERS = ['basic', 'silver', 'gold', 'platinum'];
const STATUSES = ['open', 'paid', 'shipped', 'returned', 'cancelled'];
const REGIONS = ['eu-central-1', 'eu-west-2', 'us-east-1', 'us-west-2', 'ap-south-1', 'ap-northeast-1', 'sa-east-1'];

class Customer {
  constructor(i) {
    this.name = 'customer-' + i; // a cons string ('customer-' + the number's string) once i >= 1000
    this.tier = TIERS[i % TIERS.length];
    this.tags = ['retail', 'newsletter'];
    this.id = i;
  }
}

class Order {
  constructor(i, customer) {
    this.customer = customer;
    // Array#join gives a flat (sequential) string: one node, no edges, ~55 characters.
    this.code = ['order', REGIONS[i % REGIONS.length], 'warehouse-' + String(i % 50).padStart(3, '0'),
      '2024-' + String(1 + (i % 12)).padStart(2, '0'), String(i).padStart(10, '0'), (Math.imul(i, 2654435761) >>> 0).toString(16)].join('/');
    this.status = STATUSES[i % STATUSES.length];
    this.lines = [i % 97, (i * 7) % 89, (i * 13) % 83];
  }
}

function buildUnits(units) {
  const customersById = new Map();
  const orders = [];
  for (let i = 0; i < units; i++) {
    const c = new Customer(i);
    customersById.set(i, c);
    orders.push(new Order(i, c));
  }
  return { customersById, orders };
}

module.exports = { arg, REGIONS, buildUnits };
