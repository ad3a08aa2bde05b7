#!/usr/bin/env python3
"""A webhook receiver for Kizuna's delivery tests, written from the protocol, not from
Kizuna's code: it checks every signature (HMAC-SHA256 over "<timestamp>.<body>" with the
shared secret; timestamps more than 5 minutes off are replays), and it misbehaves on
purpose with alarm messages (heartbeats are simply accepted), in this order: the first --reset attempts get their connection reset
(TCP RST, nothing answered), the next --fail get HTTP 503, the next --moved get 404 and 301
in turn (a receiver moved: the address is wrong until the staff mend it, so heartbeats are
refused too while it lasts), the next --slow are answered
only after --slow-seconds (the sender has given up by then, so it sends again: a
duplicate, which must carry the same idempotency key). --unknown N: every attempt of the Nth
distinct alarm raised (a message of step "alarm", by its idempotency key) gets 404 "no such
alarm", while heartbeats and the other messages are taken (a receiver that knows no alarm of
that id). A raise, not a repeat: a repeat may be set aside for a later one while it waits.

Every accepted message is appended to --log as one JSON line:
  {"n": attempt number, "key": ..., "sequence": ..., "alarm": ..., "step": ..., "kind": ...,
   "type": "alarm"|"heartbeat", "test": bool, "received_ns": time.time_ns()}
Refused signatures go to the same log with "refused": reason.
usage: receiver.py --port-file F --secret-file S --log L [--reset N] [--fail N] [--moved N] [--slow N]
"""
import argparse, hashlib, hmac, json, socket, struct, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ap = argparse.ArgumentParser()
ap.add_argument("--port", type=int, default=0)
ap.add_argument("--port-file", required=True)
ap.add_argument("--secret-file", required=True)
ap.add_argument("--log", required=True)
ap.add_argument("--reset", type=int, default=0)
ap.add_argument("--fail", type=int, default=0)
ap.add_argument("--moved", type=int, default=0)
ap.add_argument("--slow", type=int, default=0)
ap.add_argument("--slow-seconds", type=float, default=3.0)
ap.add_argument("--unknown", type=int, default=0)
args = ap.parse_args()
secret = open(args.secret_file, "rb").read().strip()
lock = threading.Lock()
attempts = 0
keys = []  # distinct idempotency keys of raises (step "alarm"), in order of first arrival


def log(entry):
    with lock, open(args.log, "a") as f:
        f.write(json.dumps(entry) + "\n")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def answer(self, code, text):
        body = text.encode()
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        global attempts
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        ts = self.headers.get("X-Kizuna-Timestamp", "")
        sig = self.headers.get("X-Kizuna-Signature", "")
        expected = "sha256=" + hmac.new(secret, ts.encode() + b"." + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, sig):
            log({"refused": "bad signature"})
            return self.answer(401, "bad signature")
        if not ts.isdigit() or abs(time.time() - int(ts)) > 300:
            log({"refused": "stale timestamp"})
            return self.answer(401, "stale timestamp")
        msg = json.loads(body)
        moved_from = args.reset + args.fail
        if msg.get("type") != "alarm":  # heartbeats are answered, and not counted
            with lock:
                moved = moved_from < attempts <= moved_from + args.moved
            if moved:
                return self.answer(404, "moved")
            log({"type": msg.get("type"), "received_ns": time.time_ns()})
            return self.answer(200, "ok")
        with lock:
            key = msg.get("idempotency_key")
            if msg.get("step") == "alarm" and key not in keys:
                keys.append(key)
            unknown = args.unknown > 0 and key in keys and keys.index(key) + 1 == args.unknown
        if unknown:
            log({"unknown": key, "alarm": msg.get("alarm"), "step": msg.get("step"), "received_ns": time.time_ns()})
            return self.answer(404, "no such alarm")
        with lock:
            attempts += 1
            n = attempts
        if n <= args.reset:
            # SO_LINGER 0: close sends RST instead of FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        if n <= args.reset + args.fail:
            return self.answer(503, "try later")
        if n <= args.reset + args.fail + args.moved:
            return self.answer(404 if n % 2 else 301, "moved")
        if n <= args.reset + args.fail + args.moved + args.slow:
            time.sleep(args.slow_seconds)
        if msg.get("idempotency_key") is not None and self.headers.get("Idempotency-Key") != msg.get("idempotency_key"):
            log({"refused": "Idempotency-Key header differs from the body"})
            return self.answer(400, "key mismatch")
        log({"n": n, "key": msg.get("idempotency_key"), "sequence": msg.get("sequence"), "alarm": msg.get("alarm"),
             "step": msg.get("step"), "kind": msg.get("kind"), "type": msg.get("type"), "test": msg.get("test"),
             "actor": msg.get("actor"), "evidence": msg.get("evidence"), "received_ns": time.time_ns()})
        self.answer(200, "ok")


server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
server.daemon_threads = True
with open(args.port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.rename(args.port_file + ".tmp", args.port_file)
server.serve_forever()
