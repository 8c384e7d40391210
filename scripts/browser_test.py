"""Drives headless Chromium (JavaScript off) through the public page. Run by scripts/browser-test."""
import datetime
import json
import os
import re
import shutil
import sys
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

BASE = os.environ["SHIXIN_URL"]
OUT = "tests/output"


def make_id(region, birth, seq):
    body = f"{region}{birth}{seq:03d}"
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * x for c, x in zip(body, w)) % 11]


def create_listing(name, id_number):
    today = datetime.date.today()
    decided = today - datetime.timedelta(days=30)
    filed = decided - datetime.timedelta(days=60)
    body = {
        "debtor": {"kind": "person", "name": name, "id_number": id_number},
        "associated_persons": [], "court_code": "京0105",
        "case_number": f"（{filed.year}）京0105执990001号", "filed_on": str(filed),
        "basis": {"document_number": "（2025）京0105民初5678号", "issuer": "北京市朝阳区人民法院"},
        "obligation": "支付货款人民币100000元及利息", "performance": "partial",
        "grounds": ["violates_asset_reporting", "evades_enforcement"], "extension_years": 0,
        "decided_on": str(decided), "grace_until": None, "initiated_by": "court",
    }
    req = urllib.request.Request(
        f"{BASE}/v1/listings", data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json",
                 "Authorization": "Bearer " + os.environ["SHIXIN_TOKEN"]})
    with urllib.request.urlopen(req) as r:
        assert r.status == 201, r.status
        return json.load(r)["id"]


def no_full_id(html):
    for m in re.finditer(r"(?<![0-9A-Za-z])[0-9]{17}[0-9X](?![0-9A-Za-z])", html):
        raise AssertionError(f"a full ID number appears on the page: {m.group(0)}")


def main():
    full_id = make_id("110105", "19800315", 123)
    listing_id = create_listing("张伟", full_id)
    masked = full_id[:10] + "****" + full_id[14:]

    opts = webdriver.ChromeOptions()
    for a in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1100,1300",
              "--lang=zh-CN"]:
        opts.add_argument(a)
    opts.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    opts.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=opts)
    try:
        # 1. the form, used with the keyboard only: type a traditional name, press Enter
        driver.get(BASE + "/")
        assert driver.find_element(By.TAG_NAME, "h1").text == "失信被执行人名单查询"
        label = driver.find_element(By.CSS_SELECTOR, "label[for=name]")
        assert "姓名" in label.text
        box = driver.find_element(By.ID, "name")
        box.send_keys("張偉")
        box.send_keys(Keys.ENTER)
        assert "name=" in driver.current_url, driver.current_url
        link = driver.find_element(By.CSS_SELECTOR, f"a[href='/listings/{listing_id}']")
        page = driver.page_source
        assert masked in page, "masked ID shown"
        no_full_id(page)
        driver.save_screenshot(f"{OUT}/01-search-traditional.png")
        print("search in traditional characters: found the listing, ID masked")

        # 2. the detail: follow the link with the keyboard focus
        link.send_keys(Keys.ENTER)
        assert driver.current_url.endswith(f"/listings/{listing_id}"), driver.current_url
        h1 = driver.find_element(By.TAG_NAME, "h1").text
        assert "张伟" in h1, h1
        page = driver.page_source
        assert "《最高人民法院关于公布失信被执行人名单信息的若干规定》第六条" in page
        assert "以虚假诉讼、虚假仲裁或者以隐匿、转移财产等方法规避执行" in page
        assert masked in page
        no_full_id(page)
        driver.save_screenshot(f"{OUT}/02-detail.png")
        print("detail: fields with their legal basis, ID masked")

        # 3. an unknown name
        driver.get(BASE + "/")
        box = driver.find_element(By.ID, "name")
        box.send_keys("查无此人")
        box.send_keys(Keys.ENTER)
        status = driver.find_element(By.CSS_SELECTOR, "[role=status]").text
        assert "未找到" in status, status
        driver.save_screenshot(f"{OUT}/03-not-found.png")
        print("unknown name: clear not-found message")

        # 4. a listing that does not exist
        driver.get(BASE + "/listings/00000000-0000-0000-0000-000000000000")
        assert "未找到该名单信息" in driver.find_element(By.TAG_NAME, "h1").text
        driver.save_screenshot(f"{OUT}/04-detail-not-found.png")
    finally:
        driver.quit()
    if "--docs" in sys.argv:
        shutil.copy(f"{OUT}/02-detail.png", "docs/public-detail.png")
        shutil.copy(f"{OUT}/01-search-traditional.png", "docs/public-search.png")
    print(f"browser test passed; screenshots in {OUT}/")


if __name__ == "__main__":
    main()
