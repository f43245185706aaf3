#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""The web inbox (issue 9) in a real browser, against the real daemons that
tests/integration/web_browser.sh starts (it sets the DN_* variables below).

Phase "main": the school's lead composes an urgent concern to the MASH; the
MASH's worker finds it at the top of the inbox (above a later message whose
next deadline is further off), opens, acknowledges and decides it; the lead
sees the receipt, the acknowledgement and the decision on the sent page.
An urgent concern arriving while the inbox is open is announced in the
page's live region (Server-Sent Events).
Also: a wrong password, a lockout that refuses even the right password, a
form posted without (or with a wrong) CSRF token, a viewer who can read but
not act, a summary holding <script> shown as text.  Phase "overdue": the
MASH runs DN_AHEAD_MS ahead, past an immediate concern's deadline, which
the inbox, the message and the deadlines page show as overdue.

Every page seen must carry the agreed security headers; Chromium must
report no Content-Security-Policy violation; axe-core must find nothing
serious or critical.  Screenshots of the inbox, a message and the compose
form (and more) go to DN_OUT.  Output ends with "N passed, N failed".
"""

import argparse
import json
import os
import re
import sys
import tempfile
import time

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import webharness as wh  # noqa: E402
from webharness import expect, wait_for  # noqa: E402

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
# Seconds for a message or an answer to travel through the broker.
TRAVEL = 20
# Failed sign-ins that lock an account (WEB.md, loginrate).
LOCK_AFTER = 5

E = os.environ
SCHOOL = E.get("DN_SCHOOL_URL", "")
MASH = E.get("DN_MASH_URL", "")
CONF = E.get("DN_CONF", "")
OUT = E.get("DN_OUT", "")

URGENT_SUMMARY = ("This morning Maisie had bruises on her upper left arm in the shape of "
                  "fingertips. She told her class teacher: \"Dad grabbed me when he was "
                  "shouting last night.\" She does not want to go home tonight.")
SCRIPT_SUMMARY = ("<script>document.title = 'owned'; document.body.dataset.owned = 1;"
                  "</script><b id=\"bold\">not bold</b> & <img src=x id=\"img\"> \"quoted\"")

# What the scenarios learn, for the later ones.
got = {}


def urgent_fields(case, urgency, summary):
    return {"type": "concern", "to": "mash", "urgency": urgency, "case": case,
            "child-name": "Maisie Example", "dob": "2016-05-14", "category": "physical-abuse",
            "summary": summary, "referrer-name": "Anita Shah",
            "referrer-role": "Designated Safeguarding Lead",
            "referrer-contact": "01632 960101", "lawful-basis": "Children Act 1989 s47",
            "consent": "no",
            "consent-why-not": "asking the parents could place Maisie at greater risk"}


# ---- steps the scenarios share

def sign_in(b, base, user, password):
    """A fresh browser (no cookies) signing in at base; the answer."""
    b.go(base + "/login")
    b.d.delete_all_cookies()
    b.go(base + "/login")
    expect(b.has("form #username") and b.has("#password") and b.has("#login-button"),
           "the sign-in form lacks #username, #password or #login-button")
    b.fill("#username", user)
    b.fill("#password", password)
    return b.click_and_wait(b.find("#login-button"))


def signed_in(b, base, user, password, role):
    p = sign_in(b, base, user, password)
    expect(p.status == 200 and b.d.current_url == base + "/inbox",
           "signing in as %s did not lead to %s/inbox (%r)" % (user, base, p))
    who = b.text("#whoami")
    expect(user in who and role in who, "#whoami says %r, not %s (%s)" % (who, user, role))
    # The browser's own view of the session cookie (CDP hides Set-Cookie).
    c = {c["name"]: c for c in b.d.get_cookies()}.get("dn_session")
    expect(c is not None and c.get("httpOnly") is True and c.get("sameSite") == "Strict" and
           c.get("path") == "/", "the session cookie is not HttpOnly, SameSite=Strict, "
           "Path=/: %r" % c)


def fill_compose(b, fields):
    for k, v in fields.items():
        if k in ("type", "urgency", "consent"):
            b.find("input[name='%s'][value='%s']" % (k, v)).click()
        elif k in ("to", "category"):
            b.select("#" + k, v)
        else:
            b.fill("#" + k, v)


def compose(b, fields):
    """Sends fields from /compose; the new message's id (from /sent/ID)."""
    p = b.go(SCHOOL + "/compose")
    expect(p.status == 200 and b.has("form#compose-form"), "no compose form (%r)" % p)
    fill_compose(b, fields)
    p = b.click_and_wait(b.find("#send-button"))
    m = re.fullmatch(re.escape(SCHOOL) + "/sent/(" + UUID + ")", b.d.current_url)
    errors = [e.text for e in b.find_all(".govuk-error-summary li")]
    expect(p.status == 200 and m, "sending did not lead to /sent/ID (%r, errors %s)" %
           (p, errors))
    return m.group(1)


