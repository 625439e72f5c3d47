"""Test harness: a dtx process started from the packaged jar, a recording participant service, and a small
reader of dtx's query endpoint. Nothing here talks to dtx through the DTM client: the client is only used by
the tests themselves, so that what they prove is what an unmodified dtmcli user would see."""

import json
import os
import shutil
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import requests

SUCCESS = {"dtm_result": "SUCCESS"}
FAILURE = {"dtm_result": "FAILURE"}
ONGOING = {"dtm_result": "ONGOING"}


# --------------------------------------------------------------------------------------------------------------
# dtx process
# --------------------------------------------------------------------------------------------------------------

class DtxProcess:
    """`java -jar quarkus-run.jar` with an embedded PostgreSQL in a fresh folder, on a fixed port."""

    def __init__(self, jar, workdir, port=36789):
        self.jar = os.path.abspath(jar)
        self.workdir = workdir
        self.port = port
        self.base = "http://127.0.0.1:%d" % port
        self.api = self.base + "/api/dtmsvr"
        self.data_dir = os.path.join(workdir, "data")
        self.log_path = os.path.join(workdir, "dtx.log")
        self.proc = None
        self._log = None

    def start(self, ready_timeout=90.0):
        if not os.path.isfile(self.jar):
            raise RuntimeError("dtx jar not found at %s (build the project or set DTX_JAR)" % self.jar)
        if _port_open(self.port):
            # Another server (maybe another dtx) answering here would make every result meaningless.
            raise RuntimeError("port %d is already in use; stop whatever listens there first" % self.port)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DTX_", "QUARKUS_"))}
        env.update({
            "QUARKUS_HTTP_PORT": str(self.port),
            "DTX_EMBEDDED_DATA_DIR": self.data_dir,
            "DTX_RECOVERY_POLL_INTERVAL": "1s",
        })
        java = shutil.which("java")
        if os.environ.get("JAVA_HOME") and os.path.isfile(os.path.join(os.environ["JAVA_HOME"], "bin", "java")):
            java = os.path.join(os.environ["JAVA_HOME"], "bin", "java")
        if java is None:
            raise RuntimeError("no java on PATH and no JAVA_HOME")
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([java, "-jar", self.jar], cwd=self.workdir, env=env,
                                     stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + ready_timeout
        last = "no answer yet"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("dtx exited with code %s before it was ready\n%s"
                                   % (self.proc.returncode, self.log_tail()))
            try:
                r = requests.get(self.base + "/q/health/ready", timeout=2)
                if r.status_code == 200 and self._listening():
                    time.sleep(0.3)
                    self.assert_alive()
                    return
                last = "%d %s" % (r.status_code, r.text[:300])
            except requests.RequestException as e:
                last = repr(e)
            time.sleep(0.25)
        self.stop()
        raise RuntimeError("dtx was not ready within %.0f s (last health answer: %s)\n%s"
                           % (ready_timeout, last, self.log_tail()))

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self._log is not None:
            self._log.close()
            self._log = None

    def _listening(self):
        """Our own process says it listens on our port: a 200 from someone else's server does not count."""
        try:
            with open(self.log_path, "rb") as f:
                text = f.read().decode("utf-8", "replace")
        except OSError:
            return False
        return any("Listening on:" in line and (":%d" % self.port) in line for line in text.splitlines())

    def assert_alive(self):
        if self.proc is None or self.proc.poll() is not None:
            raise RuntimeError("dtx is not running (exit code %s)\n%s"
                               % (None if self.proc is None else self.proc.returncode, self.log_tail()))

    def log_tail(self, lines=80):
        try:
            with open(self.log_path, "rb") as f:
                text = f.read().decode("utf-8", "replace")
        except OSError:
            return "(no log at %s)" % self.log_path
        return "---- last %d lines of %s ----\n%s" % (lines, self.log_path, "\n".join(text.splitlines()[-lines:]))


def _port_open(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


# --------------------------------------------------------------------------------------------------------------
# Reading dtx's state
# --------------------------------------------------------------------------------------------------------------

class DtxReader:
    """GET /api/dtmsvr/query and waiting on it. Raw HTTP on purpose: the client has no query function."""

    def __init__(self, dtx, participant):
        self.dtx = dtx
        self.participant = participant

    def query(self, gid):
        self.dtx.assert_alive()
        r = requests.get(self.dtx.api + "/query", params={"gid": gid}, timeout=5)
        assert r.status_code == 200, "query %s answered %d %s" % (gid, r.status_code, r.text)
        return r.json()

    def status(self, gid):
        t = self.query(gid)["transaction"]
        return None if t is None else t["status"]

    def branches(self, gid):
        """(branch_id, op, status) of every branch, in the order dtx returns them."""
        return [(b["branch_id"], b["op"], b["status"]) for b in self.query(gid)["branches"]]

    def wait_status(self, gid, wanted, timeout=15.0):
        """Poll query until the global status is `wanted`; fail with everything known if it does not come.
        A finished status other than the wanted one fails at once (finished transactions never change)."""
        deadline = time.monotonic() + timeout
        while True:
            q = self.query(gid)
            status = q["transaction"]["status"] if q["transaction"] else None
            if status == wanted:
                return q
            if status in ("succeed", "failed") or time.monotonic() > deadline:
                raise AssertionError(
                    "gid %s: wanted status %r, %s %r\nquery: %s\nparticipant calls for this gid:\n%s"
                    % (gid, wanted, "finished as" if status in ("succeed", "failed") else
                       "after %.0f s still" % timeout, status, json.dumps(q, indent=1),
                       "\n".join("  " + str(c) for c in self.participant.calls_for_gid(gid))))
            time.sleep(0.1)

    def reset_next_cron_time(self, gid):
        r = requests.post(self.dtx.api + "/resetNextCronTime", json={"gid": gid}, timeout=5)
        return r


# --------------------------------------------------------------------------------------------------------------
# Participant service
# --------------------------------------------------------------------------------------------------------------

@dataclass
class Call:
    method: str
    path: str
    query: dict
    headers: dict          # lower-case names
    body: str
    started: float         # time.monotonic() when the request arrived
    finished: float = 0.0  # time.monotonic() just before the reply was written
    status: int = 0        # what the participant answered

    @property
    def name(self):
        return self.path.rsplit("/", 1)[-1]

    def __str__(self):
        return "%s %s %s -> %d body=%r" % (self.method, self.path, self.query, self.status, self.body)


@dataclass
class Reply:
    status: int = 200
    body: object = field(default_factory=lambda: SUCCESS)
    delay: float = 0.0


class Participant:
    """A real HTTP server on 127.0.0.1 that records every call and answers as scripted per path.

    A script is a list of replies used one per call; the last one is repeated. Unscripted paths answer
    200 {"dtm_result":"SUCCESS"}."""

    def __init__(self):
        self._lock = threading.Lock()
        self._calls = []
        self._scripts = {}
        participant = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _handle(self):
                started = time.monotonic()
                body = self._read_body()
                split = urlsplit(self.path)
                query = {k: v[0] if len(v) == 1 else v
                         for k, v in parse_qs(split.query, keep_blank_values=True).items()}
                call = Call(self.command, split.path, query, {k.lower(): v for k, v in self.headers.items()},
                            body.decode("utf-8", "replace"), started)
                reply = participant._next_reply(split.path)
                if reply.delay:
                    time.sleep(reply.delay)
                out = reply.body if isinstance(reply.body, (bytes, str)) else json.dumps(reply.body)
                out = out.encode() if isinstance(out, str) else out
                call.status = reply.status
                call.finished = time.monotonic()
                participant._record(call)
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def _read_body(self):
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    data = b""
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                        if size == 0:
                            self.rfile.readline()
                            return data
                        data += self.rfile.read(size)
                        self.rfile.readline()
                n = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(n) if n else b""

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = "http://127.0.0.1:%d" % self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, name="participant", daemon=True)

    def start(self):
        self._thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def _next_reply(self, path):
        with self._lock:
            script = self._scripts.get(path)
            if not script:
                return Reply()
            return script.pop(0) if len(script) > 1 else script[0]

    def _record(self, call):
        with self._lock:
            self._calls.append(call)

    def script(self, path, *replies):
        with self._lock:
            self._scripts[path] = [r if isinstance(r, Reply) else Reply(*r) for r in replies]

    def calls(self, prefix=""):
        with self._lock:
            return sorted((c for c in self._calls if c.path.startswith(prefix)), key=lambda c: c.started)

    def calls_for_gid(self, gid):
        with self._lock:
            return sorted((c for c in self._calls if c.query.get("gid") == gid), key=lambda c: c.started)


class Busi:
    """One test's view of the participant: its own path prefix, so that late retries of one test never
    mix with the calls of another."""

    def __init__(self, participant, name):
        self.participant = participant
        self.prefix = "/" + "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)

    def url(self, name):
        return self.participant.base + self.prefix + "/" + name

    def script(self, name, *replies):
        self.participant.script(self.prefix + "/" + name, *replies)

    def calls(self, name=None):
        calls = self.participant.calls(self.prefix + "/")
        return calls if name is None else [c for c in calls if c.name == name]

    def names(self):
        return [c.name for c in self.calls()]

    def wait_calls(self, name, count, timeout=15.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            calls = self.calls(name)
            if len(calls) >= count:
                return calls
            time.sleep(0.05)
        raise AssertionError("%s: wanted %d call(s) of %s within %.0f s, got: %s"
                             % (self.prefix, count, name, timeout, [str(c) for c in self.calls()]))
