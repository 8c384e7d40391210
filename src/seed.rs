//! `shixin seed --listings N`: realistic synthetic listings for trying the service and benchmarking.
//!
//! Common surnames and given names (so that many people share a name, as in real data), persons
//! with valid ID numbers (I1) whose region codes match their court's district, organisations with
//! valid credit codes (I2) and legal representatives, real court codes (the intermediate and basic
//! courts used are created when missing) with case numbers of the court (I3), a realistic mix of
//! grounds (L1), terms (L2) and statuses (active, pending, removed, expired, revoked). Removals carry
//! plausible event dates (`removal.event_on`, some more than 3 working days before the removal, some
//! missing, L5/L6) and one active listing in ten had a grace period (L11), a few published late, so
//! that `GET /v1/indicators` has something to show.
//!
//! **Seeding is a bulk load that bypasses the write path**: it writes `listings` rows, then derives in
//! SQL what publishing them implies (R1): a restriction order with every item for each active listing,
//! its subjects (debtor, legal representative, associated persons, R3), their `persons` rows, and a
//! passport for one person debtor in five (so checks by document find someone). It writes no audit
//! rows, events or idempotency keys (the audit chain stays valid because it simply does not mention
//! them). It is meant for development and benchmarks, never
//! for a production database. Rows go in with multi-row `INSERT … SELECT FROM unnest(…)` batches of
//! 5,000. At the end the Redis cache epoch is replaced, so running instances serve nothing stale.

use std::collections::HashMap;

use anyhow::Context;
use chrono::{Datelike, Duration, NaiveDate};
use indicatif::{ProgressBar, ProgressStyle};
use rand::{Rng, SeedableRng, rngs::StdRng};
use serde_json::json;
use tokio_postgres::NoTls;

use crate::domain::{
    credit_code::{org_check_char, uscc_check_char},
    id_number::check_char,
    name::fold_name,
    today_cst,
};

const BATCH: usize = 5_000;

/// (court code, court name, province, parent code, region code of the district or city).
const COURTS: &[(&str, &str, &str, &str, &str)] = &[
    ("京01", "北京市第一中级人民法院", "北京市", "京", "110100"),
    ("京02", "北京市第二中级人民法院", "北京市", "京", "110100"),
    ("京0101", "北京市东城区人民法院", "北京市", "京02", "110101"),
    ("京0102", "北京市西城区人民法院", "北京市", "京02", "110102"),
    ("京0105", "北京市朝阳区人民法院", "北京市", "京01", "110105"),
    ("京0106", "北京市丰台区人民法院", "北京市", "京01", "110106"),
    ("京0108", "北京市海淀区人民法院", "北京市", "京01", "110108"),
    ("沪01", "上海市第一中级人民法院", "上海市", "沪", "310100"),
    ("沪0104", "上海市徐汇区人民法院", "上海市", "沪01", "310104"),
    ("沪0105", "上海市长宁区人民法院", "上海市", "沪01", "310105"),
    (
        "沪0115",
        "上海市浦东新区人民法院",
        "上海市",
        "沪01",
        "310115",
    ),
    ("粤01", "广东省广州市中级人民法院", "广东省", "粤", "440100"),
    ("粤0104", "广州市越秀区人民法院", "广东省", "粤01", "440104"),
    ("粤0106", "广州市天河区人民法院", "广东省", "粤01", "440106"),
    ("粤03", "广东省深圳市中级人民法院", "广东省", "粤", "440300"),
    ("粤0304", "深圳市福田区人民法院", "广东省", "粤03", "440304"),
    ("粤0305", "深圳市南山区人民法院", "广东省", "粤03", "440305"),
    ("浙01", "浙江省杭州市中级人民法院", "浙江省", "浙", "330100"),
    ("浙0102", "杭州市上城区人民法院", "浙江省", "浙01", "330102"),
    ("浙0106", "杭州市西湖区人民法院", "浙江省", "浙01", "330106"),
    ("苏01", "江苏省南京市中级人民法院", "江苏省", "苏", "320100"),
    ("苏0102", "南京市玄武区人民法院", "江苏省", "苏01", "320102"),
    ("苏05", "江苏省苏州市中级人民法院", "江苏省", "苏", "320500"),
    ("苏0508", "苏州市姑苏区人民法院", "江苏省", "苏05", "320508"),
    ("川01", "四川省成都市中级人民法院", "四川省", "川", "510100"),
    ("川0104", "成都市锦江区人民法院", "四川省", "川01", "510104"),
    ("川0107", "成都市武侯区人民法院", "四川省", "川01", "510107"),
    ("鄂01", "湖北省武汉市中级人民法院", "湖北省", "鄂", "420100"),
    ("鄂0102", "武汉市江岸区人民法院", "湖北省", "鄂01", "420102"),
    ("鲁02", "山东省青岛市中级人民法院", "山东省", "鲁", "370200"),
    ("鲁0202", "青岛市市南区人民法院", "山东省", "鲁02", "370202"),
    ("豫01", "河南省郑州市中级人民法院", "河南省", "豫", "410100"),
    ("豫0105", "郑州市金水区人民法院", "河南省", "豫01", "410105"),
];

