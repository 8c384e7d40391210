"""Drives headless Chromium (JavaScript off) through the public page and a listing's decision
(决定书, L14, court token sent as a header), then (scripts/browser_layout.py) the detail page on a
390 px phone and, JavaScript on, the API reference at /docs. Run by scripts/browser-test."""
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

from browser_layout import docs_page, narrow_detail

BASE = os.environ["SHIXIN_URL"]
OUT = "tests/output"


def make_id(region, birth, seq):
    body = f"{region}{birth}{seq:03d}"
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * x for c, x in zip(body, w)) % 11]


def api(method, path, body=None, headers=None):
    """A call to the API with the court token; returns (status, headers, parsed JSON body)."""
    req = urllib.request.Request(
        BASE + path, data=None if body is None else json.dumps(body).encode(), method=method,
        headers={"Content-Type": "application/json",
                 "Authorization": "Bearer " + os.environ["SHIXIN_TOKEN"], **(headers or {})})
    with urllib.request.urlopen(req) as r:
        return r.status, r.headers, json.load(r)


def create_listing(name, id_number, case_seq=990001, grounds=("violates_asset_reporting", "evades_enforcement"),
                   decision=None):
    today = datetime.date.today()
    decided = today - datetime.timedelta(days=30)
    filed = decided - datetime.timedelta(days=60)
    body = {
        "debtor": {"kind": "person", "name": name, "id_number": id_number},
        "associated_persons": [], "court_code": "京0105",
        "case_number": f"（{filed.year}）京0105执{case_seq}号", "filed_on": str(filed),
        "basis": {"document_number": "（2025）京0105民初5678号", "issuer": "北京市朝阳区人民法院"},
        "obligation": "支付货款人民币100000元及利息", "performance": "partial",
        "grounds": list(grounds), "extension_years": 0,
        "decided_on": str(decided), "grace_until": None, "initiated_by": "court",
    }
    if decision is not None:
        body["decision"] = decision
    status, headers, out = api("POST", "/v1/listings", body)
    assert status == 201, status
    return out, headers["ETag"]


def no_full_id(html):
    for m in re.finditer(r"(?<![0-9A-Za-z])[0-9]{17}[0-9X](?![0-9A-Za-z])", html):
        raise AssertionError(f"a full ID number appears on the page: {m.group(0)}")


LABELS = {  # L1: each ground's label and the item of Art. 1 of the List Provisions stating it
    "able_but_refuses": ("有履行能力而拒不履行生效法律文书确定义务", "第一条第一项"),
    "obstructs_enforcement": ("以伪造证据、暴力、威胁等方法妨碍、抗拒执行", "第一条第二项"),
    "evades_enforcement": ("以虚假诉讼、虚假仲裁或者以隐匿、转移财产等方法规避执行", "第一条第三项"),
    "violates_asset_reporting": ("违反财产报告制度", "第一条第四项"),
}
PROVISIONS = "《最高人民法院关于公布失信被执行人名单信息的若干规定》"


