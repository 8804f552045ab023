"""One hover through an installed skill-lsp, over stdio, with the standard library only:
initialize, open FILE, hover at LINE:COL (1-based), print the hover's markdown, shut down.

    python3 lsp_hover.py /path/to/skill-lsp FILE LINE COL
"""
import json
import pathlib
import subprocess
import sys


def send(proc, message):
    body = json.dumps(message).encode()
    proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    proc.stdin.flush()


def receive(proc):
    length = None
    while True:
        line = proc.stdout.readline()
        if not line:
            raise SystemExit("skill-lsp closed its output")
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.decode().partition(":")
        if name.lower() == "content-length":
            length = int(value)
    return json.loads(proc.stdout.read(length))


def answer(proc, request_id):
    while True:
        message = receive(proc)
        if message.get("id") == request_id and "method" not in message:
            return message


def main():
    binary, file, line, col = sys.argv[1], pathlib.Path(sys.argv[2]).resolve(), int(sys.argv[3]), int(sys.argv[4])
    proc = subprocess.Popen([binary, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    root = file.parent.as_uri()
    send(proc, {"jsonrpc": "2.0", "id": 1, "method": "initialize",
                "params": {"processId": None, "rootUri": root, "capabilities": {}}})
    answer(proc, 1)
    send(proc, {"jsonrpc": "2.0", "method": "initialized", "params": {}})
    send(proc, {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": file.as_uri(), "languageId": "python", "version": 1, "text": file.read_text()}}})
    send(proc, {"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover", "params": {
        "textDocument": {"uri": file.as_uri()}, "position": {"line": line - 1, "character": col - 1}}})
    hover = answer(proc, 2).get("result") or {}
    contents = hover.get("contents", {})
    print(contents.get("value", "") if isinstance(contents, dict) else contents)
    send(proc, {"jsonrpc": "2.0", "id": 3, "method": "shutdown"})
    answer(proc, 3)
    send(proc, {"jsonrpc": "2.0", "method": "exit"})
    proc.wait(timeout=10)


if __name__ == "__main__":
    main()
