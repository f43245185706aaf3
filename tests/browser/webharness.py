# SPDX-License-Identifier: ISC
"""webharness: what the browser tests of the web inbox (issue 9) share.

A headless Chromium driven through WebDriver (Debian's chromium,
chromium-driver and python3-selenium), with what plain Selenium does not
give: the HTTP status and headers of every page (read from Chromium's
performance log, so a refusal is told from a page that merely looks like
one), a wait for the page a click leads to, screenshots, axe-core run in
the page (injected through WebDriver, which the pages' Content-Security-
Policy does not govern), the browser's own reports of CSP violations, and
a small runner that runs every scenario, prints each one's result and
time, and ends with "N passed, N failed".

Nothing here knows the pages' contents: test_web.py does the asserting.
Not a test itself.
"""

import json
import os
import sqlite3
import subprocess
import sys
import time
import traceback

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
# The window the screenshots are taken in (CSS pixels).
WINDOW = (1280, 1000)
# Seconds: a page to load, a script (axe) to finish, a state to arrive.
PAGE_TIMEOUT = 15
SCRIPT_TIMEOUT = 30
# axe-core's impacts that fail the test.
AXE_FAILING = ("serious", "critical")
# The axe-core version scripts/deps installs (one place for both).
AXE_VERSION_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "axe-version")


def fail_setup(text):
    """A missing prerequisite: fail loudly (never pass without looking)."""
    print("FAIL: " + text, file=sys.stderr)
    sys.exit(1)


def axe_path():
    """axe.min.js: $DUTYNET_AXE_JS, else where scripts/deps put it."""
    p = os.environ.get("DUTYNET_AXE_JS")
    if p:
        return p
    with open(AXE_VERSION_FILE, encoding="ascii") as f:
        version = f.read().strip()
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "dutynet", "axe-core-" + version, "node_modules", "axe-core",
                        "axe.min.js")


def check_prerequisites():
    for path, what in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not os.access(path, os.X_OK):
            fail_setup("%s is missing (Debian package %s): run scripts/deps" % (path, what))
    try:
        import selenium  # noqa: F401
    except ImportError:
        fail_setup("python3-selenium is missing: run scripts/deps")
    if not os.path.isfile(axe_path()):
        fail_setup("axe-core is missing (%s): run scripts/deps" % axe_path())


class Page:
    """One HTTP answer to a document request: url, status, headers."""

    def __init__(self, url, status, headers):
        self.url = url
        self.status = status
        self.headers = {k.lower(): v for k, v in headers.items()}

    def __repr__(self):
        return "%d %s" % (self.status, self.url)