/// Surnames, roughly by frequency (the first ones are drawn far more often).
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "高", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "潘", "袁", "蔡", "蒋", "余", "于", "杜", "叶", "程", "魏", "苏", "吕", "丁",
    "任", "卢", "姚", "沈", "钟", "姜", "崔", "谭", "陆", "范", "汪", "廖", "石", "金", "韦", "贾",
    "夏", "付", "方", "邹", "熊", "白", "孟", "秦", "邱", "侯", "江", "尹", "薛", "闫", "段", "雷",
    "龙", "黎", "史", "陶", "贺", "毛", "郝", "顾", "龚", "邵", "万", "覃", "武", "钱", "戴", "严",
    "欧阳", "司马", "诸葛",
];

const GIVEN_COMMON: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "华", "平", "刚", "桂英", "建华", "建国", "志强", "海燕", "晓东", "文", "斌",
    "浩",
];
const GIVEN_CHARS: &[&str] = &[
    "宇", "鹏", "辉", "霞", "玲", "红", "林", "俊", "峰", "丹", "萍", "鑫", "婷", "雪", "琳", "波",
    "龙", "飞", "健", "凯", "帅", "颖", "倩", "亮", "成", "国", "庆", "春", "梅", "晓", "燕", "志",
    "建", "海", "永", "德", "秀", "兰", "玉", "金", "荣", "新", "利", "家", "佳", "子", "欣", "怡",
    "思", "雨", "泽", "晨", "博", "文", "嘉", "睿", "涵", "轩", "然", "昊",
];
const ORG_WORDS: &[&str] = &[
    "华信",
    "恒通",
    "宏达",
    "鑫源",
    "金鼎",
    "瑞丰",
    "中联",
    "天成",
    "盛世",
    "东方",
    "新纪元",
    "永盛",
    "汇通",
    "博远",
    "海纳",
    "锦程",
    "广源",
    "正大",
    "隆基",
    "富华",
];
const ORG_TRADES: &[&str] = &[
    "贸易",
    "建设工程",
    "房地产开发",
    "科技",
    "商贸",
    "物流",
    "投资管理",
    "餐饮管理",
    "建材",
    "电子",
    "装饰工程",
    "实业",
];

struct Court {
    code: &'static str,
    name: &'static str,
    region: &'static str,
}

fn basic_courts() -> Vec<Court> {
    COURTS
        .iter()
        .filter(|c| c.0.chars().count() == 5)
        .map(|c| Court {
            code: c.0,
            name: c.1,
            region: c.4,
        })
        .collect()
}

fn surname(rng: &mut StdRng) -> &'static str {
    // A skewed draw: the product of two uniform numbers favours the start of the list.
    let n = SURNAMES.len() as f64;
    let i = (rng.random::<f64>() * rng.random::<f64>() * n) as usize;
    SURNAMES[i.min(SURNAMES.len() - 1)]
}

