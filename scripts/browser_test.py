"""The closed loop in a real browser (headless Chromium driven by Selenium), as the people in it use it.

A resident files a report on the public page; the dispatcher registers and dispatches it in the
console; the handler reports it handled in the worklist; the grid worker verifies it on the patrol
page at phone size; the dispatcher closes it; the resident sees 已结案 by the tracking code. Then a
camera case with a merchant: the merchant confirms on the notice page, the grid worker's recheck
closes it. The district leader finds the worst street on the cockpit, drills to its open cases and
opens one; the cockpit's CSV is read back by Python and by LibreOffice. At the dispute and petition
centre the window registers a dispute, the community's mediator concludes it and the month's figure
moves, and a petition shows its clock on the ledger. The dispatcher registers an enterprise and
assigns it a commissioner, who logs a visit. Every page is screenshot in
Chinese and English; every request the pages make is
recorded and must stay on the server's origin; text that tries to be markup must stay text.

Usage: browser_test.py PATH/TO/gongzhi OUTPUT-DIR
"""
import base64
import csv
import hashlib
import hmac
import http.server
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

os.environ["SE_AVOID_STATS"] = "true"  # no usage statistics, no driver download: the machine is offline
from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import NoAlertPresentException, StaleElementReferenceException, WebDriverException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402
from selenium.webdriver.common.print_page_options import PrintOptions  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

BIN, OUT = sys.argv[1], sys.argv[2]
os.makedirs(OUT, exist_ok=True)
SECRET = "browser-test-webhook-secret"
MARK = "浏览器测试-" + str(int(time.time()))
HOSTILE = f'{MARK} <script>alert(1)</script> "><img src=x onerror=alert(2)> 垃圾箱破损'
checks = 0


def check(name, ok, detail=""):
    global checks
    checks += 1
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else f": {detail}"), flush=True)
    if not ok:
        raise SystemExit(1)


# Messages to merchants arrive here, as the district's SMS gateway would receive them.
notices = []