def state(b):
    return b.text("#state").strip()


def message_rows(b):
    return [(r.get_attribute("data-message-id"), r) for r in b.find_all("tr.dn-message")]


def inbox_ids(b):
    b.go(MASH + "/inbox")
    return [i for i, _ in message_rows(b)]


def open_message(b, base, mid):
    """Opens /message/ID at base once it has arrived; the answer."""
    def arrived():
        b.go(base + "/message/" + mid)
        return b.page().status == 200 and b.has("#summary")
    wait_for("message %s shown at %s/message/" % (mid, base), arrived, TRAVEL)
    return b.page()


def audited(agency, event, mid=None):
    return wh.audit_rows(CONF, agency, event, mid)


def post_forged(b, action, csrf, text):
    """Submits, from the page on screen, a form POSTing text to action with
    the csrf field csrf (None: no such field); the answer."""
    b.js("""
        var f = document.createElement('form');
        f.method = 'post'; f.action = arguments[0]; f.id = 'forged';
        var t = document.createElement('textarea'); t.name = 'text'; t.value = arguments[2];
        f.appendChild(t);
        if (arguments[1] !== null) {
            var c = document.createElement('input'); c.type = 'hidden'; c.name = 'csrf';
            c.value = arguments[1]; f.appendChild(c);
        }
        var s = document.createElement('button'); s.type = 'submit'; s.id = 'forged-submit';
        f.appendChild(s); document.body.appendChild(f);""", action, csrf, text)
    return b.click_and_wait(b.find("#forged-submit"))


# ---- phase main

def s_login_page(b):
    p = b.go(SCHOOL + "/")
    expect(b.d.current_url == SCHOOL + "/login" and p.status == 200,
           "/ without a session did not lead to /login (%r)" % p)
    expect(any(x.status == 303 for x in b.last), "/ did not answer 303 (%r)" % b.last)
    expect(b.has("input[name='csrf'][type='hidden']"), "the sign-in form has no csrf field")
    expect(not b.has("#nav-inbox") and not b.has("#logout-form"),
           "the sign-in page shows the signed-in navigation")
    b.screenshot("login")
    b.axe("login")


def s_wrong_password(b):
    p = sign_in(b, SCHOOL, E["DN_LEAD"], "not the password at all")
    expect(p.status == 200, "a wrong password answered %r, not 200" % p)
    expect(b.d.current_url == SCHOOL + "/login", "a wrong password left /login: %s" %
           b.d.current_url)
    expect(b.has(".govuk-error-summary") and
           "Wrong username or password" in b.text(".govuk-error-summary"),
           "no error summary saying 'Wrong username or password'")
    expect(not b.has("#whoami"), "signed in with a wrong password")
    expect(b.find("#password").get_attribute("value") == "", "the wrong password is echoed back")
    expect(b.go(SCHOOL + "/inbox") and b.d.current_url == SCHOOL + "/login",
           "/inbox reachable after a wrong password")
    rows = audited("school-stmarys", "login-failed")
    expect(any(E["DN_LEAD"] in r and "127.0.0.1" in r for r in rows),
           "no login-failed audit entry naming %s and the address: %s" % (E["DN_LEAD"], rows))
    expect(not any("not the password" in r for r in rows), "the password is in the audit log")