fn person_name(rng: &mut StdRng) -> String {
    let s = surname(rng);
    match rng.random_range(0..10) {
        0..=3 => format!(
            "{s}{}",
            GIVEN_COMMON[rng.random_range(0..GIVEN_COMMON.len())]
        ),
        4 => format!("{s}{}", GIVEN_CHARS[rng.random_range(0..GIVEN_CHARS.len())]),
        _ => format!(
            "{s}{}{}",
            GIVEN_CHARS[rng.random_range(0..GIVEN_CHARS.len())],
            GIVEN_CHARS[rng.random_range(0..GIVEN_CHARS.len())]
        ),
    }
}

fn id_number(rng: &mut StdRng, region: &str, decided: NaiveDate) -> String {
    // Adults on the decision date (L4): born 1950 up to 20 years before it.
    let latest = decided.year() - 20;
    let birth = NaiveDate::from_ymd_opt(rng.random_range(1950..=latest), 1, 1)
        .unwrap_or(NaiveDate::MIN)
        + Duration::days(rng.random_range(0..365));
    let body = format!(
        "{region}{}{:03}",
        birth.format("%Y%m%d"),
        rng.random_range(0..1000)
    );
    let check = check_char(&body).unwrap_or('0');
    format!("{body}{check}")
}

/// A valid unified social credit code (I2) of an enterprise (`91`) registered in `region`.
fn credit_code(rng: &mut StdRng, region: &str) -> String {
    let org8: String = (0..8)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect();
    let org = format!("{org8}{}", org_check_char(&org8).unwrap_or('0'));
    let body = format!("91{region}{org}");
    format!("{body}{}", uscc_check_char(&body).unwrap_or('0'))
}

fn date_between(rng: &mut StdRng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let span = (to - from).num_days().max(0);
    from + Duration::days(rng.random_range(0..=span))
}

/// One batch of rows, column by column (for `unnest`).
#[derive(Default)]
struct Columns {
    c: Vec<Vec<Option<String>>>,
}

impl Columns {
    fn new() -> Self {
        Columns {
            c: (0..25).map(|_| Vec::with_capacity(BATCH)).collect(),
        }
    }
    fn push(&mut self, row: [Option<String>; 25]) {
        for (col, v) in self.c.iter_mut().zip(row) {
            col.push(v);
        }
    }
    fn len(&self) -> usize {
        self.c.first().map(Vec::len).unwrap_or(0)
    }
}

const INSERT: &str = "INSERT INTO listings (id, court_code, case_number, debtor_kind, debtor_key,
    debtor_name, name_folded, id_number, credit_code, debtor, filed_on, basis_document_number,
    basis_issuer, obligation, performance, grounds, extension_years, decided_on, grace_until,
    initiated_by, status, published_at, expires_on, removal, restriction_id)
SELECT c1::uuid, c2, c3, c4, c5, c6, c7, c8, c9, c10::jsonb, c11::date, c12, c13, c14, c15,
    c16::text[], c17::int, c18::date, c19::date, c20, c21, c22::timestamptz, c23::date, c24::jsonb,
    c25::uuid
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
    $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[],
    $15::text[], $16::text[], $17::text[], $18::text[], $19::text[], $20::text[], $21::text[],
    $22::text[], $23::text[], $24::text[], $25::text[])
    AS t(c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17, c18, c19,
    c20, c21, c22, c23, c24, c25)";

struct Gen {
    rng: StdRng,
    courts: Vec<Court>,
    case_seq: HashMap<(usize, i32), u32>,
    /// Case sequence numbers start after this (the listings already there), so seeds add up.
    case_base: u32,
    folded: HashMap<String, String>,
    today: NaiveDate,
}

impl Gen {
    fn fold(&mut self, name: &str) -> String {
        if let Some(f) = self.folded.get(name) {
            return f.clone();
        }
        let f = fold_name(name);
        self.folded.insert(name.to_string(), f.clone());
        f
    }

