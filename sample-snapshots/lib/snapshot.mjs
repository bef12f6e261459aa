// Small helpers to inspect a (small) parsed .heapsnapshot: header facts, per-name counts, id lookups.
export class Snapshot {
  constructor(text) {
    this.json = JSON.parse(text);
    const { meta } = this.json.snapshot;
    this.meta = meta;
    this.nf = meta.node_fields.length;
    this.ef = meta.edge_fields.length;
    this.nodeTypes = meta.node_types[0];
    this.edgeTypes = meta.edge_types[0];
    const f = (name) => meta.node_fields.indexOf(name);
    this.oType = f('type'); this.oName = f('name'); this.oId = f('id'); this.oSize = f('self_size'); this.oEdges = f('edge_count');
    const g = (name) => meta.edge_fields.indexOf(name);
    this.eType = g('type'); this.eName = g('name_or_index'); this.eTo = g('to_node');
    const { nodes } = this.json;
    this.nodeCount = nodes.length / this.nf;
    this.firstEdge = new Uint32Array(this.nodeCount + 1);
    for (let i = 0, e = 0; i < this.nodeCount; i++) { this.firstEdge[i] = e; e += nodes[i * this.nf + this.oEdges] * this.ef; this.firstEdge[i + 1] = e; }
  }
  type(i) { return this.nodeTypes[this.json.nodes[i * this.nf + this.oType]]; }
  name(i) { return this.json.strings[this.json.nodes[i * this.nf + this.oName]]; }
  id(i) { return this.json.nodes[i * this.nf + this.oId]; }
  selfSize(i) { return this.json.nodes[i * this.nf + this.oSize]; }
  *edges(i) {
    const { edges, strings } = this.json;
    for (let e = this.firstEdge[i]; e < this.firstEdge[i + 1]; e += this.ef) {
      const type = this.edgeTypes[edges[e + this.eType]];
      const raw = edges[e + this.eName];
      const name = type === 'element' || type === 'hidden' ? raw : strings[raw];
      yield { type, name, to: edges[e + this.eTo] / this.nf };
    }
  }
  edge(i, name) { for (const e of this.edges(i)) if (e.name === name) return e.to; return -1; }
  header() {
    const s = this.json.snapshot;
    const out = {};
    for (const k of Object.keys(s)) if (k !== 'meta') out[k] = s[k];
    return out;
  }
  maxJsObjectId() {
    let max = 0;
    for (let i = 0; i < this.nodeCount; i++) { const id = this.id(i); if (id % 2 === 1 && id > max) max = id; }
    return max;
  }
  indexOfId(id) { for (let i = 0; i < this.nodeCount; i++) if (this.id(i) === id) return i; return -1; }
  // Number of nodes of `type` whose raw name is `name` (what V8 wrote, before DevTools renaming).
  count(type, name) {
    let n = 0;
    for (let i = 0; i < this.nodeCount; i++) if (this.type(i) === type && this.name(i) === name) n++;
    return n;
  }
  // Node indexes of objects named `className` whose property `prop` is a string equal to `value`.
  findByStringProperty(className, prop, value) {
    const out = [];
    for (let i = 0; i < this.nodeCount; i++) {
      if (this.type(i) !== 'object' || this.name(i) !== className) continue;
      const t = this.edge(i, prop);
      if (t >= 0 && /string/.test(this.type(t)) && this.name(t) === value) out.push(i);
    }
    return out;
  }
  // Closures named `fnName` whose context has a variable `varName` that points at node `target`.
  findClosuresCapturing(fnName, varName, target) {
    const out = [];
    for (let i = 0; i < this.nodeCount; i++) {
      if (this.type(i) !== 'closure' || this.name(i) !== fnName) continue;
      const ctx = this.edge(i, 'context');
      if (ctx >= 0 && this.edge(ctx, varName) === target) out.push(i);
    }
    return out;
  }
  sections() {
    const j = this.json;
    const out = {};
    for (const k of Object.keys(j)) if (k !== 'snapshot') out[k] = Array.isArray(j[k]) ? j[k].length : typeof j[k];
    return out;
  }
  stringChars() { let n = 0; for (const s of this.json.strings) n += s.length; return n; }
}