def s_lockout(b):
    user = E["DN_LOCKED"]
    for i in range(LOCK_AFTER):
        p = sign_in(b, SCHOOL, user, "wrong password %d" % i)
        expect(p.status == 200 and "Wrong username or password" in
               b.text(".govuk-error-summary"), "failed attempt %d answered %r" % (i + 1, p))
    p = sign_in(b, SCHOOL, user, E["DN_LOCKED_PW"])
    expect(p.status == 429, "the right password after %d failures answered %r, not 429" %
           (LOCK_AFTER, p))
    expect(b.has(".govuk-error-summary") and "Too many failed attempts" in
           b.text(".govuk-error-summary"), "no error summary saying 'Too many failed attempts'")
    expect(not b.has("#whoami"), "a locked account signed in")
    b.screenshot("login-locked")
    b.axe("login-locked")
    b.go(SCHOOL + "/inbox")
    expect(b.d.current_url == SCHOOL + "/login", "a locked account reached /inbox")
    rows = [r for r in audited("school-stmarys", "login-failed") if user in r]
    expect(len(rows) == LOCK_AFTER + 1, "%d login-failed entries for %s, not %d: %s" %
           (len(rows), user, LOCK_AFTER + 1, rows))


def s_login_csrf(b):
    b.go(SCHOOL + "/login")
    b.d.delete_all_cookies()
    b.go(SCHOOL + "/login")
    b.fill("#username", E["DN_LEAD"])
    b.fill("#password", E["DN_LEAD_PW"])
    b.js("document.querySelector(\"input[name='csrf']\").remove()")
    p = b.click_and_wait(b.find("#login-button"))
    expect(p.status == 403 and b.h1() == "Form expired",
           "the sign-in form without its csrf answered %r, h1 %r" % (p, b.h1()))
    b.go(SCHOOL + "/inbox")
    expect(b.d.current_url == SCHOOL + "/login", "signed in by a form without its csrf")


def s_compose(b):
    signed_in(b, SCHOOL, E["DN_LEAD"], E["DN_LEAD_PW"], "lead")
    for n in ("#nav-inbox", "#nav-compose", "#nav-sent", "#nav-deadlines", "form#logout-form",
              "#logout-button"):
        expect(b.has(n), "the lead's navigation lacks %s" % n)
    p = b.click_and_wait(b.find("a#nav-compose"))
    expect(p.status == 200 and b.d.current_url == SCHOOL + "/compose", "nav-compose: %r" % p)
    expect(b.has("form#compose-form input[name='csrf']"), "the compose form has no csrf field")
    for f in ("to", "case", "child-name", "dob", "upn", "nhs", "category", "summary",
              "referrer-name", "referrer-role", "referrer-contact", "lawful-basis",
              "consent-why-not", "send-button"):
        expect(b.has("#" + f), "the compose form has no #%s" % f)
    offered = [o.get_attribute("value") for o in b.find_all("#to option")]
    expect("mash" in offered and "camhs" in offered,
           "the recipients offered lack the MASH or CAMHS: %s" % offered)
    expect("school-stmarys" not in offered and "lscp" not in offered,
           "the recipients offered include ones the policy does not allow: %s" % offered)
    names = {o.get_attribute("value"): o.text for o in b.find_all("#to option")}
    expect(names["mash"].startswith("Children's Services MASH (front door)"),
           "the MASH is offered as %r, not by its name" % names["mash"])
    expect(b.find("#urgency-standard").is_selected() and
           len([r for r in b.find_all("input[name='urgency']") if r.is_selected()]) == 1,
           "urgency is not pre-selected as standard")
    cats = {o.get_attribute("value"): o.text for o in b.find_all("#category option")}
    expect(cats.get("physical-abuse") == "Physical abuse",
           "the category is offered as %r" % cats.get("physical-abuse"))
    b.screenshot("compose")
    b.axe("compose")
    # Incomplete: refused with every problem beside its field, values kept.
    fill_compose(b, {"type": "concern", "case": "STM-0142", "dob": "14/05/2016"})
    p = b.click_and_wait(b.find("#send-button"))
    expect(p.status == 400, "an incomplete form answered %r, not 400" % p)
    links = [a.get_attribute("href").split("#")[-1]
             for a in b.find_all(".govuk-error-summary a")]
    # Every problem in the summary, in the order of the fields on the page.
    want = ["to", "child-name", "dob", "category", "summary", "referrer-name", "referrer-role",
            "referrer-contact", "lawful-basis", "consent"]
    expect(links == want, "the error summary links to %s, not %s" % (links, want))
    # In the page's words, naming the field as labelled; never the CLI's.
    words = {"to": "Select who to send it to",
             "dob": "Enter the child's date of birth as YYYY-MM-DD, for example 2016-05-14",
             "child-name": "Enter the child's full name"}
    for f, w in words.items():
        expect(b.text("p#%s-error" % f).endswith(w),
               "#%s-error says %r, not %r" % (f, b.text("p#%s-error" % f), w))
        expect(w in b.text(".govuk-error-summary"), "the error summary lacks %r" % w)
    expect("--" not in b.text(".govuk-error-summary") and
           "dutynet send" not in b.text("main"), "command-line wording on the page: %r" %
           b.text(".govuk-error-summary"))
    for f in ("to", "child-name", "dob", "summary"):
        expect(b.has("p#%s-error.govuk-error-message" % f), "no p#%s-error" % f)
        e, field = b.find("p#%s-error" % f), b.find("#" + f)
        expect(e.location["y"] < field.location["y"], "#%s-error is not before #%s" % (f, f))
    expect(b.find("#case").get_attribute("value") == "STM-0142", "the case typed was not kept")
    expect(b.find("#dob").get_attribute("value") == "14/05/2016", "the date typed was not kept")
    b.screenshot("compose-errors")
    b.axe("compose-errors")
    got["urgent"] = compose(b, urgent_fields("STM-0142", "urgent", URGENT_SUMMARY))
    expect(state(b) in ("queued", "accepted", "delivered"),
           "a new message's state is %r" % state(b))
    rows = audited("school-stmarys", "composed", got["urgent"])
    expect(rows and E["DN_LEAD"] in rows[0], "no 'composed' audit entry naming the lead: %s" %
           rows)