    fn row(&mut self) -> [Option<String>; 25] {
        let today = self.today;
        let rng = &mut self.rng;
        let ci = rng.random_range(0..self.courts.len());
        let (code, court_name, region) = {
            let c = &self.courts[ci];
            (c.code, c.name, c.region)
        };
        // grounds (L1) and the status mix
        let grounds: Vec<&str> = match rng.random_range(0..100) {
            0..=44 => vec!["able_but_refuses"],
            45..=74 => vec!["violates_asset_reporting"],
            75..=82 => vec!["evades_enforcement"],
            83..=87 => vec!["obstructs_enforcement"],
            88..=92 => vec!["violates_consumption_restriction"],
            93..=96 => vec!["refuses_settlement"],
            _ => vec!["able_but_refuses", "violates_asset_reporting"],
        };
        let fixed_term = grounds != ["able_but_refuses"];
        let aggravated = grounds.contains(&"obstructs_enforcement") || grounds.len() > 1;
        let extension = if aggravated && rng.random_range(0..3) == 0 {
            rng.random_range(1..=3)
        } else {
            0
        };
        let roll = rng.random_range(0..100);
        let status = match roll {
            0..=69 => "active",
            70..=84 => "removed",
            85..=91 if fixed_term => "expired",
            85..=91 => "removed",
            92..=93 => "revoked",
            _ => "pending",
        };
        let term = |d: NaiveDate| {
            d.checked_add_months(chrono::Months::new(24 + 12 * extension))
                .unwrap_or(d)
        };
        let start = NaiveDate::from_ymd_opt(2017, 1, 1).unwrap_or(today);
        let decided = match status {
            "pending" => today - Duration::days(rng.random_range(0..20)),
            "expired" => date_between(
                rng,
                start,
                today - Duration::days(365 * (2 + extension as i64) + 5),
            ),
            "active" if fixed_term => {
                date_between(rng, today - Duration::days(700), today - Duration::days(1))
            }
            _ => date_between(rng, start, today - Duration::days(30)),
        };
        let filed = (decided - Duration::days(rng.random_range(30..400)))
            .max(NaiveDate::from_ymd_opt(2016, 1, 4).unwrap_or(decided));
        let year = filed.year();
        let seq = self.case_seq.entry((ci, year)).or_insert(self.case_base);
        *seq += 1;
        let case_type = if rng.random_range(0..8) == 0 {
            "执恢"
        } else {
            "执"
        };
        let case_number = format!("（{year}）{code}{case_type}{seq}号");
        let basis_number = format!("（{}）{code}民初{}号", year - 1, rng.random_range(1..20000));
        let amount = rng.random_range(5..5000) * 1000;
        let obligation = match rng.random_range(0..4) {
            0 => format!("支付货款人民币{amount}元及利息"),
            1 => format!("偿还借款本金人民币{amount}元及逾期利息"),
            2 => format!("支付工程款人民币{amount}元"),
            _ => format!("支付租金人民币{amount}元及违约金"),
        };
        let is_org = rng.random_range(0..100) < 15;
        let (kind, name, key, idn, cc, debtor) = if is_org {
            let name = format!(
                "{}{}{}有限公司",
                &court_name.chars().take(2).collect::<String>(),
                ORG_WORDS[rng.random_range(0..ORG_WORDS.len())],
                ORG_TRADES[rng.random_range(0..ORG_TRADES.len())]
            );
            let code_ = credit_code(rng, region);
            let rep = person_name(rng);
            let rep_id = id_number(rng, region, decided);
            let key = code_.get(8..17).unwrap_or("").to_string();
            let debtor = json!({"kind": "organization", "name": name, "credit_code": code_,
                "legal_representative": {"name": rep, "id_number": rep_id}});
            ("organization", name, key, None, Some(code_), debtor)
        } else {
            let name = person_name(rng);
            let id = id_number(rng, region, decided);
            let debtor = json!({"kind": "person", "name": name, "id_number": id, "documents": []});
            ("person", name, id.clone(), Some(id), None, debtor)
        };
        let mut published = (status != "pending").then(|| format!("{decided}T02:00:00Z"));
        let mut grace = (status == "pending").then(|| {
            decided
                .checked_add_months(chrono::Months::new(rng.random_range(1..=3)))
                .unwrap_or(decided)
        });
        // One active listing in ten had a grace period (L11): published on its last day, a few late.
        if status == "active" && rng.random_range(0..10) == 0 {
            let g = decided
                .checked_add_months(chrono::Months::new(rng.random_range(1..=3)))
                .unwrap_or(decided);
            if g <= today {
                let late = if rng.random_range(0..20) == 0 {
                    rng.random_range(1..10)
                } else {
                    0
                };
                grace = Some(g);
                published = Some(format!(
                    "{}T01:00:00Z",
                    (g + Duration::days(late)).min(today)
                ));
            }
        }
        let expires = fixed_term.then(|| term(decided));
        let removal = removal(rng, status, fixed_term, decided, expires, today);
        let initiated = if rng.random_range(0..5) == 0 {
            "creditor_application"
        } else {
            "court"
        };
        let performance = if rng.random_range(0..4) == 0 {
            "partial"
        } else {
            "none"
        };
        let folded = self.fold(&name);
        [
            Some(uuid::Uuid::new_v4().to_string()),
            Some(code.to_string()),
            Some(case_number),
            Some(kind.to_string()),
            Some(key),
            Some(name),
            Some(folded),
            idn,
            cc,
            Some(debtor.to_string()),
            Some(filed.to_string()),
            Some(basis_number),
            Some(court_name.to_string()),
            Some(obligation),
            Some(performance.to_string()),
            Some(format!("{{{}}}", grounds.join(","))),
            Some(extension.to_string()),
            Some(decided.to_string()),
            grace.map(|d| d.to_string()),
            Some(initiated.to_string()),
            Some(status.to_string()),
            published,
            expires.map(|d| d.to_string()),
            removal.map(|r| r.to_string()),
            // R1: the order an active listing carries (rows written by `derive_orders`).
            (status == "active").then(|| uuid::Uuid::new_v4().to_string()),
        ]
    }
}

