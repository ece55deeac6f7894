"""The HTML report in a real headless browser: it renders, and asks the network for nothing.

Debian's chromium is driven over the Chrome DevTools Protocol on a pipe (no port is
opened): the test records every request the page makes (``Network.requestWillBeSent``)
and reads back, after the load event, how many plots decoded and how many timeline
markers were drawn. The browser is also started with every host name resolving to
nothing and a proxy on a closed loopback port, so even the browser's own background
traffic cannot leave the machine. A control page with one external image proves the
request recorder sees what it must.

Skips, saying why, when no chromium is installed — except under CI, where ``.ci/run``
installs it and a missing browser must fail.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import queue
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from audit_support import TRIGGER_SCENARIO, run_folder

from trustsim.audit import load
from trustsim.reports import build_report

BROWSER = next((shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome")
                if shutil.which(b)), None)
# CI installs chromium (.ci/run): there a missing browser is a failure, not a skip
pytestmark = pytest.mark.skipif(
    BROWSER is None and os.environ.get("CI") != "true",
    reason="no headless browser: install Debian's chromium (apt-get install chromium); "
           ".ci/run does")
BASH = shutil.which("bash") or "/bin/bash"
LOCAL_SCHEMES = ("file:", "data:", "about:")
TIMEOUT_S = 30


class DevTools:
    """A minimal Chrome DevTools Protocol client over --remote-debugging-pipe (fds 3 and 4)."""

    def __init__(self, browser: str, profile: Path) -> None:
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        # the browser reads commands on fd 3 and writes replies on fd 4: bash wires them (dash
        # cannot redirect from a descriptor above 9)
        wire = f'exec "$0" "$@" 3<&{to_chrome_r} 4>&{from_chrome_w}'
        self.proc = subprocess.Popen(
            [BASH, "-c", wire, browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--disable-default-apps", "--disable-extensions",
             "--disable-domain-reliability", "--no-pings", "--disable-breakpad",
             "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9",
             f"--user-data-dir={profile}", "--remote-debugging-pipe", "about:blank"],
            pass_fds=(to_chrome_r, from_chrome_w),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._id = 0
        self._replies: dict[int, dict[str, Any]] = {}
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        self._inbox: queue.Queue[dict[str, Any]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        buf = b""
        with os.fdopen(self._from_chrome, "rb", buffering=0) as f:
            while chunk := f.read(65536):
                buf += chunk
                while b"\0" in buf:
                    raw, buf = buf.split(b"\0", 1)
                    msg = json.loads(raw)
                    (self._inbox if "id" in msg else self.events).put(msg)

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._id += 1
        msg: dict[str, Any] = {"id": self._id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        os.write(self._to_chrome, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + TIMEOUT_S
        while self._id not in self._replies:
            reply = self._inbox.get(timeout=max(0.1, deadline - time.monotonic()))
            self._replies[reply["id"]] = reply
        reply = self._replies.pop(self._id)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def close(self) -> None:
        with contextlib.suppress(Exception):   # the browser may already be gone
            self.call("Browser.close")
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        os.close(self._to_chrome)


def open_page(path: Path, profile: Path) -> tuple[dict[str, str], list[str], bytes]:
    """Load ``path``; return the body's data attributes, every URL requested, a screenshot."""
    assert BROWSER is not None, "CI must install chromium (see .ci/run)"
    dt = DevTools(BROWSER, profile)
    try:
        target = dt.call("Target.createTarget", url="about:blank")["targetId"]
        session = dt.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Network", "Page", "Runtime"):
            dt.call(f"{domain}.enable", session)
        dt.call("Page.navigate", session, url=path.resolve().as_uri())
        requested: list[str] = []
        deadline = time.monotonic() + TIMEOUT_S
        loaded = False
        while not loaded:
            ev = dt.events.get(timeout=max(0.1, deadline - time.monotonic()))
            if ev.get("method") == "Network.requestWillBeSent":
                requested.append(ev["params"]["request"]["url"])
            loaded = ev.get("method") == "Page.loadEventFired"
        time.sleep(0.3)                       # let late requests, if any, be announced
        while not dt.events.empty():
            ev = dt.events.get_nowait()
            if ev.get("method") == "Network.requestWillBeSent":
                requested.append(ev["params"]["request"]["url"])
        attrs = dt.call("Runtime.evaluate", session, returnByValue=True,
                        expression="JSON.stringify(Object.assign({}, document.body.dataset))")
        shot = dt.call("Page.captureScreenshot", session, format="png")["data"]
        return json.loads(attrs["result"]["value"]), requested, base64.b64decode(shot)
    finally:
        dt.close()


@pytest.fixture(scope="module", params=["base", TRIGGER_SCENARIO])
def report_html(request, tmp_path_factory) -> Path:
    scenario = None if request.param == "base" else request.param
    out = tmp_path_factory.mktemp("browser") / "report"
    return build_report(load(run_folder(tmp_path_factory, scenario)), out).html


def test_the_report_renders_its_timeline_and_plots_without_the_network(report_html, tmp_path):
    attrs, requested, shot = open_page(report_html, tmp_path / "profile")
    assert attrs["plotsTotal"] == "5"
    assert attrs["plotsRendered"] == "5"          # every PNG decoded
    assert int(attrs["timelineMarkers"]) >= 3     # periods, series, (trigger) drawn in SVG
    external = [u for u in requested if not u.startswith(LOCAL_SCHEMES)]
    assert external == []
    assert requested and requested[0].startswith("file:")   # the recorder saw the page itself
    (tmp_path / "screenshot.png").write_bytes(shot)
    assert shot.startswith(b"\x89PNG")


def test_the_request_recorder_catches_an_external_reference(tmp_path):
    page = tmp_path / "control.html"
    page.write_text('<!DOCTYPE html><html><body data-x="1">'
                    '<img src="http://report-assets.invalid/logo.png"></body></html>')
    _attrs, requested, _shot = open_page(page, tmp_path / "profile")
    assert "http://report-assets.invalid/logo.png" in requested