def s_later_message(b):
    """A routine concern sent after the urgent one and already answered at
    the MASH: newer, but its next deadline (feedback) is days away."""
    out = wh.cli(CONF, "school-stmarys", "send", "concern", "--to", "mash", "--case",
                 "STM-0200", "--urgency", "routine", "--child-name", "Leo Sample",
                 "--dob", "2015-09-30", "--category", "neglect", "--summary",
                 "Came to school hungry three days running", "--referrer-name", "Anita Shah",
                 "--referrer-role", "DSL", "--referrer-contact", "01632 960101",
                 "--lawful-basis", "Children Act 1989 s17", "--consent", "yes", "--json")
    got["later"] = json.loads(out)["id"]

    def at_mash():
        return bool(audited("mash", "received", got["later"]))
    wait_for("the routine concern received by the MASH", at_mash, TRAVEL)
    wh.cli(CONF, "mash", "ack", got["later"], "--by", "Sam Duty, Social Worker")
    wh.cli(CONF, "mash", "decide", got["later"], "accept", "--by", "Sam Duty, Social Worker")


def s_worker_inbox(b):
    signed_in(b, MASH, E["DN_WORKER"], E["DN_WORKER_PW"], "worker")
    expect(b.h1() == "Inbox" and b.has("table#inbox-table"), "no Inbox h1 and #inbox-table")
    wait_for("both concerns in the MASH's inbox",
             lambda: {got["urgent"], got["later"]} <= set(inbox_ids(b)), TRAVEL)
    rows = message_rows(b)
    expect(rows[0][0] == got["urgent"], "the urgent concern is not at the top: %s" %
           [i for i, _ in rows])
    top = rows[0][1]
    expect(top.get_attribute("data-urgency") == "urgent", "the top row's urgency is %r" %
           top.get_attribute("data-urgency"))
    expect("STM-0142" in top.text and "St Mary's C of E Primary School" in top.text and
           "school-stmarys" not in top.text,
           "the top row does not show the case and the sender's name: %r" % top.text)
    expect(top.find_element("css selector", "td.dn-state").text.strip() == "received",
           "the top row's state is not 'received': %r" % top.text)
    b.screenshot("inbox")
    b.axe("inbox")
    p = b.click_and_wait(top.find_element("css selector", "a.dn-open"))
    expect(p.status == 200 and b.d.current_url == MASH + "/message/" + got["urgent"],
           "a.dn-open led to %r" % p)
    summary = b.js("return document.getElementById('summary').textContent")
    expect(summary == URGENT_SUMMARY, "#summary is %r" % summary)
    expect("Maisie Example" in b.text("main"), "the child's name is not shown")
    expect(state(b) == "received", "#state is %r before any action" % state(b))
    for f in ("form#ack-form", "form#decide-form", "form#feedback-form"):
        expect(b.has(f), "the worker's message page lacks %s" % f)
    b.screenshot("message")
    b.axe("message")
    rows = audited("mash", "read", got["urgent"])
    expect(any(E["DN_WORKER"] in r and "worker" in r for r in rows),
           "no 'read' audit entry naming %s (worker): %s" % (E["DN_WORKER"], rows))