/// The `removal` of an ended listing, with a plausible event date: for the L5 reasons the event comes
/// 0 to 2 days before the removal, one in ten 5 to 20 days (late), one in ten has none (unknown); an
/// expiry's event is the end of the term (L6), and one in thirty is removed days late.
fn removal(
    rng: &mut StdRng,
    status: &str,
    fixed_term: bool,
    decided: NaiveDate,
    expires: Option<NaiveDate>,
    today: NaiveDate,
) -> Option<serde_json::Value> {
    match status {
        "removed" => {
            let reason = if fixed_term {
                "early_deletion"
            } else {
                [
                    "performed",
                    "settlement_performed",
                    "creditor_request",
                    "no_assets_after_termination",
                    "early_deletion",
                ][rng.random_range(0..5)]
            };
            let at = date_between(rng, decided + Duration::days(1), today);
            let lag = match rng.random_range(0..10) {
                0 => Some(rng.random_range(5..=20)),
                1 => None,
                _ => Some(rng.random_range(0..=2)),
            };
            let event_on = lag
                .filter(|_| reason != "early_deletion")
                .map(|l| (at - Duration::days(l)).max(decided));
            Some(
                json!({"reason": reason, "note": "", "removed_at": format!("{at}T03:00:00Z"),
                "event_on": event_on}),
            )
        }
        "revoked" => Some(json!({"reason": "wrongful_listing", "note": "",
            "removed_at": format!("{}T03:00:00Z", decided + Duration::days(10)), "event_on": null})),
        "expired" => expires.map(|e| {
            let late = if rng.random_range(0..30) == 0 {
                rng.random_range(5..15)
            } else {
                0
            };
            let at = (e + Duration::days(late)).min(today);
            json!({"reason": "term_expired", "note": "", "removed_at": format!("{at}T00:00:00Z"),
                "event_on": e})
        }),
        _ => None,
    }
}

