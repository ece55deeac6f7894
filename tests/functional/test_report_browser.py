"""The HTML report in a real headless browser: it renders, asks the network for nothing,
and shows every Chinese character in the packaged font (no empty box), as does a PDF page.

Debian's chromium is driven over the Chrome DevTools Protocol on a pipe (no port is
opened): the test records every request the page makes (``Network.requestWillBeSent``)
and reads back, after the load event, how many plots decoded and how many timeline
markers were drawn. The browser is also started with every host name resolving to
nothing and a proxy on a closed loopback port, so even the browser's own background
traffic cannot leave the machine. A control page with one external image proves the
request recorder sees what it must.

Missing glyphs: the page's Chinese characters are drawn side by side in its own font, one
to a fixed cell, after a character no font has (U+10FFFD) — the missing-glyph box; a
screenshot of the cells shows whether any character drew that box (or nothing). A control
page without the embedded font shows the boxes on a machine without Chinese fonts, so the
comparison sees them. The PDF page is rendered by PDFium: every Chinese character of the
document is in its text, and the characters' images are all different and not empty
(missing glyphs would all draw one box).

Skips, saying why, when no chromium is installed — except under CI, where ``.ci/run``
installs it and a missing browser must fail.
"""

from __future__ import annotations

import base64
import contextlib
import io
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
from trustsim.reports import ReportResult, build_report
from trustsim.reports.build import trustee_documents
from trustsim.reports.document import to_pdf
from trustsim.reports.fonts import FontSet
from trustsim.reports.periodic import trustee_reports

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


_BUILT: dict[str | None, ReportResult] = {}


def built(tmp_path_factory, scenario: str | None) -> ReportResult:
    if scenario not in _BUILT:
        out = tmp_path_factory.mktemp("browser") / "report"
        _BUILT[scenario] = build_report(load(run_folder(tmp_path_factory, scenario)), out,
                                        pdf=False)
    return _BUILT[scenario]


@pytest.fixture(scope="module", params=["base", TRIGGER_SCENARIO])
def report_html(request, tmp_path_factory) -> Path:
    scenario = None if request.param == "base" else request.param
    return built(tmp_path_factory, scenario).html


def test_the_report_renders_its_timeline_and_plots_without_the_network(report_html, tmp_path):
    attrs, requested, shot = open_page(report_html, tmp_path / "profile")
    assert attrs["plotsTotal"] == "4"
    assert attrs["plotsRendered"] == "4"          # every PNG decoded
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


# ---------------------------------------------------------------- missing glyphs
MISSING = "\U0010fffd"          # a character no font has: the browser draws its missing-glyph box
CELL = 32
COLS = 36
PROBE = """
document.fonts.ready.then(function () {
  var seen = {}, chars = [];
  Array.from(document.body.innerText).forEach(function (c) {
    if (c.codePointAt(0) >= 0x2E80 && !seen[c]) { seen[c] = 1; chars.push(c); }
  });
  var box = document.createElement('div');
  box.style.cssText = 'position:fixed;left:0;top:0;z-index:99999;background:#fff;margin:0;' +
    'padding:0;line-height:1;width:%(w)dpx';
  var fam = getComputedStyle(document.body).fontFamily;
  [String.fromCodePoint(0x10FFFD)].concat(chars).forEach(function (c) {
    var s = document.createElement('span');
    s.textContent = c;
    s.style.cssText = 'display:inline-block;width:%(c)dpx;height:%(c)dpx;font-size:24px;' +
      'line-height:%(c)dpx;color:#000;text-align:center;vertical-align:top;overflow:hidden;' +
      'font-family:' + fam;
    box.appendChild(s);
  });
  document.body.appendChild(box);
  return JSON.stringify(chars);
})
""".replace("%(w)d", str(CELL * COLS)).replace("%(c)d", str(CELL))