def s_worker_answers(b):
    mid = got["urgent"]
    b.fill("#ack-form textarea[name='text']", "Received; the duty social worker is on it.")
    p = b.click_and_wait(b.find("#ack-button"))
    expect(p.status == 200 and any(x.status == 303 for x in b.last),
           "acknowledging did not answer 303 then 200: %r" % b.last)
    expect(b.d.current_url.startswith(MASH + "/message/" + mid),
           "acknowledging led to %s" % b.d.current_url)
    expect("Acknowledged" in b.text(".govuk-notification-banner"), "no 'Acknowledged' banner")
    expect(state(b) == "acknowledged", "#state is %r after acknowledging" % state(b))
    expect(not b.has("form#ack-form"), "the acknowledge form is still offered")
    # Declining with no reason: the page's words, beside the field.
    b.find("input[name='decision'][value='decline']").click()
    p = b.click_and_wait(b.find("#decide-button"))
    expect(p.status == 400, "a decline without a reason answered %r" % p)
    e, field = b.find("p#reason-error"), b.find("#reason")
    expect(e.text.endswith("Enter the reason for declining") and
           e.location["y"] < field.location["y"],
           "no 'Enter the reason for declining' before #reason: %r" % e.text)
    links = [a.get_attribute("href").split("#")[-1]
             for a in b.find_all(".govuk-error-summary a")]
    expect(links == ["reason"], "the error summary links to %s, not #reason" % links)
    expect("--reason" not in b.text("main"), "command-line wording on the page")
    b.screenshot("message-errors")
    expect(state(b) == "acknowledged", "#state is %r after a refused decline" % state(b))
    b.find("input[name='decision'][value='accept']").click()
    b.fill("#decide-form textarea[name='text']", "Strategy discussion today.")
    p = b.click_and_wait(b.find("#decide-button"))
    expect(p.status == 200 and "Decision recorded" in b.text(".govuk-notification-banner"),
           "deciding: %r, no 'Decision recorded' banner" % p)
    expect(state(b) == "decided", "#state is %r after deciding" % state(b))
    expect(not b.has("form#decide-form"), "the decide form is still offered")
    b.screenshot("message-decided")
    for ev in ("acknowledged", "decided"):
        rows = audited("mash", ev, mid)
        expect(any(E["DN_WORKER"] in r for r in rows),
               "no '%s' audit entry at the MASH naming %s: %s" % (ev, E["DN_WORKER"], rows))