def decision_page(driver):
    """L14: the decision of a signed and served listing, and of one with neither (无固定期限)."""
    full_id = make_id("110105", "19850607", 456)
    masked = full_id[:10] + "****" + full_id[14:]
    grounds = ["violates_asset_reporting", "obstructs_enforcement"]
    decided = datetime.date.today() - datetime.timedelta(days=30)
    signed_on = decided + datetime.timedelta(days=2)
    served_on = decided + datetime.timedelta(days=5)
    listing, etag = create_listing("刘洋", full_id, 990002, grounds,
                                   {"signed_by": "王院长", "signed_on": str(signed_on)})
    lid = listing["id"]
    status, _, _ = api("POST", f"/v1/listings/{lid}/service",
                       {"served_on": str(served_on), "method": "post"}, {"If-Match": etag})
    assert status == 200, status
    url = f"{BASE}/v1/listings/{lid}/decision"

    # without the court token the browser gets no decision (auth is not weakened for the page)
    driver.get(url)
    page = driver.page_source
    assert "unauthorized" in page and "bearer token is required" in page, page[:300]
    assert "刘洋" not in page and masked not in page and "王院长" not in page, "decision shown without a token"
    no_full_id(page)

    # the court token as a request header, through Chrome DevTools (JavaScript stays off)
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setExtraHTTPHeaders",
                           {"headers": {"Authorization": "Bearer " + os.environ["SHIXIN_TOKEN"]}})
    try:
        driver.get(url)
        assert driver.title == "决定书", driver.title
        h1 = driver.find_element(By.TAG_NAME, "h1").text
        assert "北京市朝阳区人民法院" in h1 and "决定书" in h1, h1
        text = driver.find_element(By.TAG_NAME, "main").text
        page = driver.page_source

        def row(header):
            return driver.find_element(By.XPATH, f"//th[normalize-space()='{header}']/following-sibling::td").text

        assert listing["case_number"] in text, listing["case_number"]
        assert row("执行案号") == listing["case_number"], row("执行案号")
        assert row("执行法院") == "北京市朝阳区人民法院（京0105）", row("执行法院")
        assert row("被执行人") == "刘洋", row("被执行人")
        assert masked in row("身份证号码"), row("身份证号码")
        no_full_id(page)
        reasons = [li.text for li in driver.find_elements(By.CSS_SELECTOR, "main ol li")]
        assert len(reasons) == len(grounds), reasons
        for g, li in zip(grounds, reasons):
            label, item = LABELS[g]
            assert label in li and f"{PROVISIONS}{item}" in li, (g, li)
        assert "决定将被执行人刘洋纳入失信被执行人名单" in text
        expires = listing["expires_on"]
        assert expires, "a fixed term"
        assert f"2年（自{decided}起，至{expires}届满）" in text, "term"
        assert f"{PROVISIONS}第二条" in text, "article of the term"
        assert str(decided) in row("决定日期"), row("决定日期")
        assert row("签发人") == "王院长", row("签发人")
        assert row("签发日期") == str(signed_on), row("签发日期")
        assert row("送达") == f"{served_on}，邮寄送达", row("送达")
        driver.save_screenshot(f"{OUT}/05-decision.png")
        print("decision: court, case, debtor (ID masked), grounds with their articles, term, signatory, service")

        # ground (1) alone: no fixed term; neither signatory nor service recorded
        other = create_listing("陈静", make_id("110105", "19900101", 789), 990003, ["able_but_refuses"])[0]
        driver.get(f"{BASE}/v1/listings/{other['id']}/decision")
        text = driver.find_element(By.TAG_NAME, "main").text
        label, item = LABELS["able_but_refuses"]
        assert label in text and f"{PROVISIONS}{item}" in text
        assert "无固定期限" in text, "no fixed term"
        assert row("签发人") == "未记录" and row("送达") == "尚未送达", (row("签发人"), row("送达"))
        no_full_id(driver.page_source)
        driver.save_screenshot(f"{OUT}/06-decision-no-term.png")
        print("decision without a fixed term: 无固定期限, signatory and service not recorded")
    finally:
        driver.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {}})


def main():
    full_id = make_id("110105", "19800315", 123)
    listing_id = create_listing("张伟", full_id)[0]["id"]
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
        narrow_detail(driver, listing_id)

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

        decision_page(driver)
    finally:
        driver.quit()
    docs_page()
    if "--docs" in sys.argv:
        shutil.copy(f"{OUT}/02-detail.png", "docs/public-detail.png")
        shutil.copy(f"{OUT}/01-search-traditional.png", "docs/public-search.png")
        shutil.copy(f"{OUT}/05-decision.png", "docs/decision.png")
        shutil.copy(f"{OUT}/07-api-docs.png", "docs/api-docs.png")
        shutil.copy(f"{OUT}/09-detail-390.png", "docs/public-detail-390.png")
    print(f"browser test passed; screenshots in {OUT}/")


if __name__ == "__main__":
    main()