/// Inserts `n` synthetic listings into the database at `url` (see the module comment).
pub async fn seed(url: &str, n: u64, seed: u64, quiet: bool) -> anyhow::Result<()> {
    let (client, conn) = tokio_postgres::connect(url, NoTls)
        .await
        .context("connecting to PostgreSQL")?;
    let driver = tokio::spawn(conn);
    for (code, name, province, parent, _) in COURTS {
        let level = if code.chars().count() == 3 {
            "intermediate"
        } else {
            "basic"
        };
        client
            .execute(
                "INSERT INTO courts (code, name, province, level, parent_code) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (code) DO NOTHING",
                &[code, name, province, &level, parent],
            )
            .await
            .context("creating courts")?;
    }
    let insert = client
        .prepare(INSERT)
        .await
        .context("preparing the insert")?;
    let existing: i64 = client
        .query_one("SELECT count(*) FROM listings", &[])
        .await?
        .get(0);
    let mut g = Gen {
        rng: StdRng::seed_from_u64(seed ^ existing.unsigned_abs()),
        courts: basic_courts(),
        case_seq: HashMap::new(),
        case_base: u32::try_from(existing).unwrap_or(0),
        folded: HashMap::new(),
        today: today_cst(),
    };
    let bar = if quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(n)
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} listings ({per_sec}, eta {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut left = n;
    while left > 0 {
        let size = usize::try_from(left.min(BATCH as u64)).unwrap_or(BATCH);
        let mut cols = Columns::new();
        for _ in 0..size {
            cols.push(g.row());
        }
        let params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = cols
            .c
            .iter()
            .map(|c| c as &(dyn tokio_postgres::types::ToSql + Sync))
            .collect();
        client
            .execute(&insert, &params)
            .await
            .context("inserting a batch")?;
        bar.inc(cols.len() as u64);
        left -= cols.len() as u64;
    }
    bar.finish();
    derive_orders(&client)
        .await
        .context("deriving restriction orders")?;
    client.execute("ANALYZE listings", &[]).await?;
    drop(client);
    driver.abort();
    Ok(())
}

/// Seeded listings whose order is not written yet (R1): see [`crate::orders::bulk::derive_orders`].
const SEEDED_TARGETS: &str = "SELECT l.id AS listing_id, l.restriction_id FROM listings l
    WHERE l.status = 'active' AND l.restriction_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM restrictions r WHERE r.id = l.restriction_id)";

/// R1 for seeded data: every active listing gets its order, with its subjects (R3), the persons
/// they name, and a passport for some person debtors.
async fn derive_orders(client: &tokio_postgres::Client) -> Result<(), tokio_postgres::Error> {
    crate::orders::bulk::derive_orders(client, SEEDED_TARGETS, chrono::Utc::now()).await?;
    client
        .execute(
            "INSERT INTO persons (id_number, name, name_folded)
             SELECT DISTINCT ON (s.subject_key) s.subject_key, s.name, s.name
               FROM restriction_subjects s WHERE s.kind = 'person'
             ON CONFLICT (id_number) DO NOTHING",
            &[],
        )
        .await?;
    client
        .execute(
            "INSERT INTO person_documents (id_number, doc_type, doc_number)
             SELECT l.debtor_key, 'passport', 'E' || lpad((abs(hashtext(l.debtor_key)) % 100000000)::text, 8, '0')
               FROM listings l
              WHERE l.debtor_kind = 'person' AND l.status = 'active' AND abs(hashtext(l.id::text)) % 5 = 0
             ON CONFLICT DO NOTHING",
            &[],
        )
        .await?;
    client.execute("ANALYZE restrictions", &[]).await?;
    client.execute("ANALYZE restriction_subjects", &[]).await?;
    Ok(())
}