def s_live_alert(b):
    """An urgent concern arriving while the inbox is open: shown in the
    page's live region (Server-Sent Events, /static/dutynet.js)."""
    b.go(MASH + "/inbox")
    expect(b.find("#live-region").get_attribute("aria-live") == "polite",
           "no #live-region with aria-live=polite")
    before = len(b.find_all("#live-region .dn-live-item"))
    out = wh.cli(CONF, "school-stmarys", "send", "concern", "--to", "mash", "--case", "STM-LIVE",
                 "--urgency", "urgent", "--child-name", "Oscar Example", "--dob", "2021-02-03",
                 "--category", "domestic-abuse", "--summary", "Hides under the bed when Dad shouts",
                 "--referrer-name", "Anita Shah", "--referrer-role", "DSL", "--referrer-contact",
                 "01632 960101", "--lawful-basis", "Children Act 1989 s47", "--consent", "yes",
                 "--json")
    mid = json.loads(out)["id"]

    def shown():
        items = b.find_all("#live-region .dn-live-item")
        return len(items) > before and items[-1]
    item = wait_for("the urgent concern announced in #live-region", shown, TRAVEL)
    expect("STM-LIVE" in item.text and "St Mary's C of E Primary School" in item.text,
           "the announcement does not name the case and the sender: %r" % item.text)
    link = item.find_element("css selector", "a").get_attribute("href")
    expect(link == MASH + "/message/" + mid, "the announcement links to %s" % link)
    b.screenshot("inbox-live")


def s_lead_sees_answers(b):
    mid = got["urgent"]
    signed_in(b, SCHOOL, E["DN_LEAD"], E["DN_LEAD_PW"], "lead")

    def decided():
        b.go(SCHOOL + "/sent")
        cells = b.find_all("tr.dn-message[data-message-id='%s'] td.dn-state" % mid)
        return cells and cells[0].text.strip() == "decided"
    wait_for("the decision shown on the school's /sent", decided, TRAVEL)
    expect(b.has("table#sent-table"), "no table#sent-table")
    b.screenshot("sent")
    b.axe("sent")
    p = b.go(SCHOOL + "/sent/" + mid)
    expect(p.status == 200 and state(b) == "decided", "/sent/ID: %r, state %r" % (p, state(b)))
    items = [li.text for li in b.find_all("ol#timeline > li")]
    for want in ("queued", "accepted by broker", "delivered", "acknowledged",
                 "decided: accept"):
        expect(any(t.startswith(want) for t in items), "the timeline lacks %r: %s" %
               (want, items))
    expect(any(t.startswith("delivered") and "receipt" in t for t in items),
           "the timeline does not show the receipt: %s" % items)
    b.screenshot("sent-message")
    b.axe("sent-message")


def s_script_summary(b):
    signed_in(b, SCHOOL, E["DN_LEAD"], E["DN_LEAD_PW"], "lead")
    fields = urgent_fields("STM-0150", "routine", SCRIPT_SUMMARY)
    got["script"] = compose(b, fields)
    signed_in(b, MASH, E["DN_WORKER"], E["DN_WORKER_PW"], "worker")
    open_message(b, MASH, got["script"])
    shown = b.js("return document.getElementById('summary').textContent")
    expect(shown == SCRIPT_SUMMARY, "#summary is %r, not the text as typed" % shown)
    expect(b.js("return document.getElementById('summary').children.length") == 0,
           "markup from the summary became elements")
    expect(not b.has("#bold") and not b.has("#img"), "the summary's tags became elements")
    expect(b.d.title != "owned" and b.js("return document.body.dataset.owned") is None,
           "the summary's script ran")
    b.screenshot("message-script")


def s_csrf(b):
    mid = got["script"]
    b.go(MASH + "/message/" + mid)
    expect(state(b) == "received" and b.has("form#ack-form"), "not ready to acknowledge")
    b.fill("#ack-form textarea[name='text']", "posted without a token")
    b.js("document.querySelector(\"#ack-form input[name='csrf']\").remove()")
    p = b.click_and_wait(b.find("#ack-button"))
    expect(p.status == 403 and b.h1() == "Form expired",
           "an acknowledgement without its csrf answered %r, h1 %r" % (p, b.h1()))
    b.screenshot("form-expired")
    b.axe("form-expired")
    b.go(MASH + "/message/" + mid)
    good = b.find("#ack-form input[name='csrf']").get_attribute("value")
    forged = ("A" if good[0] != "A" else "B") + good[1:]
    p = post_forged(b, "/message/%s/ack" % mid, forged, "posted with a wrong token")
    expect(p.status == 403 and b.h1() == "Form expired",
           "an acknowledgement with a wrong csrf answered %r" % p)
    b.go(MASH + "/message/" + mid)
    expect(state(b) == "received", "#state is %r after refused posts" % state(b))
    expect(audited("mash", "acknowledged", mid) == [],
           "a refused post was recorded as an acknowledgement")


