#!/usr/bin/env python3
# An independent count over a .heapsnapshot's header and "nodes" section, in another language than
# heapsift's parser: node count, nodes and self sizes per type (Python integers: no overflow).
# Usage: python3 count-nodes.py FILE   (needs the nodes section within the first GB, as V8 writes it)
import json, sys
path = sys.argv[1]
with open(path, 'rb') as f:
    head = f.read(1 << 16).decode('latin1')
    meta = json.loads(head[:head.index('"nodes"')].rstrip().rstrip(',') + '}')['snapshot']
    fields = meta['meta']['node_fields']; types = meta['meta']['node_types'][0]
    f.seek(0)
    buf = f.read(1 << 30)  # the nodes section comes first and is far smaller than 1 GB here
    start = buf.index(b'"nodes":[') + len(b'"nodes":[')
    end = buf.index(b']', start)
    vals = list(map(int, buf[start:end].split(b',')))
F = len(fields); ti = fields.index('type'); si = fields.index('self_size')
n = len(vals) // F
count = {}; size = {}; total = 0
for k in range(n):
    t = types[vals[k*F+ti]]; s = vals[k*F+si]
    count[t] = count.get(t, 0) + 1; size[t] = size.get(t, 0) + s; total += s
print(json.dumps({"node_count": n, "header_node_count": meta['node_count'], "total_self_size": total,
                  "string_nodes": count.get('string', 0), "string_self_size": size.get('string', 0),
                  "by_type": count}, indent=1))
