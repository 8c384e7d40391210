//! Names and identifiers: person names drawn from common surnames and given names (so that many
//! people share a name), valid ID numbers (I1) and unified social credit codes (I2), and the words
//! organisation names are made of.

use chrono::{Datelike, Duration, NaiveDate};
use rand::{Rng, rngs::StdRng};

use crate::domain::{
    credit_code::{org_check_char, uscc_check_char},
    id_number::check_char,
};

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
pub(super) const ORG_WORDS: &[&str] = &[
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
pub(super) const ORG_TRADES: &[&str] = &[
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

fn surname(rng: &mut StdRng) -> &'static str {
    // A skewed draw: the product of two uniform numbers favours the start of the list.
    let n = SURNAMES.len() as f64;
    let i = (rng.random::<f64>() * rng.random::<f64>() * n) as usize;
    SURNAMES[i.min(SURNAMES.len() - 1)]
}

pub(super) fn person_name(rng: &mut StdRng) -> String {
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

pub(super) fn id_number(rng: &mut StdRng, region: &str, decided: NaiveDate) -> String {
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
pub(super) fn credit_code(rng: &mut StdRng, region: &str) -> String {
    let org8: String = (0..8)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect();
    let org = format!("{org8}{}", org_check_char(&org8).unwrap_or('0'));
    let body = format!("91{region}{org}");
    format!("{body}{}", uscc_check_char(&body).unwrap_or('0'))
}