def s_viewer(b):
    mid = got["script"]
    signed_in(b, MASH, E["DN_VIEWER"], E["DN_VIEWER_PW"], "viewer")
    expect(not b.has("a#nav-compose"), "a viewer is offered Compose")
    p = b.go(MASH + "/message/" + mid)
    expect(p.status == 200 and b.has("#summary"), "a viewer cannot read the message: %r" % p)
    for f in ("#ack-form", "#decide-form", "#feedback-form"):
        expect(not b.has(f), "a viewer is offered %s" % f)
    rows = audited("mash", "read", mid)
    expect(any(E["DN_VIEWER"] in r and "viewer" in r for r in rows),
           "no 'read' audit entry naming the viewer: %s" % rows)
    token = b.find("#logout-form input[name='csrf']").get_attribute("value")
    p = post_forged(b, "/message/%s/ack" % mid, token, "a viewer acknowledging")
    expect(p.status == 403, "a viewer's acknowledgement answered %r, not 403" % p)
    p = b.go(MASH + "/compose")
    expect(p.status == 403, "a viewer's GET /compose answered %r, not 403" % p)
    b.go(MASH + "/message/" + mid)
    expect(state(b) == "received", "#state is %r after a viewer's post" % state(b))
    expect(audited("mash", "acknowledged", mid) == [], "a viewer's acknowledgement was recorded")


def s_logout(b):
    b.go(MASH + "/inbox")
    p = b.click_and_wait(b.find("#logout-button"))
    expect(p.status == 200 and b.d.current_url == MASH + "/login", "signing out: %r" % p)
    b.go(MASH + "/inbox")
    expect(b.d.current_url == MASH + "/login", "/inbox still open after signing out")


# ---- phase overdue

def s_overdue(b):
    mid = E["DN_OVERDUE_ID"]
    signed_in(b, MASH, E["DN_WORKER"], E["DN_WORKER_PW"], "worker")

    def listed():
        return mid in inbox_ids(b)
    wait_for("the immediate concern in the inbox", listed, TRAVEL)
    rows = message_rows(b)
    expect(rows[0][0] == mid, "the overdue concern is not at the top: %s" %
           [i for i, _ in rows])
    row = rows[0][1]
    expect("dn-overdue" in row.get_attribute("class").split(), "its row lacks class dn-overdue")
    tags = [t.get_attribute("textContent").strip()
            for t in row.find_elements("css selector", "strong.govuk-tag.govuk-tag--red")]
    expect("Overdue" in tags, "its row has no red 'Overdue' tag: %s" % tags)
    expect(re.search(r"late by \S.* working, \S.* clock", row.text),
           "its row does not say how late: %r" % row.text)
    overdue = [i for i, r in rows if "dn-overdue" in r.get_attribute("class").split()]
    expect(overdue == [mid], "rows shown overdue: %s, not just %s" % (overdue, mid))

    def noticed():
        b.go(MASH + "/inbox")
        n = b.find_all("tr.dn-message[data-message-id='%s'] .dn-notices" % mid)
        return n and re.search(r"[1-9][0-9]* reminders?", n[0].text)
    wait_for("the broker's reminders about it shown in its row", noticed, TRAVEL)
    b.screenshot("inbox-overdue")
    b.axe("inbox-overdue")
    b.click_and_wait(b.find("tr.dn-message[data-message-id='%s'] a.dn-open" % mid))
    expect(b.has("#deadlines .dn-overdue"), "the message's deadlines show nothing overdue")
    b.screenshot("message-overdue")
    p = b.click_and_wait(b.find("a#nav-deadlines"))
    expect(p.status == 200 and b.h1() == "Deadlines" and b.has("table#deadlines-table"),
           "the deadlines page: %r" % p)
    late = [r.get_attribute("data-message-id")
            for r in b.find_all("#deadlines-table tr.dn-overdue")]
    expect(mid in late, "the deadlines page does not show %s overdue: %s" % (mid, late))
    b.screenshot("deadlines")
    b.axe("deadlines")


