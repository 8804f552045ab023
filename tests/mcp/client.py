"""Drives `skill-lsp mcp` with the official MCP Python SDK (PyPI `mcp`).

    client.py session BIN CWD ROOT... < calls.json   one session; prints a JSON transcript
                                                       (calls: {"tool", "arguments"}, or the
                                                       steps {"sleep": s}, {"write", "text"},
                                                       {"list_resources"}, {"read_resource": uri})
    client.py legacy BIN CWD                           the initialize handshake (pre-2026 clients)
    client.py raw BIN CWD                              stdout framing and exit on end of input
    client.py bench BIN CWD N FILE LINE COLUMN         N explain round trips; prints timings

The Rust test (tests/mcp.rs) and bench (benches/mcp.rs) assert on what this prints: this
script only speaks the protocol, so a failing assertion names the Rust side's reason.
"""

import asyncio
import json
import subprocess
import sys
import time

from mcp import Client, StdioServerParameters


def server(bin_path, cwd, roots=()):
    args = ["mcp"]
    for root in roots:
        args += ["--root", root]
    # The SDK passes only a few variables (HOME, PATH, ...), as hosts do.
    return StdioServerParameters(command=bin_path, args=args, cwd=cwd)


def result_json(result):
    return {
        "is_error": bool(result.is_error),
        "text": "".join(getattr(c, "text", "") for c in result.content),
        "structured": result.structured_content,
    }


async def session(bin_path, cwd, roots, calls):
    out = {}
    async with Client(server(bin_path, cwd, roots)) as client:
        out["protocol_version"] = client.protocol_version
        info = client.server_info
        out["server_info"] = {"name": info.name, "version": info.version} if info else None
        out["instructions"] = client.instructions
        tools = await client.list_tools()
        out["tools"] = [
            {
                "name": t.name,
                "description": t.description,
                "input_schema": t.input_schema,
                "read_only": bool(t.annotations and t.annotations.read_only_hint),
            }
            for t in tools.tools
        ]
        out["calls"] = []
        for call in calls:
            # Steps of the scenario that are not tool calls: the world changing meanwhile.
            if "sleep" in call:
                await asyncio.sleep(call["sleep"])
                continue
            if "write" in call:
                with open(call["write"], "w") as handle:
                    handle.write(call["text"])
                continue
            if "list_resources" in call:
                listed = await client.list_resources()
                out["calls"].append(
                    {"resources": [{"uri": str(r.uri), "name": r.name, "mime_type": r.mime_type}
                                   for r in listed.resources]}
                )
                continue
            if "read_resource" in call:
                try:
                    read = await client.read_resource(call["read_resource"])
                    out["calls"].append({"contents": [c.text for c in read.contents]})
                except Exception as why:
                    out["calls"].append({"protocol_error": repr(why)})
                continue
            try:
                result = await client.call_tool(call["tool"], call["arguments"])
                out["calls"].append(result_json(result))
            except Exception as why:  # a protocol error: recorded, the session goes on
                out["calls"].append({"protocol_error": repr(why)})
    return out


async def legacy(bin_path, cwd):
    async with Client(server(bin_path, cwd), mode="legacy") as client:
        result = await client.call_tool("skills", {})
        return {
            "protocol_version": client.protocol_version,
            "server_info": client.server_info.name if client.server_info else None,
            "skills": result_json(result),
        }


def raw(bin_path, cwd):
    """Plain JSON-RPC lines in, stdin closed: every stdout line must be one JSON object and
    the server must exit by itself."""
    messages = [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-11-25",
                "capabilities": {},
                "clientInfo": {"name": "raw", "version": "0"},
            },
        },
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
    ]
    stdin = "".join(json.dumps(m) + "\n" for m in messages)
    started = time.monotonic()
    done = subprocess.run(
        [bin_path, "mcp"], cwd=cwd, input=stdin.encode(), capture_output=True, timeout=60
    )
    lines = done.stdout.decode().splitlines()
    parsed = []
    for line in lines:
        try:
            parsed.append(json.loads(line))
        except ValueError:
            parsed.append({"not_json": line})
    return {
        "exit_code": done.returncode,
        "seconds": time.monotonic() - started,
        "lines": parsed,
    }


async def bench(bin_path, cwd, n, file, line, column):
    # No client-side response cache: every request below reaches the server.
    async with Client(server(bin_path, cwd), cache=None) as client:
        args = {"file": file, "line": line, "column": column}
        start = time.perf_counter()
        first = await client.call_tool("explain", args)
        first_ms = (time.perf_counter() - start) * 1000.0
        times = []
        for _ in range(n):
            start = time.perf_counter()
            result = await client.call_tool("explain", args)
            times.append((time.perf_counter() - start) * 1000.0)
        # The client's own floor: a request the server answers without work (ping is
        # gone from the 2026-07-28 protocol; tools/list is a constant answer).
        floor = []
        for _ in range(n):
            start = time.perf_counter()
            await client.list_tools()
            floor.append((time.perf_counter() - start) * 1000.0)
        return {
            "first_ms": first_ms,
            "explain_ms": times,
            "floor_ms": floor,
            "first": result_json(first),
            "last": result_json(result),
        }


def main():
    mode, bin_path, cwd = sys.argv[1], sys.argv[2], sys.argv[3]
    if mode == "session":
        out = asyncio.run(session(bin_path, cwd, sys.argv[4:], json.load(sys.stdin)))
    elif mode == "legacy":
        out = asyncio.run(legacy(bin_path, cwd))
    elif mode == "raw":
        out = raw(bin_path, cwd)
    elif mode == "bench":
        n, file, line, column = sys.argv[4:8]
        out = asyncio.run(bench(bin_path, cwd, int(n), file, int(line), int(column)))
    else:
        sys.exit(f"unknown mode {mode}")
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
