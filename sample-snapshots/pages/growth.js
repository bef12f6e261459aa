// growth: an order book that grows steadily. The generator calls growthStep(k) before snapshot k (1..5).
//   Order          +200 per step (kept in the module-level `orders` array)
//   AuditLogEntry  +100 per step (kept in `auditLog`)
//   Customer, Product: created once, flat
//   CartDraft: replaced every step, count fluctuates (DRAFTS_PER_STEP)
// Nothing is printed; counts are read back by the generator with growthStats().
'use strict';

class Customer {
  constructor(id) {
    this.id = id;
    this.name = 'Customer ' + id;
    this.email = 'customer' + id + '@example.com';
  }
}

class Product {
  constructor(id) {
    this.sku = 'SKU-' + String(id).padStart(5, '0');
    this.title = 'Product number ' + id;
    this.price = 1 + (id * 7) % 50;
  }
}

class Order {
  constructor(id, customer, lines) {
    this.id = id;
    this.customer = customer;
    this.lines = lines;
    this.status = id % 4 === 0 ? 'shipped' : 'pending';
    this.note = 'order #' + id + ' for ' + customer.email;
  }
}

class AuditLogEntry {
  constructor(seq, action, target) {
    this.seq = seq;
    this.action = action;
    this.target = target;
    this.message = action + ' ' + target + ' (entry ' + seq + ')';
  }
}

class CartDraft {
  constructor(customer, product) {
    this.customer = customer;
    this.product = product;
    this.quantity = 1;
  }
}

const DRAFTS_PER_STEP = [30, 10, 45, 20, 35];
const customers = Array.from({ length: 40 }, (_, i) => new Customer(i));
const products = Array.from({ length: 50 }, (_, i) => new Product(i));
const orders = [];
const auditLog = [];
let drafts = [];
let orderLines = 0;

function growthStep(k) {
  for (let n = 0; n < 200; n++) {
    const id = orders.length;
    const lines = [];
    for (let j = 0; j <= id % 3; j++) {
      const product = products[(id + j * 13) % products.length];
      lines.push({ sku: product.sku, qty: 1 + ((id + j) % 4), price: product.price });
    }
    orderLines += lines.length;
    orders.push(new Order(id, customers[id % customers.length], lines));
  }
  for (let n = 0; n < 100; n++) {
    const seq = auditLog.length;
    auditLog.push(new AuditLogEntry(seq, seq % 2 ? 'update' : 'create', 'order/' + (seq * 2)));
  }
  const count = DRAFTS_PER_STEP[(k - 1) % DRAFTS_PER_STEP.length];
  drafts = Array.from({ length: count }, (_, i) => new CartDraft(customers[(i + k) % customers.length], products[(i * 3 + k) % products.length]));
}

function growthStats() {
  return {
    Order: orders.length,
    AuditLogEntry: auditLog.length,
    Customer: customers.length,
    Product: products.length,
    CartDraft: drafts.length,
    order_lines_sku_qty_price: orderLines,
  };
}