class Gateway(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        signed = hmac.new(SECRET.encode(), (self.headers["X-Gongzhi-Timestamp"] + ".").encode() + body, hashlib.sha256).hexdigest()
        if self.headers["X-Gongzhi-Signature"] == "sha256=" + signed:
            notices.append(json.loads(body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


gateway = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
threading.Thread(target=gateway.serve_forever, daemon=True).start()

work = tempfile.mkdtemp()
db = os.path.join(work, "g.sqlite")


def cli(*args, env=None):
    return subprocess.run([BIN, *args, "--db", db], check=True, capture_output=True, text=True, env=env).stdout.strip()


log = open(os.path.join(work, "serve.log"), "w")
# More logins than one address may make in five minutes by default: the walk logs in as a dozen people.
server = subprocess.Popen([BIN, "serve", "--port", "0", "--db", db, "--no-demo", "--now", "2026-11-24T10:00:00+08:00",
                           "--login-address-limit", "200",
                           "--notify-webhook", f"http://127.0.0.1:{gateway.server_address[1]}/sms"],
                          stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "GONGZHI_WEBHOOK_SECRET": SECRET})
base = None
for _ in range(600):
    m = re.search(r"http://127\.0\.0\.1:\d+", open(os.path.join(work, "serve.log")).read())
    if m:
        base = m.group(0)
        break
    time.sleep(0.1)
if base is None:
    print(open(os.path.join(work, "serve.log")).read())
    raise SystemExit("the server did not start")

users = [("dispatcher", "dispatcher", "330105"), ("mishixiang", "handler", "330105001"), ("shangtang", "handler", "330105008"),
         ("grid-mishixiang", "grid_worker", "330105001"), ("grid-shangtang", "grid_worker", "330105008"),
         ("leader", "leader", "330105"), ("auditor", "auditor", "330105"), ("duban", "supervisor", "330105"),
         ("xiaohe-community", "handler", "330105003051"),  # a community of 小河街道: the centre's first level
         ("rsj-clerk", "handler", "330105-RSJ"), ("rsj-lead", "leader", "330105-RSJ"), ("czj", "handler", "330105-CZJ")]
for name, role, unit in users:
    cli("users", "add", "--username", name, "--name", name, "--role", role, "--unit", unit, "--password-env", "PW",
        env={**os.environ, "PW": "browser-test-pw"})
admin = cli("keys", "create", "--role", "admin", "--name", "browser-test").splitlines()[-1]
machine = cli("keys", "create", "--role", "machine", "--name", "城市眼").splitlines()[-1]


def api(method, path, body=None, key=admin):
    req = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read())


options = webdriver.ChromeOptions()
for a in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--lang=zh-CN"]:
    options.add_argument(a)
options.binary_location = "/usr/bin/chromium"
options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
d.set_page_load_timeout(30)
shots = []


def size(phone):
    d.set_window_size(360 if phone else 1280, 900)


# The contrast of every element's own text against the first opaque background behind it (WCAG
# 2.x relative luminance); large text (24 px, or 18.66 px bold) needs 3:1, other text 4.5:1.
CONTRAST = """
function rgb(c) { const m = c.match(/[\\d.]+/g); return m ? m.map(Number) : [0, 0, 0, 0]; }
function lum(c) {
  const v = c.slice(0, 3).map(x => { x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
  return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
}
function background(e) {
  for (; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c.length < 4 || c[3] > 0) return c; }
  return [255, 255, 255];
}
const low = [];
for (const e of document.querySelectorAll('body *')) {
  const own = Array.from(e.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
  const s = getComputedStyle(e);
  if (!own || s.visibility === 'hidden' || e.getClientRects().length === 0) continue;
  const a = lum(rgb(s.color)), b = lum(background(e));
  const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  const size = parseFloat(s.fontSize), bold = parseInt(s.fontWeight, 10) >= 700;
  if (ratio < (size >= 24 || (bold && size >= 18.66) ? 3 : 4.5)) low.push(e.tagName + ' ' + ratio.toFixed(2) + ' ' + e.textContent.trim().slice(0, 20));
}
return low;
"""


def page_checks(name):
    """What every page must hold to: nothing outside the origin, no alert, no injected element,
    a label on every control, no sideways scrolling on a phone."""
    urls = [m["params"]["request"]["url"] for m in (json.loads(e["message"])["message"] for e in d.get_log("performance"))
            if m["method"] == "Network.requestWillBeSent"]
    # A data: URL makes no request off the machine; Chrome loads its own date-picker icon as one.
    elsewhere = [u for u in urls if not (u.startswith(base + "/") or u == base or u.startswith("data:"))]
    check(f"{name}: all {len(urls)} requests stay on the origin", urls and not elsewhere, elsewhere)
    try:
        text = d.switch_to.alert.text
        check(f"{name}: no script ran from user text", False, text)
    except NoAlertPresentException:
        pass
    check(f"{name}: no injected image", not d.find_elements(By.CSS_SELECTOR, "img"))
    scripts = [s.get_attribute("src") for s in d.find_elements(By.TAG_NAME, "script")]
    check(f"{name}: only the server's own script", all(s == base + "/static/app.js" for s in scripts), scripts)
    unlabelled = d.execute_script("""return Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))
        .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map(e => e.name)""")
    check(f"{name}: every control has a label", not unlabelled, unlabelled)
    low = d.execute_script(CONTRAST)
    check(f"{name}: text contrast at least 4.5:1 (WCAG AA)", not low, low[:5])
    # Every page is usable at 360 px: nothing forces the page wider than the screen.
    was = d.get_window_size()
    d.set_window_size(360, was["height"])
    width = d.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
    d.set_window_size(was["width"], was["height"])
    check(f"{name}: no sideways scrolling at 360 px", width[0] <= width[1] + 1, width)


def shoot(name):
    """A full-page screenshot in the page's language, then in the other one, and back."""
    for _ in range(2):
        lang = d.find_element(By.TAG_NAME, "html").get_attribute("lang")
        height = d.execute_script("return document.documentElement.scrollHeight")
        width = d.get_window_size()["width"]
        d.set_window_size(width, min(max(height + 120, 600), 8000))
        path = os.path.join(OUT, f"{name}-{lang}.png")
        d.save_screenshot(path)
        shots.append(path)
        d.set_window_size(width, 900)
        page_checks(f"{name} ({lang})")
        link = d.find_element(By.CSS_SELECTOR, "a.lang")
        link.click()
        gone(link)
    check(f"{name}: the language switch comes back", d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN")


def open_page(path, name, phone=False):
    size(phone)
    d.get(base + path)
    shoot(name)


def login(user):
    d.delete_all_cookies()
    d.get(base + "/login")
    d.find_element(By.ID, "username").send_keys(user)
    d.find_element(By.ID, "password").send_keys("browser-test-pw")
    submit()
    return d.current_url[len(base):]


def follow(selector):
    """Clicks a link on a live page (the cockpit redraws itself when figures change, which can
    replace the element between finding and clicking it): found afresh, up to three times."""
    for attempt in range(3):
        try:
            link = d.find_element(By.CSS_SELECTOR, selector)
            link.click()
            gone(link)
            return
        except StaleElementReferenceException:
            if attempt == 2:
                raise


def gone(element):
    """Waits for `element`'s page to be replaced. While Chrome swaps documents, asking about an old
    element can fail with "does not belong to the document" rather than as stale: both mean gone."""
    def check(_):
        try:
            element.is_enabled()
            return False
        except WebDriverException:
            return True
    WebDriverWait(d, 30).until(check)


def submit(selector="form.stack button"):
    button = d.find_element(By.CSS_SELECTOR, selector)
    button.click()
    gone(button)


def card(case_id):
    return d.find_element(By.ID, f"case-{case_id}")


def press(case_id, action, value=None, fill=None):
    c = card(case_id)
    form = c.find_element(By.CSS_SELECTOR, f"form[action='/cases/{case_id}/{action}']")
    for name, text in (fill or {}).items():
        field = form.find_element(By.NAME, name)
        field.clear()
        field.send_keys(text)
    selector = "button" + (f"[value='{value}']" if value else "")
    form.find_element(By.CSS_SELECTOR, selector).click()
    gone(form)  # the answer's page has replaced the form
    errors = d.find_elements(By.CSS_SELECTOR, ".error")
    check(f"{action} on case {case_id} is accepted", not errors, errors and errors[0].text)


started = time.time()
try:
    # 1. A resident on a phone: the form, a tap on the district map, the tracking code.
    d.delete_all_cookies()
    open_page("/", "public-report", phone=True)
    Select(d.find_element(By.ID, "category")).select_by_value("03005")
    svg = d.find_element(By.CSS_SELECTOR, "svg.map.pick")
    d.execute_script("arguments[0].scrollIntoView()", svg)
    ActionChains(d).move_to_element(svg).click().perform()
    lat, lon = d.find_element(By.ID, "lat").get_attribute("value"), d.find_element(By.ID, "lon").get_attribute("value")
    check("a tap on the map fills the coordinates", 30.2 < float(lat or 0) < 30.45 and 120.0 < float(lon or 0) < 120.3, (lat, lon))
    for field, value in [("lat", "30.291384"), ("lon", "120.146347")]:  # a place in 米市巷街道, typed
        d.find_element(By.ID, field).clear()
        d.find_element(By.ID, field).send_keys(value)
    d.find_element(By.ID, "description").send_keys(HOSTILE)
    d.find_element(By.ID, "name").send_keys("王小明")
    d.find_element(By.ID, "phone").send_keys("13812345678")
    submit()
    code = d.find_element(By.ID, "tracking-code").text
    check("the report answers with a tracking code", re.fullmatch(r"GS-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", code) is not None, code)
    check("the status page shows no personal field", "王小明" not in d.page_source and "13812345678" not in d.page_source)
    shoot("public-status")
    case_id = next(c["id"] for c in api("GET", "/api/v1/cases?source=resident")["items"] if c["tracking_code"] == code)

    # 2. The dispatcher registers it (the category confirmed) and dispatches it to the unit the rules choose.
    size(False)
    check("the dispatcher lands in the console", login("dispatcher") == "/console")
    check("the report waits in the queue, escaped", HOSTILE.split(" <")[0] in card(case_id).text and "<script>" in card(case_id).text)
    shoot("console")
    press(case_id, "register")
    rule = card(case_id).find_element(By.CSS_SELECTOR, f"form[action='/cases/{case_id}/dispatch'] .rule").text
    check("the console shows the unit the rules chose and why", "米市巷街道" in rule and "default" in rule, rule)
    press(case_id, "dispatch")
    check("dispatched", api("GET", f"/api/v1/cases/{case_id}")["status"] == "dispatched")
    open_page(f"/cases/{case_id}", "case")
    open_page("/cases", "cases")
    open_page("/cockpit", "cockpit")

    # 3. The handler reports it handled from the worklist.
    check("the handler lands in the worklist", login("mishixiang") == "/worklist")
    press(case_id, "accept")
    check("accepted", api("GET", f"/api/v1/cases/{case_id}")["accepted"] is True)
    shoot("worklist")
    press(case_id, "handle", fill={"text": "已更换垃圾箱", "photos": "https://photos.gongshu.example/after-1.jpg"})
    check("handled", api("GET", f"/api/v1/cases/{case_id}")["status"] == "handled")

    # 4. The grid worker verifies it on the patrol page, on a phone.
    size(True)
    check("the grid worker lands on the patrol page", login("grid-mishixiang") == "/patrol")
    shoot("patrol")
    press(case_id, "verify", value="true")
    check("verified", api("GET", f"/api/v1/cases/{case_id}")["status"] == "verified")

    # 5. The dispatcher closes it; 6. the resident sees 已结案.
    size(False)
    login("dispatcher")
    press(case_id, "close", fill={"text": "办结"})
    check("closed", api("GET", f"/api/v1/cases/{case_id}")["status"] == "closed")
    d.delete_all_cookies()
    size(True)
    d.get(base + "/status/" + code)
    check("the resident sees 已结案", d.find_element(By.ID, "public-status").text == "已结案")

    # A camera case with a merchant: notice, confirmation on the notice page, recheck on patrol.
    api("POST", "/api/v1/cameras", {"id": "CAM-BT-1", "name": "东苑路口", "location": {"lat": 30.342135, "lon": 120.142877},
                                    "categories": ["09005"]})
    api("POST", "/api/v1/merchants", {"id": "M-BT-1", "name": "东苑便利店", "contact_name": "周老板", "contact_phone": "13900001111",
                                      "location": {"lat": 30.34215, "lon": 120.1429}, "cameras": ["CAM-BT-1"]})
    event = {"event_id": "bt-1", "camera_id": "CAM-BT-1", "category": "09005", "confidence": 0.95, "state": "present",
             "detected_at": "2026-11-24T10:00:00+08:00", "snapshot_url": "https://cityeye.gongshu.example/s/bt-1.jpg"}
    camera_case = api("POST", "/api/v1/camera/events", {"events": [event]}, key=machine)["results"][0]["case_id"]
    for _ in range(300):
        if notices:
            break
        time.sleep(0.1)
    check("the merchant's notice reaches the gateway", bool(notices) and notices[0]["payload"].get("page_path", "").startswith("/notice/gzn_"), notices)
    d.delete_all_cookies()
    open_page(notices[0]["payload"]["page_path"], "notice", phone=True)
    check("the notice counts down", "剩余" in d.find_element(By.CSS_SELECTOR, ".countdown").text)
    d.find_element(By.ID, "photo").send_keys("https://photos.example/after-shop.jpg")
    submit()
    check("the merchant's confirmation is recorded", api("GET", f"/api/v1/cases/{camera_case}")["merchant_confirmed"] is True)
    login("grid-shangtang")
    press(camera_case, "recheck", value="true")
    final = api("GET", f"/api/v1/cases/{camera_case}")
    check("the recheck closes it as self-corrected", final["status"] == "closed" and final["self_corrected"] is True, final["status"])

    # 7. The district leader finds the worst street, drills to its cases and opens one; the
    # cockpit at desk and phone width, in both languages; its CSV export read back.
    for i in range(3):
        api("POST", "/api/v1/reports", {"source": "hotline", "category": "03005", "description": f"上塘路灯不亮 {i}",
                                        "location": {"lat": 30.3192, "lon": 120.1414}})
    size(False)
    check("the leader lands on the cockpit", login("leader") == "/cockpit")
    shoot("cockpit-1280")
    tiles = {t.get_attribute("data-tile"): t.find_element(By.CSS_SELECTOR, ".value").text
             for t in d.find_elements(By.CSS_SELECTOR, "li.tile")}
    check("the cockpit counts today's reports", int(tiles.get("cockpit_today", "0")) >= 2, tiles)
    streets = d.find_elements(By.CSS_SELECTOR, "svg.map a")
    check("the district map links each street", len(streets) >= 10, len(streets))
    worst = d.find_element(By.CSS_SELECTOR, ".choropleth + .scroll table tbody tr td a")  # the table is sorted worst first
    name = worst.text
    worst.click()
    gone(worst)
    check("a street's cockpit names it", name in d.find_element(By.CSS_SELECTOR, ".crumbs").text, name)
    shoot("cockpit-street")
    follow("li.tile[data-tile=cockpit_open] a")
    check("the open tile leads to the street's case list", d.current_url.startswith(base + "/cases?") and "street=" in d.current_url)
    rows = d.find_elements(By.CSS_SELECTOR, "table.list tbody a[href^='/cases/']")
    check("the street has open cases to open", len(rows) >= 1)
    rows[0].click()
    check("and one opens", re.match(r".*/cases/\d+$", d.current_url) is not None, d.current_url)
    d.get(base + "/cockpit")
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in d.get_cookies())
    req = urllib.request.Request(base + "/cockpit/export/areas?format=csv", headers={"Cookie": cookie})
    raw = urllib.request.urlopen(req).read()
    check("the CSV starts with a byte-order mark", raw[:3] == b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    check("Python's csv module reads the streets in Chinese", len(table) >= 2 and any("街道" in r[1] for r in table[1:]), table[:2])
    if shutil.which("soffice"):
        path = os.path.join(work, "areas.csv")
        open(path, "wb").write(raw)
        # Headless LibreOffice skips the import dialog, where the byte-order mark picks UTF-8, and
        # takes the charset from the locale (Latin-1 on a machine without one): name UTF-8 (76), as
        # the dialog would, and read the sheet back out as UTF-8.
        subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{work}/lo",
                        "--infilter=Text - txt - csv (StarCalc):44,34,76", "--convert-to",
                        "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", os.path.join(work, "lo-out"), path],
                       check=True, capture_output=True, timeout=120)
        back = list(csv.reader(open(os.path.join(work, "lo-out", "areas.csv"), encoding="utf-8-sig")))

        def same(a, b):
            """Text cell for cell; numbers by value (LibreOffice writes 100.0% back as 100.00%)."""
            if a == b:
                return True
            try:
                return abs(float(a.rstrip("%")) - float(b.rstrip("%"))) < 1e-9 and a.endswith("%") == b.endswith("%")
            except ValueError:
                return False
        differ = [(x, y) for r1, r2 in zip(table, back) for x, y in zip(r1, r2) if not same(x, y)]
        check("LibreOffice opens the CSV without mojibake", len(back) == len(table) and not differ and back[0][1] == "名称",
              differ[:3] or back[:2])
    else:
        check("LibreOffice (libreoffice-calc-nogui) is installed for the CSV check", False)
    size(True)
    d.get(base + "/cockpit")
    shoot("cockpit-360")
    size(False)
    d.get(base + "/cockpit/report")
    shoot("evaluation-report")

    # 8. The work plan: the district's 2020 plan loaded from its file; on 31 October 2020 the
    # leader reads the plan, the 43 renovations, the battle map filtered by road and by light, a
    # red project's timeline and the briefing; a street raises a blocker from a project's page.
    plan_file = os.path.join("Sources", "GongzhiStore", "Resources", "plan", "gongshu_2020h2_plan.json")
    check("gongzhi plans load takes the plan file", "gongshu-2020h2" in cli("plans", "load", plan_file))
    login("leader")
    d.get(base + "/plans")
    check("/plans opens the only plan", d.current_url.startswith(base + "/plans/gongshu-2020h2"), d.current_url)
    d.get(base + "/plans/gongshu-2020h2?as_of=2020-10-31")
    check("the plan shows six goal areas", len(d.find_elements(By.CSS_SELECTOR, "section.goal-area")) == 6)
    check("every indicator has a pace bar", len(d.find_elements(By.CSS_SELECTOR, "table.indicators .pace")) >= 30)
    renovation = [r.text for r in d.find_elements(By.CSS_SELECTOR, "table.list tbody tr") if "第二批43个项目10月底前全面开工" in r.text]
    check("the 43 renovations are judged on 31 October", renovation and "\n43\n" in renovation[0].replace(" ", "\n"), renovation[:1])
    check("filled-in figures carry the demo mark", len(d.find_elements(By.CSS_SELECTOR, "abbr.demo")) > 10)
    shoot("plan")
    d.get(base + "/plans/gongshu-2020h2/map?as_of=2020-10-31")
    marks = d.find_elements(By.CSS_SELECTOR, "svg.map a circle.project, svg.map a polyline.project")
    check("the battle map places every project", len(marks) >= 250, len(marks))
    shoot("plan-map")
    Select(d.find_element(By.NAME, "road")).select_by_value("莫干山路")
    submit("form.picker button")
    roads = {r.find_elements(By.TAG_NAME, "td")[1].text for r in d.find_elements(By.CSS_SELECTOR, "table.projects tbody tr")}
    check("the map filters by road", roads == {"莫干山路"}, roads)
    d.get(base + "/plans/gongshu-2020h2/map?as_of=2020-10-31&light=red")
    red = d.find_elements(By.CSS_SELECTOR, "table.projects tbody tr")
    check("which projects are red, and why", red and all(r.get_attribute("data-light") == "red" and r.find_elements(By.TAG_NAME, "td")[6].text
                                                          for r in red), len(red))
    link = red[0].find_element(By.CSS_SELECTOR, "a")
    link.click()
    gone(link)
    check("a red project shows its milestone timeline", len(d.find_elements(By.CSS_SELECTOR, "svg.timeline circle")) == 4)
    shoot("plan-project")
    d.get(base + "/plans/gongshu-2020h2/briefing?as_of=2020-10-31")
    check("the briefing lists the red projects", "红灯项目" in d.find_element(By.TAG_NAME, "main").text)
    # Printed as the browser prints it (A4): a PDF, without the navigation, the buttons or the pickers.
    pdf = base64.b64decode(d.print_page(PrintOptions()))
    open(os.path.join(OUT, "plan-briefing.pdf"), "wb").write(pdf)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    check("the briefing prints to PDF", pdf.startswith(b"%PDF") and 1 <= pages <= 6, pages)
    d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    shown = d.execute_script("""return Array.from(document.querySelectorAll('header.bar, .no-print, form.picker'))
        .filter(e => getComputedStyle(e).display !== 'none').map(e => e.className)""")
    d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    check("printing hides the bar, the buttons and the pickers", not shown, shown)
    shoot("plan-briefing")
    d.get(base + "/cockpit")
    check("the cockpit has the plan's tile", len(d.find_elements(By.CSS_SELECTOR, ".plan-tile")) == 1)
    login("shangtang")
    d.get(base + "/plans/gongshu-2020h2/map")
    mine = d.find_elements(By.CSS_SELECTOR, "table.projects tbody a")
    check("a street sees its own projects", len(mine) >= 1)
    mine[0].click()
    gone(mine[0])
    project_url = d.current_url
    d.find_element(By.NAME, "description").send_keys("两户征迁未签约，影响出让 <script>alert(1)</script>")
    submit("form.blocker-form button")
    listed = d.find_elements(By.CSS_SELECTOR, "ul.blockers li a[href^='/cases/']")
    same_project = d.current_url.split("?")[0] == project_url.split("?")[0]
    check("the blocker is a case shown on the project", same_project and len(listed) == 1, d.current_url)
    case_id = int(listed[0].get_attribute("href").rsplit("/", 1)[1])
    blocker = api("GET", f"/api/v1/cases/{case_id}")
    check("routed to the coordinating unit with a deadline", blocker["unit"]["code"] == "330105-FGJ" and blocker.get("due_at"), blocker["unit"])
    shoot("plan-blocker")
    # A supervisor pastes a row copied from the district's spreadsheet (tab-separated).
    login("duban")
    d.get(base + "/plans/gongshu-2020h2/edit")
    # As a paste puts it there: typing a tab into a text area would move the focus instead.
    d.execute_script("arguments[0].value = arguments[1]", d.find_element(By.NAME, "sheet"),
                     "目标领域\t任务\t牵头单位\t完成时限\t指标\t计量单位\t目标值\n"
                     "全面小康成色（民生）\t老年食堂建设\t拱墅区卫生健康局\t2020-12-31\t新建老年食堂\t个\t12")
    submit("form.card-form button")
    check("the supervisor's rows become the plan's new version", "1/1" in d.find_element(By.CSS_SELECTOR, "p.notice").text)
    shoot("plan-edit")

    # 9. The dispute and petition centre. The window registers a neighbours' dispute in a community
    # of 小河街道; the community's mediator records a session and the agreement, and this month's
    # "小事不出社区" figure moves; a petition gets its clock on the ledger; the cockpit shows the centre.
    centre_started = time.time()
    size(False)
    login("xiaohe-community")
    d.get(base + "/centre/disputes?state=closed")
    share_before = d.find_element(By.ID, "community-share").text
    check("the community share is shown before any dispute", share_before != "", share_before)
    login("dispatcher")
    d.get(base + "/centre")
    check("the window offers the dispatcher both forms", len(d.find_elements(By.CSS_SELECTOR, "#register-dispute, #register-petition")) == 2)
    shoot("centre")
    summary = f"{MARK} 楼上漏水，双方协商未果 <b>粗体</b>"

    def fill(form, values):
        """Types into (or picks from) the named controls of `form`; a select by its value."""
        for name, value in values.items():
            field = form.find_element(By.NAME, name)
            if field.tag_name == "select":
                Select(field).select_by_value(value)
            else:
                field.clear()
                field.send_keys(value)

    def step(form_id, values):
        fill(d.find_element(By.ID, form_id), values)
        submit(f"#{form_id} button")
        errors = d.find_elements(By.CSS_SELECTOR, ".error")
        check(f"{form_id} is accepted", not errors, errors and errors[0].text)

    step("register-dispute", {"type": "neighbour", "place": "330105003051", "summary": summary,
                              "party_name_0": "王小明", "party_phone_0": "13812345678",
                              "party_name_1": "李大红", "party_role_1": "respondent"})
    m = re.fullmatch(re.escape(base) + r"/centre/disputes/(\d+)", d.current_url)
    check("the dispute lands on its page", m is not None, d.current_url)
    dispute_url = m.group(0)[len(base):]
    check("a community's neighbours' dispute goes to 社区调委会", d.find_element(By.ID, "level").text.startswith("社区调委会"),
          d.find_element(By.ID, "level").text)
    phones = [td.text for td in d.find_elements(By.CSS_SELECTOR, "table.parties tbody tr td:nth-child(4)")]
    check("the party's phone is masked", phones[:1] == ["138****5678"] and "13812345678" not in d.page_source, phones)
    shown = d.find_element(By.CSS_SELECTOR, "p.summary")
    check("the summary's tag stays text", "<b>粗体</b>" in shown.text and not shown.find_elements(By.TAG_NAME, "b"), shown.text)
    shoot("centre-dispute")
    login("xiaohe-community")
    d.get(base + dispute_url)
    step("step-session", {"mediator": "张调解员", "note": "双方到场，同意修缮后分担费用"})
    check("the session is listed", "张调解员" in d.find_element(By.TAG_NAME, "main").text)
    step("step-outcome", {"result": "agreed", "agreement": "楼上住户承担修缮费用 1200 元，七日内完成"})
    check("the community's mediation ends 调解成功", d.find_element(By.ID, "status").text == "调解成功", d.find_element(By.ID, "status").text)
    d.get(base + "/centre/disputes?state=closed")
    share_after = d.find_element(By.ID, "community-share").text
    check(f"the agreement moves the community share ({share_before} → {share_after})",
          share_after != share_before and re.fullmatch(r"\d+%", share_after) is not None, (share_before, share_after))
    check("the closed list holds the dispute", len(d.find_elements(By.CSS_SELECTOR, f"#disputes a[href='{dispute_url}']")) == 1)
    shoot("centre-disputes")
    login("dispatcher")
    d.get(base + "/centre")
    step("register-petition", {"title": f"{MARK} 小区加装电梯意见", "form": "visit", "place": "330105003051", "people": "3",
                               "content": "要求尽快答复加装电梯事宜 <script>alert(3)</script>", "party_name_0": "赵阿姨",
                               "party_phone_0": "13900002222"})
    m = re.fullmatch(re.escape(base) + r"/centre/petitions/(\d+)", d.current_url)
    check("the petition lands on its page", m is not None, d.current_url)
    d.get(base + "/centre/petitions")
    row = d.find_elements(By.CSS_SELECTOR, f"#petitions tr[data-id='{m.group(1)}']")
    clock = row[0].find_elements(By.CSS_SELECTOR, "[data-clock]") if row else []
    check("the ledger lists the petition with its clock", clock and clock[0].get_attribute("data-clock") in ("running", "due_soon", "overdue"),
          row and row[0].text)
    shoot("centre-petitions")
    open_page("/centre/campaigns", "centre-campaigns")
    check("the leader's cockpit shows the centre", login("leader") == "/cockpit"
          and len(d.find_elements(By.CSS_SELECTOR, "#centre-tiles li.tile")) == 6)
    tile = d.find_element(By.CSS_SELECTOR, "#centre-tiles a[href='/centre/disputes?state=closed'] .value").text
    check("the cockpit's community share is the worklist's", tile == share_after, (tile, share_after))
    print(f"centre: {time.time() - centre_started:.0f} s", flush=True)

    # 10. 亲清在线: the dispatcher registers an enterprise (the credit code typed in lower case and
    # full-width digits), assigns 米市巷's handler as its commissioner, who logs a visit with a
    # difficulty; the contact person stays masked on every page.
    size(False)
    login("dispatcher")
    d.get(base + "/enterprises")
    form = d.find_element(By.ID, "register-enterprise")
    for name, value in [("credit_code", "９１330105ma2gl8kq40"), ("name", "杭州拱墅某精密机械有限公司<i>"), ("address", "小河路 88 号"),
                        ("contact_name", "陈经理"), ("contact_phone", "13912345678")]:
        form.find_element(By.NAME, name).send_keys(value)
    Select(form.find_element(By.NAME, "street")).select_by_value("330105003")
    Select(form.find_element(By.NAME, "industry")).select_by_value("C")
    submit("#register-enterprise button")
    check("the enterprise is registered under its normalised code", d.current_url == base + "/enterprises/91330105MA2GL8KQ40", d.current_url)
    body = d.find_element(By.TAG_NAME, "body").text
    check("its name is shown as typed and its contact masked", "杭州拱墅某精密机械有限公司<i>" in body and "139****5678" in body
          and "13912345678" not in body)
    d.find_element(By.CSS_SELECTOR, "#assign-commissioners input[name=commissioners]").send_keys("mishixiang")
    submit("#assign-commissioners button")
    shoot("enterprise")
    login("mishixiang")
    d.get(base + "/enterprises?mine=true")
    check("the commissioner finds the enterprise under 'mine'", "91330105MA2GL8KQ40" in d.find_element(By.ID, "enterprises").text)
    d.get(base + "/enterprises/91330105MA2GL8KQ40")
    visit = d.find_element(By.ID, "log-visit")
    visit.find_element(By.NAME, "difficulty_funding").click()
    visit.find_element(By.NAME, "note").send_keys("企业反映流动资金紧张")
    submit("#log-visit button")
    check("the visit is in the log with its difficulty", "融资难" in d.find_element(By.ID, "visits").text)
    open_page("/enterprises", "enterprises", phone=True)

    # 11. 惠企政策兑现: 人社局's policy (written through the API); the commissioner applies for the
    # enterprise on the policy's page, the bureau's clerk checks, its leader approves an amount typed
    # in yuan with full-width digits, the finance bureau pays, and the ledger shows the payment.
    api("POST", "/api/v1/policies", {"code": "QQ-2026-01", "name": "稳岗扩岗补贴", "department": "330105-RSJ", "opens": "2026-01-01",
                                     "closes": "2026-12-31", "conditions": [{"field": "employees", "min": 10}],
                                     "amount": {"kind": "per_unit", "figure": "new_hires", "fen_per_unit": 100000, "cap_fen": 5000000}})
    login("mishixiang")
    d.get(base + "/enterprises/91330105MA2GL8KQ40")
    raise_form = d.find_element(By.ID, "raise-difficulty")
    Select(raise_form.find_element(By.NAME, "difficulty")).select_by_value("funding")
    raise_form.find_element(By.NAME, "description").send_keys("流动资金缺口 300 万元，申请贷款贴息")
    submit("#raise-difficulty button")
    raised = d.find_element(By.ID, "difficulties").text
    check("the difficulty is a case at 发改局 with a tracking code", "融资难" in raised and "发展和改革局" in raised, raised)
    d.get(base + "/policies/QQ-2026-01")
    apply = d.find_element(By.ID, "apply-policy")
    Select(apply.find_element(By.NAME, "credit_code")).select_by_value("91330105MA2GL8KQ40")
    apply.find_element(By.NAME, "figure_employees").send_keys("40")
    apply.find_element(By.NAME, "figure_new_hires").send_keys("12")
    submit("#apply-policy button")
    application = d.current_url
    check("the application lands on its page with its entitlement", "/policy-applications/" in application
          and "12000.00" in d.find_element(By.TAG_NAME, "body").text, application)
    login("rsj-clerk")
    d.get(application)
    d.find_element(By.CSS_SELECTOR, "#check-application textarea[name=note]").send_keys("参保 40 人，新招 12 人，已核实")
    submit("#check-application button")
    login("rsj-lead")
    d.get(application)
    amount = d.find_element(By.CSS_SELECTOR, "#approve-application input[name=amount]")
    amount.clear()
    amount.send_keys("１０,０００.５")
    submit("#approve-application button")
    check("the leader's approval is kept in fen", "10000.50" in d.find_element(By.ID, "steps").text)
    login("czj")
    d.get(application)
    d.find_element(By.CSS_SELECTOR, "#pay-application input[name=reference]").send_keys("CZ-2026-0001")
    submit("#pay-application button")
    shoot("policy-application")
    d.get(base + "/policies")
    check("the ledger shows the payment and its total", "CZ-2026-0001" in d.find_element(By.ID, "payments").text
          and "10000.50" in d.find_element(By.ID, "ledger-total").text)
    shoot("policies")
    login("leader")
    d.get(base + "/cockpit")
    values = [e.text for e in d.find_elements(By.CSS_SELECTOR, "#enterprise-tiles .value")]
    check("the cockpit finds the difficulty and the payout", len(values) == 5 and values[0] == "1" and values[3] == "10000.50", values)

    # 12. The key-population list: 大浒路社区 registers a person, reads the personal fields only by
    # giving a reason, verifies them; the street sees the record masked.
    login("xiaohe-community")
    d.get(base + "/key-population")
    reg = d.find_element(By.ID, "register-key-person")
    Select(reg.find_element(By.NAME, "community")).select_by_value("330105003051")
    for name, value in [("name", "示例居民戊"), ("id_number", "11010519491231002X"), ("phone", "13900000299"), ("address", "大浒路 9 号 2 幢")]:
        reg.find_element(By.NAME, name).send_keys(value)
    submit("#register-key-person button")
    record = d.current_url
    body = d.find_element(By.TAG_NAME, "body").text
    check("the record is masked until a reason is given", "/key-population/" in record and "示*" in body and "大浒路 9 号" not in body, body)
    d.find_element(By.CSS_SELECTOR, "#reveal-key-person input[name=reason]").send_keys("上门核查")
    submit("#reveal-key-person button")
    check("the reason reveals the personal fields", "大浒路 9 号 2 幢" in d.find_element(By.TAG_NAME, "body").text)
    d.get(record)
    submit("#verify-key-person button")
    check("verified: the daily follow-up is next", len(d.find_elements(By.ID, "follow-up-key-person")) == 1)
    shoot("key-person")
    open_page("/key-population", "key-population")

    # 13. A joint case (联合执法): a building-site case goes to 住建 by the rules; the centre splits it
    # with 城管 on the joint page.
    joint = api("POST", "/api/v1/reports", {"source": "hotline", "category": "08001", "description": "工地渣土车带泥上路",
                                             "location": {"lat": 30.291384, "lon": 120.146347}})["id"]
    api("POST", f"/api/v1/cases/{joint}/register")
    login("dispatcher")
    d.get(base + f"/cases/{joint}")
    follow("#joint-link")
    split = d.find_element(By.ID, "split-case")
    split.find_element(By.NAME, "unit_330105-CGJ").click()
    submit("#split-case button")
    check("the joint case lists 城管's part", "城市管理局" in d.find_element(By.ID, "joint-parts").text)
    shoot("joint-case")

    # 14. What-if (推演): the leader halves the merchant's deadline of a 云共治 scenario over the
    # month and reads the two rankings side by side.
    login("leader")
    d.get(base + "/whatif")
    whatif = d.find_element(By.ID, "whatif-form")
    for name, value in [("from", "2026-11-01"), ("to", "2026-11-30")]:
        d.execute_script("arguments[0].value = arguments[1]", whatif.find_element(By.NAME, name), value)
    Select(whatif.find_element(By.NAME, "scenario")).select_by_value("out-of-store")
    whatif.find_element(By.NAME, "merchant_minutes").send_keys("15")
    submit("#whatif-form button")
    before_rows = d.find_elements(By.CSS_SELECTOR, "#whatif-before tbody tr")
    after_rows = d.find_elements(By.CSS_SELECTOR, "#whatif-after tbody tr")
    check("both rankings stand side by side with the same units", len(before_rows) > 0 and len(before_rows) == len(after_rows),
          f"{len(before_rows)} / {len(after_rows)}")
    check("the district's self-correction rate is compared", "自行整改率" in d.find_element(By.ID, "whatif-district").text)
    shoot("whatif")

    # 15. A joint inspection round (拉网式排查): the centre plans 米市巷 × its street office and 城管 for
    # a week; the street's handler records a sweep whose finding becomes a case; the grid shows it.
    login("dispatcher")
    d.get(base + "/inspection-rounds")
    plan = d.find_element(By.ID, "plan-round")
    plan.find_element(By.NAME, "name").send_keys("渣土运输拉网式排查")
    for name in ["area_330105001", "unit_330105001", "unit_330105-CGJ"]:
        plan.find_element(By.NAME, name).click()
    submit("#plan-round button")
    round_url = d.current_url
    check("the round is planned with its grid", "/inspection-rounds/" in round_url and len(d.find_elements(By.ID, "inspection-grid")) == 1)
    login("mishixiang")
    d.get(round_url)
    sweep = d.find_element(By.ID, "record-sweep")
    Select(sweep.find_element(By.NAME, "unit")).select_by_value("330105001")
    sweep.find_element(By.NAME, "note").send_keys("沿线巡查")
    sweep.find_element(By.NAME, "finding").send_keys("渣土车未密闭，沿路抛洒")
    Select(sweep.find_element(By.NAME, "category")).select_by_value("08001")
    sweep.find_element(By.NAME, "lat").send_keys("30.291384")
    sweep.find_element(By.NAME, "lon").send_keys("120.146347")
    submit("#record-sweep button")
    check("the sweep's finding is a case in the grid", len(d.find_elements(By.CSS_SELECTOR, "#inspection-sweeps a[href^='/cases/']")) == 1)
    shoot("inspection-round")
    open_page("/inspection-rounds", "inspection-rounds")

    # The remaining pages, for the screenshots and the checks.
    size(False)
    login("auditor")
    shoot("audit")
    d.delete_all_cookies()
    open_page("/login", "login")
    print(f"browser: {checks} checks passed, {len(shots)} screenshots in {OUT} ({time.time() - started:.0f} s)")
finally:
    d.quit()
    server.terminate()
    server.wait(timeout=30)
    gateway.shutdown()
