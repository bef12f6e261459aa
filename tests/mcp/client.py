"""heapsift's MCP server, driven by the official Python MCP SDK (pinned in .ci/run).

    python client.py HEAPSIFT_BINARY SAMPLES_DIR GOLDEN_DIR

Lists the tools, calls each on the committed samples and compares its JSON with the CLI's
(`heapsift … --json`) and `summary` with DevTools' goldens; checks that answers stay bounded,
that bad arguments are tool errors after which the server keeps answering, that two calls run
at once, and that `hunt` is refused without --allow-exec (and, where Node is installed, finds
the planted leak with it). Prints one line per check; exits 1 on the first failure.
"""

import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

BIN, SAMPLES, GOLDEN = sys.argv[1], sys.argv[2], sys.argv[3]
CACHE = tempfile.mkdtemp(prefix="heapsift-mcp-test-")
ENV = dict(os.environ, HEAPSIFT_CACHE_DIR=CACHE)
LEAK = [f"kinds/cache-{s}.heapsnapshot.gz" for s in ("baseline", "target", "final")]
TOOLS = sorted(
    "summary find_objects object path_to_root retainers dominators duplicates detached diff "
    "leaks growth capture hunt".split()
)
# An answer an agent can read whole: a few thousand tokens.
MAX_ANSWER = 40_000


def check(ok, what):
    if not ok:
        print(f"FAIL: {what}", flush=True)
        sys.exit(1)
    print(f"ok: {what}", flush=True)


def cli(*args):
    p = subprocess.run([BIN, *args, "--quiet"], cwd=SAMPLES, env=ENV, capture_output=True, text=True)
    check(p.returncode == 0, f"heapsift {' '.join(args)} exits 0 ({p.stderr.strip()[:200]})")
    return json.loads(p.stdout)


def answer_text(res):
    return "\n".join(c.text for c in res.content if getattr(c, "type", "") == "text")


async def call(s, tool, args, error=False):
    res = await s.call_tool(tool, args)
    text = answer_text(res)
    check(bool(res.is_error) == error, f"{tool} {json.dumps(args)[:120]} {'fails' if error else 'answers'}: {text[:160]!r}")
    if error:
        check("\n" not in text.strip(), f"{tool}'s error is one line")
        return text
    check(len(text) <= MAX_ANSWER, f"{tool}'s answer is bounded ({len(text)} characters)")
    return res.structured_content


def server(*flags):
    return StdioServerParameters(command=BIN, args=["mcp", *flags], cwd=SAMPLES, env=ENV)


def bounded(doc, depth=0):
    """The CLI's JSON as the server bounds it: lists below the top level cut to 20 items (with
    `<field>_total`), strings to 300 characters (with `<field>_length`)."""
    if isinstance(doc, list):
        return [bounded(x, depth + 1) for x in doc]
    if not isinstance(doc, dict):
        return doc
    out = {}
    for k, v in doc.items():
        if isinstance(v, list) and depth > 0 and len(v) > 20 and not k.endswith("path_to_root"):
            out.setdefault(f"{k}_total", len(v))
            v = v[:20]
        if isinstance(v, str) and len(v) > 300:
            out.setdefault(f"{k}_length", len(v))
            v = v[:299] + "…"
        out[k] = bounded(v, depth + 1)
    return out


def strip(doc, *keys):
    return {k: v for k, v in doc.items() if k not in keys}


async def readme_configurations():
    """The README's client configurations, as written, in a fresh environment where heapsift is
    on the PATH (as `cargo install` puts it): each starts a server that lists the tools."""
    import re

    readme = open(os.path.join(SAMPLES, "..", "README.md")).read()
    section = readme[readme.index("## Agents: `heapsift mcp`"):]
    section = section[: section.index("\n## ", 10)]
    blocks = re.findall(r"```json\n(.*?)\n```", section, re.S)
    check(len(blocks) == 3, "the README configures three clients (Claude Code, VS Code, Cursor)")
    bindir = tempfile.mkdtemp(prefix="heapsift-path-")
    shutil.copy(BIN, os.path.join(bindir, "heapsift"))
    fresh = {"PATH": f"{bindir}:/usr/bin:/bin", "HOME": tempfile.mkdtemp(), "HEAPSIFT_CACHE_DIR": CACHE}
    for block in blocks:
        config = json.loads(block)
        entry = (config.get("mcpServers") or config.get("servers"))["heapsift"]
        check(entry.get("type", "stdio") == "stdio", "the server is a stdio one")
        params = StdioServerParameters(command=entry["command"], args=entry["args"], cwd=SAMPLES, env=fresh)
        async with stdio_client(params) as (r, w):
            async with ClientSession(r, w) as s:
                await s.initialize()
                tools = await s.list_tools()
                check(sorted(t.name for t in tools.tools) == TOOLS, f"{block} starts the server and lists its tools")
    shutil.rmtree(bindir, ignore_errors=True)