def probe_glyphs(path: Path, profile: Path) -> tuple[list[str], list[bytes]]:
    """The page's distinct CJK characters, and a cell's pixels for each, after the
    missing-glyph reference (cell 0)."""
    from PIL import Image

    assert BROWSER is not None, "CI must install chromium (see .ci/run)"
    dt = DevTools(BROWSER, profile)
    try:
        target = dt.call("Target.createTarget", url="about:blank")["targetId"]
        session = dt.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        dt.call("Page.enable", session)
        dt.call("Emulation.setDeviceMetricsOverride", session, width=CELL * COLS + 40,
                height=1600, deviceScaleFactor=1, mobile=False)
        dt.call("Page.navigate", session, url=path.resolve().as_uri())
        deadline = time.monotonic() + TIMEOUT_S
        while dt.events.get(timeout=max(0.1, deadline - time.monotonic())).get("method") \
                != "Page.loadEventFired":
            pass
        res = dt.call("Runtime.evaluate", session, expression=PROBE, awaitPromise=True,
                      returnByValue=True)
        chars = json.loads(res["result"]["value"])
        rows = (len(chars) + 1 + COLS - 1) // COLS
        time.sleep(0.2)
        shot = dt.call("Page.captureScreenshot", session, format="png",
                       clip={"x": 0, "y": 0, "width": CELL * COLS, "height": CELL * rows,
                             "scale": 1})["data"]
    finally:
        dt.close()
    img = Image.open(io.BytesIO(base64.b64decode(shot))).convert("L")
    cells = [img.crop(((i % COLS) * CELL, (i // COLS) * CELL, (i % COLS + 1) * CELL,
                       (i // COLS + 1) * CELL)).tobytes() for i in range(len(chars) + 1)]
    return chars, cells


def _inked(cell: bytes) -> bool:
    return min(cell) < 128


def _missing(chars: list[str], cells: list[bytes]) -> list[str]:
    """Characters drawn as the missing-glyph reference, or as nothing."""
    ref = cells[0]
    return [c for c, cell in zip(chars, cells[1:], strict=True) if cell == ref or not _inked(cell)]


def _documents(tmp_path_factory) -> list[Path]:
    result = built(tmp_path_factory, None)
    zh = sorted(p for p in result.documents if "/zh/" in str(p) and p.suffix == ".html")
    en = sorted(p for p in result.documents if "/en/" in str(p) and p.suffix == ".html")
    return [result.html, zh[1], en[1]]      # the page; a roll date's trustee report in zh and en


@pytest.mark.parametrize("which", ["report page", "trustee report zh", "trustee report en"])
def test_every_chinese_character_shows_in_the_packaged_font(which, tmp_path_factory, tmp_path):
    page = _documents(tmp_path_factory)[["report page", "trustee report zh",
                                         "trustee report en"].index(which)]
    chars, cells = probe_glyphs(page, tmp_path / "profile")
    assert len(chars) >= (100 if "zh" in which else 2)     # 万元, 受托机构报告 ...
    assert _inked(cells[0])                                # the reference box is drawn
    assert _missing(chars, cells) == []
    if which == "trustee report zh":
        docs = Path(__file__).resolve().parents[2] / "docs" / "img"
        assert (docs / "trustee-report-zh.png").is_file() and (docs / "trustee-report-en.png").is_file()


def test_the_glyph_probe_sees_the_boxes_of_a_page_without_the_font(tmp_path):
    if subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout.strip() \
            if shutil.which("fc-list") else False:
        pytest.skip("this machine has a Chinese font of its own: a page without the embedded "
                    "font would not show boxes")
    page = tmp_path / "control.html"
    page.write_text('<!DOCTYPE html><html><body style="font-family:sans-serif">'
                    '受托机构报告 资产管理报告</body></html>', encoding="utf-8")
    chars, cells = probe_glyphs(page, tmp_path / "profile")
    assert len(chars) == 10 and _missing(chars, cells) == chars   # every one a box


def test_a_pdf_page_shows_every_chinese_character(tmp_path_factory):
    import pypdfium2 as pdfium

    log = load(run_folder(tmp_path_factory))
    reports = trustee_reports(log)[1:2]                    # the first roll date
    doc = trustee_documents(log, reports, ("zh",))[(reports[0]["seq"], "zh")]
    pdf = pdfium.PdfDocument(to_pdf(doc, FontSet(doc.text())))
    wanted = {c for c in doc.text() if ord(c) >= 0x2E80}
    shown: dict[str, bytes] = {}
    text = ""
    for page in pdf:
        tp = page.get_textpage()
        text += tp.get_text_range()
        scale = 4
        img = page.render(scale=scale).to_pil().convert("L")
        height = page.get_height()
        for i in range(tp.count_chars()):
            c = tp.get_text_range(i, 1)
            if ord(c[:1] or " ") < 0x2E80 or c in shown:
                continue
            left, bottom, right, top = tp.get_charbox(i)
            box = img.crop((int(left * scale), int((height - top) * scale),
                            int(right * scale) + 1, int((height - bottom) * scale) + 1))
            shown[c] = box.resize((24, 24)).tobytes()
        tp.close()
        page.close()
    pdf.close()
    assert wanted <= set(text)                             # no character dropped
    assert all(_inked(v) for v in shown.values())          # each drew something
    images = list(shown.values())
    assert len(set(images)) == len(images) >= 100          # and no two alike: no box repeated
