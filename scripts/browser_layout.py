"""Two checks of scripts/browser_test.py (issue 22 item 6): the interactive API reference at /docs
(Swagger UI, JavaScript on, nothing fetched from another host) and the public detail page on a
phone (390 px wide: fields stacked, no sideways scrolling)."""
import os
import shutil
from urllib.parse import urlsplit

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

BASE = os.environ["SHIXIN_URL"]
OUT = "tests/output"


def js_driver():
    """A second browser with JavaScript on (the public pages' driver has it off)."""
    opts = webdriver.ChromeOptions()
    for a in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000",
              "--lang=en-US"]:
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    opts.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    return webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=opts)


def same_origin(url):
    return url.startswith("data:") or urlsplit(url).netloc == urlsplit(BASE).netloc


def docs_page():
    """/docs renders the operations from /openapi.json, takes a bearer token under "Authorize" and
    runs GET /v1/listings ("Try it out") with it: 200 in the page's response panel. Every script,
    style and request the page made went to this service, and the browser reported no error (a
    file missing, a Content-Security-Policy violation)."""
    driver = js_driver()
    wait = WebDriverWait(driver, 30)
    try:
        driver.get(BASE + "/docs")
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".swagger-ui .opblock")))
        ids = [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".opblock-summary-operation-id")]
        assert "listings_create" in ids and "listings_list" in ids, ids[:10]
        assert len(ids) > 50, f"{len(ids)} operations shown"
        driver.save_screenshot(f"{OUT}/07-api-docs.png")

        # Authorize: the bearer scheme of the document, the court token
        driver.find_element(By.CSS_SELECTOR, ".auth-wrapper .btn.authorize").click()
        dialog = wait.until(EC.visibility_of_element_located((By.CSS_SELECTOR, ".modal-ux")))
        assert "(http, Bearer)" in dialog.text and "POST /v1/oauth/token" in dialog.text, dialog.text
        dialog.find_element(By.ID, "auth-bearer-value").send_keys(os.environ["SHIXIN_TOKEN"])
        dialog.find_element(By.CSS_SELECTOR, "button.modal-btn.auth.authorize").click()
        wait.until(EC.presence_of_element_located(
            (By.CSS_SELECTOR, ".modal-ux button[aria-label='Remove authorization']")))
        assert "Authorized" in dialog.text, dialog.text
        dialog.find_element(By.CSS_SELECTOR, "button.btn-done").click()
        wait.until(EC.invisibility_of_element_located((By.CSS_SELECTOR, ".modal-ux")))

        # Try it out: GET /v1/listings (court scope) from the page
        op = driver.find_element(By.ID, "operations-listings-listings_list")
        op.find_element(By.CSS_SELECTOR, ".opblock-summary-control").click()
        wait.until(lambda d: op.find_elements(By.CSS_SELECTOR, ".try-out__btn"))
        op.find_element(By.CSS_SELECTOR, ".try-out__btn").click()
        op.find_element(By.CSS_SELECTOR, ".btn.execute").click()
        status = wait.until(lambda d: op.find_elements(By.CSS_SELECTOR, ".live-responses-table tr.response .response-col_status"))
        assert status[0].text.strip() == "200", status[0].text
        curl = op.find_element(By.CSS_SELECTOR, ".curl-command").text
        assert "Authorization: Bearer " in curl, curl
        body = op.find_element(By.CSS_SELECTOR, ".live-responses-table tr.response .response-col_description").text
        assert '"items"' in body, body[:300]
        driver.execute_script("arguments[0].scrollIntoView()", op.find_element(By.CSS_SELECTOR, ".curl-command"))
        driver.save_screenshot(f"{OUT}/08-api-docs-try-it-out.png")

        # nothing from or to another host
        refs = driver.execute_script(
            "return [...document.querySelectorAll('script[src], link[href], img[src]')]"
            ".map(e => e.src || e.href)")
        assert refs and all(same_origin(u) for u in refs), refs
        fetched = driver.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)")
        assert any(u.endswith("/openapi.json") for u in fetched), fetched
        assert any("/v1/listings" in u for u in fetched), fetched
        outside = [u for u in fetched if not same_origin(u)]
        assert not outside, f"requests to another host: {outside}"
        errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert not errors, errors
        print(f"/docs: Swagger UI lists {len(ids)} operations; Authorize took the bearer token; "
              "Try it out on GET /v1/listings returned 200; every file and request same-origin")
    finally:
        driver.quit()


def narrow_detail(driver, listing_id):
    """The detail page on a 390 px phone: no horizontal scroll, each label above its value, the
    legal basis under the value, text at a readable size."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
    try:
        driver.get(f"{BASE}/listings/{listing_id}")
        width = driver.execute_script("return document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways: {width} px wide"

        def box(xpath):
            return driver.find_element(By.XPATH, xpath).rect

        for label in ["姓名", "执行案号", "失信行为的具体情形", "执行法院"]:
            th = box(f"//th[normalize-space()='{label}']")
            td = box(f"//th[normalize-space()='{label}']/following-sibling::td[1]")
            basis = box(f"//th[normalize-space()='{label}']/following-sibling::td[2]")
            assert td["y"] >= th["y"] + th["height"] - 1, (label, th, td)
            assert basis["y"] >= td["y"] + td["height"] - 1, (label, td, basis)
            assert th["width"] > 300 and td["width"] > 300, (label, th, td)
            assert th["x"] + th["width"] <= 390 and td["x"] + td["width"] <= 390, (label, th, td)
        size = driver.execute_script(
            "return parseFloat(getComputedStyle(document.querySelector('table.fields td')).fontSize)")
        assert size >= 14, f"value text {size} px"
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": 390, "height": height, "deviceScaleFactor": 1, "mobile": True})
        driver.save_screenshot(f"{OUT}/09-detail-390.png")
        print(f"detail at 390 px: {width} px wide, labels above values, legal basis under them")
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