async def main():
    async with stdio_client(server()) as (r, w):
        async with ClientSession(r, w) as s:
            await s.initialize()
            tools = await s.list_tools()
            check(sorted(t.name for t in tools.tools) == TOOLS, "the server lists its 13 tools")
            check(all(t.description and t.input_schema for t in tools.tools), "every tool has a description and a schema")

            # summary: DevTools' rows, every one of them, page by page.
            golden = json.load(open(os.path.join(GOLDEN, "node-leak-s3.summary.json")))
            rows, cursor = [], None
            while True:
                args = {"path": "node-leak-s3.heapsnapshot.gz", "top": 60}
                if cursor:
                    args["cursor"] = cursor
                doc = await call(s, "summary", args)
                rows += doc["classes"]
                cursor = doc["next_cursor"]
                if not cursor:
                    break
            mine = sorted((r["class"], r["count"], r["shallow_size"], r["retained_size"], r["distance"]) for r in rows)
            theirs = sorted(
                (r["name"], r["count"], r["shallow_size"], r["retained_size"], r["distance"]) for r in golden["classes"]
            )
            check(mine == theirs, f"summary's {len(mine)} rows, read in pages, equal DevTools' {len(theirs)}")
            doc = await call(s, "summary", {"path": LEAK[2], "top": 25})
            check(doc == cli("summary", LEAK[2], "--json", "--top", "25") | {"total_classes": doc["total_classes"], "offset": 0, "next_cursor": doc["next_cursor"]},
                  "summary equals `heapsift summary --json`")
            doc = await call(s, "summary", {"path": LEAK[2], "class": "userprofile"})
            check([r["class"] for r in doc["classes"]] == ["UserProfile"], "summary's class filter")

            # leaks: the planted group, exact, with its path.
            doc = await call(s, "leaks", {"baseline": LEAK[0], "target": LEAK[1], "final": LEAK[2], "top": 5})
            g = doc["groups"][0]
            check((g["class"], g["count"]) == ("UserProfile", 60), "leaks finds the 60 leaked UserProfiles first")
            check(g["cause"]["holder"].startswith("userCache"), "leaks names the userCache Map as the cause")
            check(("context", "userCache") in [(h.get("edge_type"), h.get("edge_name")) for h in g["path_to_root"]], "the path to the root goes through ->userCache")
            expected = cli("leaks", *LEAK, "--json", "--top", "5")
            check(strip(doc, "gate") == strip(bounded(expected), "gate"), "leaks equals `heapsift leaks --json` (its lists of ids cut to 20)")
            check(g["ids_total"] == 50 and len(g["ids"]) == 20 and g["count"] == 60, "the 50 ids the CLI lists of a group are cut to 20, with their number kept")

            # The page's leak set: the planted groups, with their exact counts (sample-snapshots/expected.json).
            page = [f"leak-s{i}.heapsnapshot" for i in (1, 2, 3)]
            doc = await call(s, "leaks", {"baseline": page[0], "target": page[1], "final": page[2]})
            planted = [(g["class"], g["count"]) for g in doc["groups"][:3]]
            check(planted == [("CachedSession", 300), ("EventListener", 200), ("MetricSample", 150)],
                  f"leaks finds the page's planted groups exactly: {planted}")
            edges = [h.get("edge_name") for h in doc["groups"][0]["path_to_root"]]
            check("sessionCache" in edges, "the sessions' path to the root goes through sessionCache")
            check(strip(doc, "gate") == strip(bounded(cli("leaks", *page, "--json", "--top", "5")), "gate"),
                  "and equals `heapsift leaks --json`")

            # find_objects: the query language, as `heapsift find`.
            for args, flags in [
                ({"class": "UserProfile", "where": '.name ~ /user 1\\d$/'}, ["--class", "UserProfile", "--where", '.name ~ /user 1\\d$/']),
                ({"class": "Map", "where": "entries > 50"}, ["--class", "Map", "--where", "entries > 50"]),
                ({"class": "UserProfile", "group_by": ".prefs.theme"}, ["--class", "UserProfile", "--group-by", ".prefs.theme"]),
                ({"where": "retained_size > 100kB and distance < 5"}, ["--where", "retained_size > 100kB and distance < 5"]),
            ]:
                doc = await call(s, "find_objects", {"path": LEAK[2], **args, "limit": 20})
                theirs = cli("find", LEAK[2], *flags, "--json", "--limit", "20")
                check(doc["total"] == theirs["total"] and doc.get("objects") == theirs["objects"]
                      and doc.get("groups") == theirs.get("groups"), f"find_objects {args} equals `heapsift find`")
            doc = await call(s, "find_objects", {"path": LEAK[2], "class": "UserProfile"})
            check(doc["total"] == 61, "61 UserProfiles in the final snapshot (60 leaked and the warm-up's)")
            cache = await call(s, "find_objects", {"path": LEAK[2], "class": "Map", "where": "entries == 61"})
            check(cache["total"] == 1, "one Map holds 61 entries: userCache")
            cache_id = cache["objects"][0]["id"]
            doc = await call(s, "find_objects", {"path": LEAK[2], "entries_of": f"@{cache_id}", "where": "value.name ~ 'user 4'", "limit": 50})
            check(doc["total"] == 11 and all(o["value"]["class"] == "UserProfile" for o in doc["objects"]),
                  "the Map's entries are queried as objects (user 4, user 40–49)")
            page1 = await call(s, "find_objects", {"path": LEAK[2], "class": "UserProfile", "limit": 25})
            page3 = await call(s, "find_objects", {"path": LEAK[2], "class": "UserProfile", "limit": 25, "cursor": "50"})
            check(page1["next_cursor"] == "25" and len(page3["objects"]) == 11 and page3["next_cursor"] is None, "find_objects pages")

            # One object, its path, retainers, dominators.
            uid = page1["objects"][0]["id"]
            doc = await call(s, "object", {"path": LEAK[2], "id": f"@{uid}"})
            theirs = cli("object", LEAK[2], f"@{uid}", "--json")
            check(strip(doc, "properties", "properties_next_cursor") == strip(theirs, "properties")
                  and doc["properties"] == theirs["properties"][:25], "object equals `heapsift object --json` (a page of its properties)")
            props = {p["edge"]: p["value"] for p in doc["properties"]}
            check(props.get(".name", {}).get("type") == "string" and props[".prefs"]["type"] == "object",
                  "object lists properties with their values")
            doc = await call(s, "path_to_root", {"path": LEAK[2], "id": str(uid)})
            check(doc["path_to_root"] == theirs["path_to_root"], "path_to_root is the readable path")
            doc = await call(s, "path_to_root", {"path": LEAK[2], "id": str(uid), "shortest": True})
            check(doc["path_to_root"] == theirs["shortest_path_to_root"], "path_to_root shortest is DevTools' path")
            doc = await call(s, "retainers", {"path": LEAK[2], "id": str(uid), "depth": 3})
            first = doc["retainers"]["items"][0]
            check(first["from"]["class"] == "(array)" and first["retainers"]["items"][0]["from"]["class"] == "Map",
                  "retainers: the Map's table, then the Map")
            doc = await call(s, "dominators", {"path": LEAK[2], "id": str(cache_id)})
            check(len(doc["dominated"]) >= 1 and doc["dominator_chain"], "dominators of the Map")
            doc = await call(s, "dominators", {"path": LEAK[2]})
            check(doc["dominated_total"] > 0, "dominators of the root")

            # The other listings, as the CLI prints them.
            doc = await call(s, "duplicates", {"path": LEAK[2], "top": 10})
            theirs = cli("duplicates", LEAK[2], "--json", "--top", "10")
            check(strip(doc, "total_groups", "offset", "next_cursor") == bounded(theirs), "duplicates equals the CLI's")
            doc = await call(s, "detached", {"path": "dom.heapsnapshot"})
            theirs = cli("detached", "dom.heapsnapshot", "--json")
            check(strip(doc, "offset", "next_cursor") == theirs, "detached equals the CLI's")
            doc = await call(s, "diff", {"base": LEAK[0], "current": LEAK[2], "top": 10})
            theirs = cli("diff", LEAK[0], LEAK[2], "--json", "--top", "10")
            check(strip(doc, "offset", "next_cursor") == theirs, "diff equals the CLI's")
            growth = [f"growth-{i}.heapsnapshot" for i in range(1, 6)]
            doc = await call(s, "growth", {"paths": growth, "top": 10})
            theirs = cli("growth", *growth, "--json", "--top", "10")
            check(doc == theirs, "growth equals the CLI's")

            # Bad arguments are tool errors; the server keeps answering.
            text = await call(s, "summary", {"path": "missing.heapsnapshot"}, error=True)
            check("missing.heapsnapshot" in text and "no such file" in text, "a missing file is named")
            text = await call(s, "find_objects", {"path": LEAK[2], "where": ".userId = 3"}, error=True)
            check("column 9" in text, "a bad expression points at its column")
            text = await call(s, "object", {"path": LEAK[2], "id": "@999999999"}, error=True)
            check("no object with id @999999999" in text, "an unknown id is said")
            text = await call(s, "summary", {"path": "README.md"}, error=True)
            check("README.md" in text, "a file that is not a snapshot is named")
            text = await call(s, "hunt", {"exec": "node x.js", "action": "true"}, error=True)
            check("--allow-exec" in text, "hunt is refused without --allow-exec, saying how to allow it")
            text = await call(s, "capture", {"inspect": "10.1.2.3:9229", "out": "x.heapsnapshot"}, error=True)
            check("--allow-remote" in text, "capture refuses another host without --allow-remote")
            doc = await call(s, "summary", {"path": LEAK[0], "top": 1})
            check(len(doc["classes"]) == 1, "the server still answers after the errors")

            # Ids go in as answers give them; an argument a tool does not have is refused, not ignored.
            doc = await call(s, "object", {"path": LEAK[2], "id": uid})
            check(doc["id"] == uid, "object takes the id as a number, as find_objects gives it")
            try:
                res = await s.call_tool("find_objects", {"path": LEAK[2], "query": "class == UserProfile"})
                refused = bool(res.is_error)
            except Exception as e:  # the SDK raises for a protocol error (invalid params)
                refused = "query" in str(e) or "unknown field" in str(e)
            check(refused, "an unknown argument (query for where) is refused, not ignored")
            text = await call(s, "find_objects", {"path": LEAK[2], "class": "UserProfile", "limit": 0}, error=True)
            check("limit" in text, "limit 0 is refused")
            text = await call(s, "find_objects", {"path": LEAK[2], "where": "(" * 3000 + "distance > 1" + ")" * 3000}, error=True)
            check("nested more than 64 deep" in text, "a hostile query is refused, not a crash")
            text = await call(s, "find_objects", {"path": LEAK[2], "where": " or ".join(f"distance == {i}" for i in range(10000))}, error=True)
            check("more than 256 tests" in text, "so is a flat chain of 10,000 tests")

            # Two calls at once.
            a, b = await asyncio.gather(
                s.call_tool("find_objects", {"path": LEAK[1], "class": "UserProfile"}),
                s.call_tool("summary", {"path": "node-leak-s1.heapsnapshot.gz", "top": 3}),
            )
            check(not a.is_error and not b.is_error and a.structured_content["total"] == 61,
                  "two calls at once both answer")

    await readme_configurations()

    if shutil.which("node") is None:
        if os.environ.get("CI"):
            check(False, "node is installed (CI runs the hunt through MCP)")
        print("SKIPPED: hunt through MCP (node is not installed)")
        return
    async with stdio_client(server("--allow-exec")) as (r, w):
        async with ClientSession(r, w) as s:
            await s.initialize()
            kinds = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "live", "kinds.js")
            port = 7790 + os.getpid() % 100
            doc = await call(s, "hunt", {
                "exec": f"KIND=cache PORT={port} node {kinds}",
                "action": f"curl -sf localhost:{port}/action",
                "repeat": 20, "wait": 0,
            })
            g = doc["groups"][0]
            check((g["class"], g["count"]) == ("UserProfile", 20), "hunt through MCP finds the 20 leaked UserProfiles")


asyncio.run(main())
shutil.rmtree(CACHE, ignore_errors=True)
print("all MCP checks passed")