class Browser:
    """Headless Chromium with the statuses of the pages it loads."""

    def __init__(self, out_dir, tmp_dir):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        self.out_dir = out_dir
        self.axe_js = None
        self.axe_results = []   # (page name, url, [violations])
        self.csp_reports = []   # console reports of CSP violations
        self.last = []          # the Pages of the last navigation
        self.seen = []          # every Page loaded
        o = webdriver.ChromeOptions()
        o.binary_location = CHROMIUM
        # --no-sandbox: Chromium's sandbox refuses to run as root.
        for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                  "--disable-gpu", "--hide-scrollbars", "--window-size=%d,%d" % WINDOW,
                  "--lang=en-GB", "--no-first-run",
                  "--user-data-dir=" + os.path.join(tmp_dir, "chromium")):
            o.add_argument(a)
        o.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
        service = Service(CHROMEDRIVER, log_path=os.path.join(tmp_dir, "chromedriver.log"))
        self.d = webdriver.Chrome(service=service, options=o)
        self.d.set_page_load_timeout(PAGE_TIMEOUT)
        self.d.set_script_timeout(SCRIPT_TIMEOUT)

    def quit(self):
        self.d.quit()

    # ---- what was loaded

    def _drain(self):
        """The Pages (document answers, redirects included) since the last
        call; also collects the console's CSP reports."""
        pages = []
        for e in self.d.get_log("performance"):
            m = json.loads(e["message"])["message"]
            p = m.get("params", {})
            if m["method"] == "Network.requestWillBeSent" and p.get("redirectResponse") \
                    and p.get("type") == "Document":
                r = p["redirectResponse"]
                pages.append(Page(r["url"], r["status"], r.get("headers", {})))
            elif m["method"] == "Network.responseReceived" and p.get("type") == "Document":
                r = p["response"]
                pages.append(Page(r["url"], r["status"], r.get("headers", {})))
        for e in self.d.get_log("browser"):
            if "Content Security Policy" in e.get("message", ""):
                self.csp_reports.append("%s: %s" % (self.d.current_url, e["message"]))
        return pages

    def page(self):
        """The answer that is on screen now (the last document loaded)."""
        if not self.last:
            raise AssertionError("no document was loaded by the last navigation")
        return self.last[-1]

    def status(self):
        return self.page().status

    # ---- navigating

    def go(self, url):
        """Loads url; the answer on screen (after redirects)."""
        self._drain()
        self.d.get(url)
        self._settle()
        return self.page()

    def _settle(self):
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.support.ui import WebDriverWait

        WebDriverWait(self.d, PAGE_TIMEOUT, ignored_exceptions=(WebDriverException,)).until(
            lambda d: d.execute_script("return document.readyState") == "complete")
        # The performance log may trail the load by a moment.
        deadline = time.monotonic() + PAGE_TIMEOUT
        self.last = self._drain()
        while not self.last and time.monotonic() < deadline:
            time.sleep(0.05)
            self.last = self._drain()
        self.seen.extend(self.last)

    def click_and_wait(self, element):
        """Clicks element (a submit button, a link) and waits for the page
        it leads to; that page's answer.  The old page is marked, and the
        new one is the first document without the mark (element staleness
        is not reliable across Chromium versions)."""
        from selenium.common.exceptions import WebDriverException

        self.js("window.dnOldPage = true")
        self._drain()
        element.click()
        deadline = time.monotonic() + PAGE_TIMEOUT
        while True:
            try:
                if self.js("return window.dnOldPage === undefined"):
                    break
            except WebDriverException:
                pass    # between two documents
            if time.monotonic() >= deadline:
                raise AssertionError("no new page within %ds of the click" % PAGE_TIMEOUT)
            time.sleep(0.05)
        self._settle()
        return self.page()

    def js(self, script, *args):
        return self.d.execute_script(script, *args)

    # ---- finding

    def find(self, css):
        return self.d.find_element("css selector", css)

    def find_all(self, css):
        return self.d.find_elements("css selector", css)

    def has(self, css):
        return len(self.find_all(css)) > 0

    def text(self, css):
        return self.find(css).text

    def fill(self, css, value):
        e = self.find(css)
        e.clear()
        e.send_keys(value)

    def select(self, css, value):
        from selenium.webdriver.support.ui import Select

        Select(self.find(css)).select_by_value(value)

    def h1(self):
        return self.text("h1")

    # ---- recording

    def screenshot(self, name):
        """NAME.png in the output directory, the whole page tall."""
        height = self.js("return Math.max(document.documentElement.scrollHeight, %d)" %
                         WINDOW[1])
        self.d.set_window_size(WINDOW[0], min(height + 120, 6000))
        path = os.path.join(self.out_dir, name + ".png")
        self.d.save_screenshot(path)
        self.d.set_window_size(*WINDOW)
        return path

    def axe(self, name):
        """Runs axe-core on the page; records its serious and critical
        violations under name (checked at the end) and returns them."""
        if self.axe_js is None:
            with open(axe_path(), encoding="utf-8") as f:
                self.axe_js = f.read()
        self.js(self.axe_js)
        if self.js("return typeof window.axe") != "object":
            raise AssertionError("axe-core did not load into the page %s" % self.d.current_url)
        res = self.d.execute_async_script(
            "var done = arguments[arguments.length - 1];"
            "axe.run(document).then(function (r) { done({violations: r.violations,"
            " passes: r.passes.length}); }, function (e) { done({error: String(e)}); });")
        if "error" in res:
            raise AssertionError("axe-core failed on %s: %s" % (self.d.current_url, res["error"]))
        bad = [{"id": v["id"], "impact": v["impact"], "help": v["help"],
                "nodes": [" ".join(n["target"]) if isinstance(n["target"], list)
                          else str(n["target"]) for n in v["nodes"]][:5]}
               for v in res["violations"] if v.get("impact") in AXE_FAILING]
        minor = [v["id"] + " (" + str(v.get("impact")) + ")" for v in res["violations"]
                 if v.get("impact") not in AXE_FAILING]
        self.axe_results.append({"page": name, "url": self.d.current_url, "failing": bad,
                                 "minor": minor, "passes": res["passes"]})
        return bad


