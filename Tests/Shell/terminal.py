#!/usr/bin/env python3
"""A small pexpect-like driver over a real pseudo-terminal, standard library only.

As a library:

    t = Terminal(["kizuna", "shell", "--config", "shell.yaml"], env={"TERM": "dumb"})
    t.expect(r"PIN: ")
    t.send("1234\r")
    t.expect(r"kizuna> ", timeout=10)   # the match; ExpectError (with the transcript) on timeout
    t.transcript                        # everything the program wrote, decoded as UTF-8
    t.close()

As a command, it plays a scripted session and prints a PASS or FAIL line per step:

    python3 terminal.py [--env NAME=VALUE]... [--var NAME=VALUE]... [--log FILE] --script FILE|- -- ARGV...

The script has one directive per line ('#' starts a comment line; ${NAME} is replaced by a
--var value everywhere):

    step NAME        starts a check; the directives up to the next step belong to it
    send TEXT        types TEXT; \\r \\n \\t \\\\ and \\xNN are decoded (\\x7f, \\x03, \\x1b[A ...)
    expect REGEX     waits for REGEX in the output after the previous match (Python re)
    prompt REGEX     the prompt, for run
    run LINE         types LINE and Enter, waits for its echo and the next prompt
    saw REGEX        REGEX occurs in the output of the last run (or the text the last expect
                     consumed); matched with re.MULTILINE on the text without carriage returns
                     and without ANSI escape sequences (colours, cursor moves)
    absent REGEX     REGEX occurs nowhere in the output so far: re.MULTILINE, on the raw
                     output without carriage returns (so 'absent \x1b' finds any escape)
    timeout S        seconds the following expect, run and exit wait (default 10)
    sleep S          waits S seconds (reading the output meanwhile)
    exit N           the program ends with status N within the timeout
    close            ends the program (SIGTERM, then SIGKILL)

A failed saw, absent or exit fails its step; a timeout in expect or run also ends the session
(the remaining steps fail as not reached). The whole transcript is printed after a failure.
Exit status 0 when every step passed, 1 otherwise, 2 for a bad script.
"""

import argparse
import codecs
import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time

__all__ = ["Terminal", "ExpectError", "visible"]


def visible(text):
    """The transcript as printable text: control characters as \\xNN, CR LF as a line end."""
    out = []
    for i, c in enumerate(text):
        if c == "\n" or c == "\t" or (c >= " " and c != "\x7f"):
            out.append(c)
        elif c == "\r" and text[i + 1:i + 2] == "\n":
            continue
        else:
            out.append("\\x%02x" % ord(c))
    return "".join(out)


class ExpectError(Exception):
    """A timeout or the end of the output; the message holds the transcript so far."""

    def __init__(self, reason, terminal):
        self.reason = reason
        self.transcript = terminal.transcript
        super().__init__("%s\n---- transcript so far ----\n%s\n---- end of transcript ----"
                         % (reason, visible(self.transcript)))


