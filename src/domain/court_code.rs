//! Court codes of the 2016 case-number rules (docs/LAW.md I3) and the court hierarchy they imply.

use crate::domain::ErrorCode;
use serde::{Serialize, Serializer};

use super::DomainError;

/// The Supreme People's Court's code.
pub const SUPREME_COURT_CODE: &str = "最高法";

/// Abbreviations of the 33 high-level courts: 31 provinces, the military (`军`) and the Xinjiang
/// Production and Construction Corps branch (`兵`) (I3).
pub const HIGH_COURT_ABBREVS: [char; 33] = [
    '京', '津', '冀', '晋', '内', '辽', '吉', '黑', '沪', '苏', '浙', '皖', '闽', '赣', '鲁', '豫',
    '鄂', '湘', '粤', '桂', '琼', '渝', '川', '黔', '云', '藏', '陕', '甘', '青', '宁', '新', '军',
    '兵',
];

/// (abbreviation, province or body, high court name), in the order of [`HIGH_COURT_ABBREVS`].
const PROVINCES: [(char, &str, &str); 33] = [
    ('京', "北京市", "北京市高级人民法院"),
    ('津', "天津市", "天津市高级人民法院"),
    ('冀', "河北省", "河北省高级人民法院"),
    ('晋', "山西省", "山西省高级人民法院"),
    ('内', "内蒙古自治区", "内蒙古自治区高级人民法院"),
    ('辽', "辽宁省", "辽宁省高级人民法院"),
    ('吉', "吉林省", "吉林省高级人民法院"),
    ('黑', "黑龙江省", "黑龙江省高级人民法院"),
    ('沪', "上海市", "上海市高级人民法院"),
    ('苏', "江苏省", "江苏省高级人民法院"),
    ('浙', "浙江省", "浙江省高级人民法院"),
    ('皖', "安徽省", "安徽省高级人民法院"),
    ('闽', "福建省", "福建省高级人民法院"),
    ('赣', "江西省", "江西省高级人民法院"),
    ('鲁', "山东省", "山东省高级人民法院"),
    ('豫', "河南省", "河南省高级人民法院"),
    ('鄂', "湖北省", "湖北省高级人民法院"),
    ('湘', "湖南省", "湖南省高级人民法院"),
    ('粤', "广东省", "广东省高级人民法院"),
    ('桂', "广西壮族自治区", "广西壮族自治区高级人民法院"),
    ('琼', "海南省", "海南省高级人民法院"),
    ('渝', "重庆市", "重庆市高级人民法院"),
    ('川', "四川省", "四川省高级人民法院"),
    ('黔', "贵州省", "贵州省高级人民法院"),
    ('云', "云南省", "云南省高级人民法院"),
    ('藏', "西藏自治区", "西藏自治区高级人民法院"),
    ('陕', "陕西省", "陕西省高级人民法院"),
    ('甘', "甘肃省", "甘肃省高级人民法院"),
    ('青', "青海省", "青海省高级人民法院"),
    ('宁', "宁夏回族自治区", "宁夏回族自治区高级人民法院"),
    ('新', "新疆维吾尔自治区", "新疆维吾尔自治区高级人民法院"),
    ('军', "中国人民解放军", "中国人民解放军军事法院"),
    (
        '兵',
        "新疆生产建设兵团",
        "新疆维吾尔自治区高级人民法院生产建设兵团分院",
    ),
];

/// Full Chinese name of the province (or body) of an abbreviation: `京` → `北京市`.
pub fn province_name(abbrev: char) -> Option<&'static str> {
    PROVINCES.iter().find(|p| p.0 == abbrev).map(|p| p.1)
}

/// Name of the high-level court of an abbreviation: `京` → `北京市高级人民法院`.
pub fn high_court_name(abbrev: char) -> Option<&'static str> {
    PROVINCES.iter().find(|p| p.0 == abbrev).map(|p| p.2)
}

code_enum! {
    /// Level of a court. `Special` (maritime, railway, IP … courts) is only given explicitly;
    /// [`CourtCode::level`] derives the other levels from the code's shape.
    pub enum CourtLevel {
        Supreme = ("supreme", "最高人民法院"),
        High = ("high", "高级人民法院"),
        Intermediate = ("intermediate", "中级人民法院"),
        Basic = ("basic", "基层人民法院"),
        Special = ("special", "专门人民法院"),
    }
}

/// A court code: `最高法`, a high-court abbreviation, + 2 digits (intermediate) or + 4 digits
/// (basic) (I3).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CourtCode(String);

impl CourtCode {
    /// Parses a court code (surrounding spaces trimmed). Error code `invalid_court_code`.
    pub fn parse(s: &str) -> Result<CourtCode, DomainError> {
        let s = s.trim();
        if s == SUPREME_COURT_CODE {
            return Ok(CourtCode(s.to_owned()));
        }
        let mut chars = s.chars();
        let valid = chars
            .next()
            .is_some_and(|c| HIGH_COURT_ABBREVS.contains(&c))
            && {
                let digits = chars.as_str();
                matches!(digits.len(), 0 | 2 | 4) && digits.bytes().all(|b| b.is_ascii_digit())
            };
        if valid {
            Ok(CourtCode(s.to_owned()))
        } else {
            Err(DomainError::new(
                ErrorCode::InvalidCourtCode,
                format!("`{s}` is not a court code (最高法, 京, 京01, 京0105 …)"),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Level from the code's shape (never `Special`).
    pub fn level(&self) -> CourtLevel {
        match self.digits().len() {
            _ if self.0 == SUPREME_COURT_CODE => CourtLevel::Supreme,
            0 => CourtLevel::High,
            2 => CourtLevel::Intermediate,
            _ => CourtLevel::Basic,
        }
    }

    /// The court above this one by default: `京0105` → `京01` → `京` → `最高法` → none.
    pub fn default_parent(&self) -> Option<CourtCode> {
        let abbrev = self.province_abbrev()?;
        let digits = self.digits();
        let parent = match digits.len() {
            0 => SUPREME_COURT_CODE.to_owned(),
            2 => abbrev.to_string(),
            _ => format!("{abbrev}{}", digits.get(..2).unwrap_or_default()),
        };
        Some(CourtCode(parent))
    }

    /// The abbreviation (`京` of `京0105`); `None` for the SPC.
    pub fn province_abbrev(&self) -> Option<char> {
        if self.0 == SUPREME_COURT_CODE {
            None
        } else {
            self.0.chars().next()
        }
    }

    /// True when `self` is `other` or one of its default ancestors (`京` covers `京0105`).
    pub fn is_same_or_ancestor_of(&self, other: &CourtCode) -> bool {
        let mut current = Some(other.clone());
        while let Some(c) = current {
            if &c == self {
                return true;
            }
            current = c.default_parent();
        }
        false
    }

    fn digits(&self) -> &str {
        let mut chars = self.0.chars();
        chars.next();
        chars.as_str()
    }
}

impl std::fmt::Display for CourtCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for CourtCode {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for CourtCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod tests;