# ---- checks over everything seen

def s_headers(b):
    bad = []
    ours = [p for p in b.seen if p.url.startswith((SCHOOL + "/", MASH + "/"))]
    for p in ours:
        h = p.headers
        for k, want in (("content-security-policy", CSP), ("x-content-type-options", "nosniff"),
                        ("referrer-policy", "no-referrer")):
            if h.get(k) != want:
                bad.append("%r: %s is %r" % (p, k, h.get(k)))
        if not 300 <= p.status < 400 and "no-store" not in h.get("cache-control", ""):
            bad.append("%r: cache-control is %r" % (p, h.get("cache-control")))
    expect(ours, "no page of the agents was seen")
    expect(not bad, "pages without the agreed headers:\n  " + "\n  ".join(bad[:20]))


def s_no_csp_reports(b):
    b._drain()
    expect(not b.csp_reports, "Chromium reported CSP violations:\n  " +
           "\n  ".join(b.csp_reports[:20]))


def s_axe(b):
    with open(os.path.join(OUT, "axe-%s.json" % PHASE), "w", encoding="utf-8") as f:
        json.dump(b.axe_results, f, indent=1)
    for r in b.axe_results:
        print("     axe %-16s %3d rules passed; serious/critical: %s; minor: %s" %
              (r["page"], r["passes"], [v["id"] for v in r["failing"]] or "none",
               ", ".join(r["minor"]) or "none"))
    bad = ["%s (%s): %s [%s] %s" % (r["page"], r["url"], v["id"], v["impact"], v["help"]) +
           "".join("\n      at " + n for n in v["nodes"])
           for r in b.axe_results for v in r["failing"]]
    expect(b.axe_results, "axe-core ran on no page")
    expect(not bad, "axe-core found serious or critical violations:\n  " + "\n  ".join(bad))


PHASES = {
    "main": [s_login_page, s_wrong_password, s_lockout, s_login_csrf, s_compose,
             s_later_message, s_worker_inbox, s_worker_answers, s_live_alert,
             s_lead_sees_answers,
             s_script_summary, s_csrf, s_viewer, s_logout],
    "overdue": [s_overdue],
}
# A later scenario needs what an earlier one made.
NEEDS = {s_later_message: "urgent", s_worker_inbox: "later", s_worker_answers: "urgent",
         s_live_alert: "urgent",
         s_lead_sees_answers: "urgent", s_csrf: "script", s_viewer: "script"}
PHASE = "main"


def main():
    global PHASE
    ap = argparse.ArgumentParser(description="the web inbox in headless Chromium")
    ap.add_argument("--phase", choices=sorted(PHASES), required=True)
    PHASE = ap.parse_args().phase
    wh.check_prerequisites()
    for k in ("DN_SCHOOL_URL", "DN_MASH_URL", "DN_CONF", "DN_OUT", "DN_CLI"):
        if not E.get(k):
            wh.fail_setup("%s is not set: run tests/integration/web_browser.sh" % k)
    os.makedirs(OUT, exist_ok=True)
    print("# browser test, phase %s; screenshots in %s" % (PHASE, OUT), flush=True)
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="dutynet-chromium-") as tmp:
        b = wh.Browser(OUT, tmp)
        try:
            run = wh.Runner(b)
            for s in PHASES[PHASE]:
                name = s.__name__[2:]
                if s in NEEDS and NEEDS[s] not in got:
                    print("FAIL %-34s        not run: an earlier scenario failed" % name)
                    run.failed.append(name)
                    continue
                run.run(name, s, b)
            for s in (s_headers, s_no_csp_reports, s_axe):
                run.run(s.__name__[2:], s, b)
        finally:
            b.quit()
    print("# phase %s took %.1fs" % (PHASE, time.monotonic() - t0))
    return run.finish()


if __name__ == "__main__":
    sys.exit(main())