class Terminal:
    def __init__(self, argv, env=None, rows=24, cols=80):
        self.argv = list(argv)
        environment = dict(os.environ if env is None else env)
        pid, fd = pty.fork()  # the child: a new session, the pty's slave as its controlling terminal
        if pid == 0:
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
                os.execvpe(self.argv[0], self.argv, environment)
            except BaseException as e:  # noqa: BLE001 - report anything, then leave
                os.write(2, ("terminal.py: cannot run %s: %s\r\n" % (self.argv[0], e)).encode())
            os._exit(127)
        self.pid, self.fd = pid, fd
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self.transcript = ""
        self.pos = 0          # where the next expect starts searching
        self.before = ""      # the text before the last match
        self.consumed = ""    # the text the last expect consumed, its match included
        self.eof = False
        self.status = None

    # -- output ------------------------------------------------------------------------
    def _fill(self, timeout):
        """Reads what arrives within timeout seconds; False at the end of the output."""
        if self.eof:
            return False
        ready, _, _ = select.select([self.fd], [], [], max(0.0, timeout))
        if not ready:
            return True
        try:
            data = os.read(self.fd, 65536)
        except OSError:  # EIO: every copy of the slave is closed
            data = b""
        if not data:
            self.eof = True
            self.transcript += self._decoder.decode(b"", final=True)
            return False
        self.transcript += self._decoder.decode(data)
        return True

    def pump(self, seconds):
        """Keeps reading the output for a while (a sleep that does not let the pty fill up)."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if not self._fill(left):
                time.sleep(left)
                break

    def expect(self, pattern, timeout=10):
        rx = re.compile(pattern) if isinstance(pattern, str) else pattern
        deadline = time.monotonic() + timeout
        while True:
            m = rx.search(self.transcript, self.pos)
            if m:
                self.before = self.transcript[self.pos:m.start()]
                self.consumed = self.transcript[self.pos:m.end()]
                self.pos = m.end()
                return m
            if self.eof:
                raise ExpectError("the program's output ended before /%s/" % rx.pattern, self)
            left = deadline - time.monotonic()
            if left <= 0:
                raise ExpectError("timeout (%g s) waiting for /%s/" % (timeout, rx.pattern), self)
            self._fill(left)

    # -- input -------------------------------------------------------------------------
    def send(self, data):
        if isinstance(data, str):
            data = data.encode("utf-8")
        while data:
            n = os.write(self.fd, data)
            data = data[n:]

    # -- the process -------------------------------------------------------------------
    def _reap(self, flags):
        if self.status is not None:
            return self.status
        pid, st = os.waitpid(self.pid, flags)
        if pid == 0:
            return None
        self.status = os.waitstatus_to_exitcode(st)  # -N when killed by signal N
        return self.status

    def wait(self, timeout=10):
        """The exit status (negative: killed by that signal), reading the output meanwhile."""
        deadline = time.monotonic() + timeout
        while self._reap(os.WNOHANG) is None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ExpectError("still running after %g s" % timeout, self)
            if not self._fill(min(left, 0.1)):
                time.sleep(min(left, 0.05))
        while self._fill(0.05):  # what it wrote last
            pass
        return self.status

    def close(self):
        if self._reap(os.WNOHANG) is None:
            for sig, grace in ((signal.SIGTERM, 3.0), (signal.SIGKILL, 3.0)):
                try:
                    os.kill(self.pid, sig)
                except ProcessLookupError:
                    pass
                deadline = time.monotonic() + grace
                while self._reap(os.WNOHANG) is None and time.monotonic() < deadline:
                    if not self._fill(0.05):
                        time.sleep(0.05)
                if self.status is not None:
                    break
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
        self.eof = True


# -- scripted sessions -------------------------------------------------------------------

ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|[rnt\\])")


def decode_escapes(text):
    def one(m):
        e = m.group(1)
        return {"r": "\r", "n": "\n", "t": "\t", "\\": "\\"}.get(e) or chr(int(e[1:], 16))
    return ESCAPE.sub(one, text)


class ScriptError(Exception):
    pass


def parse_script(text, variables):
    """[(step name, [(line number, directive, argument)])]"""
    steps = []
    known = {"step", "send", "expect", "prompt", "run", "saw", "absent", "timeout", "sleep", "exit", "close"}

    def substitute(arg, number):
        def one(m):
            if m.group(1) not in variables:
                raise ScriptError("line %d: no --var %s" % (number, m.group(1)))
            return variables[m.group(1)]
        return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", one, arg)

    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        directive, _, arg = line.lstrip().partition(" ")
        if directive not in known:
            raise ScriptError("line %d: unknown directive %r" % (number, directive))
        arg = substitute(arg, number)
        if directive == "step":
            steps.append((arg.strip(), []))
            continue
        if not steps:
            raise ScriptError("line %d: a directive before the first step" % number)
        if directive in ("expect", "prompt", "saw", "absent"):
            try:
                re.compile(arg)
            except re.error as e:
                raise ScriptError("line %d: bad regex %r: %s" % (number, arg, e))
        if directive in ("timeout", "sleep"):
            float(arg)
        if directive == "exit":
            int(arg)
        steps[-1][1].append((number, directive, arg))
    return steps


ANSI = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[0-~]?)")


def plain(text):
    """The text without carriage returns and ANSI escape sequences: what saw matches."""
    return ANSI.sub("", text).replace("\r", "")


def play(steps, terminal, out=print):
    """Plays the steps; prints PASS/FAIL per step; True if all passed."""
    timeout = 10.0
    prompt = None
    last_output = ""
    all_passed = True
    stopped = None
    for name, directives in steps:
        if stopped:
            out("FAIL: %s (not reached: %s)" % (name, stopped))
            all_passed = False
            continue
        problems = []
        for number, directive, arg in directives:
            try:
                if directive == "send":
                    terminal.send(decode_escapes(arg))
                elif directive == "expect":
                    terminal.expect(arg, timeout)
                    last_output = terminal.consumed
                elif directive == "prompt":
                    prompt = arg
                elif directive == "run":
                    if prompt is None:
                        raise ScriptError("line %d: run before prompt" % number)
                    terminal.send(arg + "\r")
                    terminal.expect(re.escape(arg) + r"[^\n]*\n", timeout)
                    terminal.expect(prompt, timeout)
                    last_output = terminal.before
                elif directive == "saw":
                    if not re.search(arg, plain(last_output), re.MULTILINE):
                        problems.append("line %d: /%s/ is not in this output:\n%s"
                                        % (number, arg, indent(visible(last_output))))
                elif directive == "absent":
                    m = re.search(arg, terminal.transcript.replace("\r", ""), re.MULTILINE)
                    if m:
                        problems.append("line %d: /%s/ should not occur, but the output has %r"
                                        % (number, arg, m.group(0)))
                elif directive == "timeout":
                    timeout = float(arg)
                elif directive == "sleep":
                    terminal.pump(float(arg))
                elif directive == "exit":
                    status = terminal.wait(timeout)
                    if status != int(arg):
                        problems.append("line %d: exit status %s, expected %s" % (number, status, arg))
                elif directive == "close":
                    terminal.close()
            except ExpectError as e:
                problems.append("line %d: %s: %s" % (number, directive, e.reason))
                stopped = "an earlier step failed"
                break
        if problems:
            all_passed = False
            out("FAIL: %s\n%s" % (name, indent("\n".join(problems))))
        else:
            out("PASS: %s" % name)
    return all_passed


def indent(text, prefix="    | "):
    return "\n".join(prefix + line for line in text.split("\n"))


def main(argv=None):
    parser = argparse.ArgumentParser(description="Play a scripted session on a pseudo-terminal.")
    parser.add_argument("--script", required=True, help="the script file, or - for standard input")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="set in the program's environment")
    parser.add_argument("--var", action="append", default=[], metavar="NAME=VALUE",
                        help="replaces ${NAME} in the script")
    parser.add_argument("--log", help="write the whole transcript (raw UTF-8) to this file")
    parser.add_argument("command", nargs="+", help="the program and its arguments (after --)")
    args = parser.parse_args(argv)

    def pairs(items):
        result = {}
        for item in items:
            name, sep, value = item.partition("=")
            if not sep:
                parser.error("expected NAME=VALUE, got %r" % item)
            result[name] = value
        return result

    text = sys.stdin.read() if args.script == "-" else open(args.script, encoding="utf-8").read()
    try:
        steps = parse_script(text, pairs(args.var))
    except (ScriptError, ValueError) as e:
        print("terminal.py: %s: %s" % (args.script, e), file=sys.stderr)
        return 2
    if not steps:
        print("terminal.py: %s: no step" % args.script, file=sys.stderr)
        return 2

    env = dict(os.environ)
    env.update(pairs(args.env))
    terminal = Terminal(args.command, env=env)
    try:
        ok = play(steps, terminal, out=lambda line: print(line, flush=True))
    except ScriptError as e:
        print("terminal.py: %s" % e, file=sys.stderr)
        ok = False
    finally:
        terminal.close()
        if args.log:
            with open(args.log, "w", encoding="utf-8") as f:
                f.write(terminal.transcript)
    if not ok:
        print("    ---- transcript: %s ----" % " ".join(args.command))
        print(indent(visible(terminal.transcript)))
        print("    ---- end of transcript (exit status %s) ----" % terminal.status, flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
