//! The service side: admin and court tokens from `shixin token`, JSON answers, the listings the
//! driver posts (valid resident ID numbers, distinct debtors and case numbers) and the write itself.

use std::{
    sync::atomic::{AtomicU32, Ordering},
    time::Instant,
};

use anyhow::{Context, bail};
use chrono::{Datelike, NaiveDate};
use serde_json::{Value, json};
use uuid::Uuid;

pub fn mint(bin: &str, args: &[&str]) -> anyhow::Result<String> {
    let out = std::process::Command::new(bin)
        .arg("token")
        .args(args)
        .args(["--ttl", "4h"])
        .output()
        .with_context(|| format!("running {bin} token"))?;
    if !out.status.success() {
        bail!(
            "{bin} token failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8(out.stdout)?.trim().to_string())
}

pub async fn expect_json(r: reqwest::Response, status: u16, what: &str) -> anyhow::Result<Value> {
    let s = r.status().as_u16();
    let text = r.text().await?;
    if s != status {
        bail!("{what}: HTTP {s}: {text}");
    }
    Ok(serde_json::from_str(&text)?)
}

/// Today in China Standard Time (the service's legal dates).
fn today_cst() -> NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

/// A valid resident ID number: region, birth date, 3-digit sequence and the check character (I1).
fn make_id(region: &str, birth: NaiveDate, seq: u32) -> String {
    let body = format!("{region}{}{seq:03}", birth.format("%Y%m%d"));
    let w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .chars()
        .zip(w)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    let check = "10X98765432"
        .chars()
        .nth((sum % 11) as usize)
        .unwrap_or('0');
    format!("{body}{check}")
}

const NAMES: [&str; 8] = [
    "张三", "李四", "王静", "刘洋", "陈晨", "杨帆", "赵磊", "黄敏",
];

/// The `n`-th distinct valid person listing of `court` (a distinct debtor and case number), decided
/// 30 days ago: published at once, with its restriction order (two events).
fn listing(court: &str, n: u32) -> Value {
    let today = today_cst();
    let decided = today - chrono::Duration::days(30);
    let filed = decided - chrono::Duration::days(60);
    let birth = NaiveDate::from_ymd_opt(1960, 1, 1).unwrap_or(NaiveDate::MIN)
        + chrono::Duration::days(i64::from(n / 999));
    let id = make_id("110105", birth, n % 999 + 1);
    json!({
        "debtor": {"kind": "person", "name": NAMES[n as usize % NAMES.len()], "id_number": id,
                   "documents": [{"type": "passport", "number": format!("E{:08}", n)}]},
        "associated_persons": [],
        "court_code": court,
        "case_number": format!("（{}）{court}执{}号", filed.year(), 10_000 + n),
        "filed_on": filed.to_string(),
        "basis": {"document_number": format!("（{}）{court}民初{}号", filed.year() - 1, 5_000 + n),
                  "issuer": "北京市朝阳区人民法院"},
        "obligation": "支付货款人民币100000元及利息",
        "performance": "none",
        "grounds": ["violates_asset_reporting"],
        "extension_years": 0,
        "decided_on": decided.to_string(),
        "grace_until": null,
        "initiated_by": "court"
    })
}

#[derive(Clone, Copy, Debug)]
pub struct Write {
    pub sent: Instant,
    pub returned: Instant,
}

pub struct Service {
    pub client: reqwest::Client,
    pub url: String,
    pub court_token: String,
    pub court: String,
    pub seq: AtomicU32,
}

impl Service {
    /// Posts the next listing; answers its id and the write's timing.
    pub async fn change(&self) -> anyhow::Result<(Uuid, Write)> {
        let n = self.seq.fetch_add(1, Ordering::Relaxed);
        let body = listing(&self.court, n).to_string();
        let sent = Instant::now();
        let r = self
            .client
            .post(format!("{}/v1/listings", self.url))
            .bearer_auth(&self.court_token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await?;
        let status = r.status().as_u16();
        let bytes = r.bytes().await?;
        let returned = Instant::now();
        if status != 201 {
            bail!(
                "POST /v1/listings: HTTP {status}: {}",
                String::from_utf8_lossy(&bytes)
            );
        }
        let v: Value = serde_json::from_slice(&bytes)?;
        let id = v["id"]
            .as_str()
            .and_then(|s| Uuid::parse_str(s).ok())
            .context("no listing id in the answer")?;
        Ok((id, Write { sent, returned }))
    }
}