class Runner:
    """Runs scenarios in order; a failure is reported (with a screenshot of
    the page it happened on) and the next scenario runs."""

    def __init__(self, browser):
        self.b = browser
        self.passed = []
        self.failed = []

    def run(self, name, fn, *args):
        t0 = time.monotonic()
        try:
            fn(*args)
        except Exception as e:  # an assertion or the browser failing
            took = time.monotonic() - t0
            self.failed.append(name)
            print("FAIL %-34s %5.1fs  %s: %s" % (name, took, type(e).__name__, e), flush=True)
            traceback.print_exc(limit=4, file=sys.stdout)
            try:
                print("     page: %s; screenshot %s" %
                      (self.b.d.current_url, self.b.screenshot("failed-" + name)))
            except Exception:  # the browser itself may be gone
                pass
            return False
        print("ok   %-34s %5.1fs" % (name, time.monotonic() - t0), flush=True)
        self.passed.append(name)
        return True

    def finish(self):
        print("%d passed, %d failed" % (len(self.passed), len(self.failed)))
        if self.failed:
            print("failed: " + ", ".join(self.failed))
        return 1 if self.failed else 0


def expect(cond, text):
    """An assertion that names what was expected (plain assert may be
    stripped by -O)."""
    if not cond:
        raise AssertionError(text)


def wait_for(what, fn, secs=PAGE_TIMEOUT, every=0.25):
    """Polls fn until it returns something true; fails naming what."""
    deadline = time.monotonic() + secs
    while True:
        v = fn()
        if v:
            return v
        if time.monotonic() >= deadline:
            raise AssertionError("not within %gs: %s" % (secs, what))
        time.sleep(every)


def agent_db(conf, agency):
    """A read-only connection to agency's agent database."""
    path = os.path.join(conf, "run", agency, "agent.db")
    c = sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=5)
    return c


def audit_rows(conf, agency, event, message_id=None):
    """The details of agency's audit entries of event (for message_id)."""
    with agent_db(conf, agency) as c:
        if message_id is None:
            q = c.execute("SELECT detail FROM audit WHERE event = ? ORDER BY seq", (event,))
        else:
            q = c.execute("SELECT detail FROM audit WHERE event = ? AND message_id = ? "
                          "ORDER BY seq", (event, bytes.fromhex(message_id.replace("-", ""))))
        return [r[0] for r in q.fetchall()]


def cli(conf, agency, *args, stdin=None):
    """The dutynet command as agency's staff would run it; its stdout."""
    env = dict(os.environ, DUTYNET_CONFIG=conf, DUTYNET_AGENCY=agency)
    p = subprocess.run([os.environ["DN_CLI"]] + list(args), env=env, input=stdin,
                       capture_output=True, text=True, timeout=30)
    if p.returncode != 0:
        raise AssertionError("dutynet %s at %s exited %d: %s %s" %
                             (" ".join(args), agency, p.returncode, p.stdout, p.stderr))
    return p.stdout
