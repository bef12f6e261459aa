"""Times every tool of `heapsift mcp` on a big snapshot and reports the size of each answer,
through the official Python MCP client (pip install mcp==2.3.0):

    python3 tools/mcp-measure.py target/release/heapsift BIG.heapsnapshot S1 S2 S3

Two sessions: the first with an empty index cache (every file is parsed and analysed on its
first use), the second a new server process that reopens the saved indexes. S1, S2 and S3 (three
snapshots of one process, e.g. tools/bigsnapshots/make-synthetic-series.js) feed the tools over
several snapshots (diff, leaks, growth). Prints a Markdown table: tool, seconds, answer
characters (~tokens: characters / 4).
"""

import asyncio
import json
import os
import sys
import tempfile
import time

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

BIN = sys.argv[1]
BIG = os.path.abspath(sys.argv[2])
S1, S2, S3 = (os.path.abspath(p) for p in sys.argv[3:6])
CACHE = tempfile.mkdtemp(prefix="heapsift-mcp-measure-")


async def session(label):
    rows = []
    params = StdioServerParameters(command=BIN, args=["mcp"], env=dict(os.environ, HEAPSIFT_CACHE_DIR=CACHE))
    async with stdio_client(params) as (r, w):
        async with ClientSession(r, w) as s:
            await s.initialize()

            async def call(tool, args):
                start = time.monotonic()
                res = await s.call_tool(tool, args, read_timeout_seconds=1800)
                took = time.monotonic() - start
                text = "\n".join(c.text for c in res.content if getattr(c, "type", "") == "text")
                rows.append((tool, took, len(text), bool(res.is_error), text.splitlines()[0][:110]))
                return res.structured_content or {}

            summary = await call("summary", {"path": BIG})
            top = summary["classes"][0]["class"]
            found = await call("find_objects", {"path": BIG, "class": top})
            some = next((c["class"] for c in summary["classes"] if c["class"][:1].isupper() and c["count"] > 100), top)
            await call("find_objects", {"path": BIG, "class": some, "where": "retained_size > 1kB", "group_by": "edges"})
            await call("find_objects", {"path": BIG, "where": "edges > 50 and retained_size > 100kB"})
            await call("find_objects", {"path": BIG, "where": ".escapedName ~ /^Foo/ or .kind == 80"})
            oid = (found.get("objects") or [{}])[0].get("id")
            await call("object", {"path": BIG, "id": str(oid)})
            await call("path_to_root", {"path": BIG, "id": str(oid)})
            await call("retainers", {"path": BIG, "id": str(oid), "depth": 3})
            await call("dominators", {"path": BIG})
            await call("duplicates", {"path": BIG})
            await call("detached", {"path": BIG})
            await call("diff", {"base": S1, "current": S3})
            await call("leaks", {"baseline": S1, "target": S2, "final": S3})
            await call("growth", {"paths": [S1, S2, S3]})
            await call("find_objects", {"path": S3, "class": "LeakedSession", "group_by": "class(.attrs)"})
    print(f"\n### {label}\n")
    print("| tool | seconds | answer characters | ~tokens | error | first line |")
    print("|---|---:|---:|---:|---|---|")
    for tool, took, size, err, first in rows:
        print(f"| {tool} | {took:.2f} | {size:,} | {size // 4:,} | {'yes' if err else ''} | {first} |")


asyncio.run(session("first open (no saved index)"))
asyncio.run(session("reopen (a new server process, saved indexes)"))
