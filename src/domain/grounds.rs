//! Grounds for listing (docs/LAW.md L1) and what they imply for the term (L2).

use crate::domain::ErrorCode;
use serde::Serialize;

use super::DomainError;

code_enum! {
    /// L1: the six grounds of Art. 1 of the List Provisions.
    pub enum Ground {
        /// (1) 有履行能力而拒不履行. Alone, it gives a listing without a fixed term (L2).
        AbleButRefuses = ("able_but_refuses", "有履行能力而拒不履行生效法律文书确定义务"),
        /// (2) Aggravating: allows an extension (L2).
        ObstructsEnforcement = ("obstructs_enforcement", "以伪造证据、暴力、威胁等方法妨碍、抗拒执行"),
        EvadesEnforcement = (
            "evades_enforcement",
            "以虚假诉讼、虚假仲裁或者以隐匿、转移财产等方法规避执行"
        ),
        ViolatesAssetReporting = ("violates_asset_reporting", "违反财产报告制度"),
        ViolatesConsumptionRestriction = ("violates_consumption_restriction", "违反限制消费令"),
        RefusesSettlement = ("refuses_settlement", "无正当理由拒不履行执行和解协议"),
    }
}

/// The List Provisions, as a decision cites them (L14).
pub const LIST_PROVISIONS: &str = "《最高人民法院关于公布失信被执行人名单信息的若干规定》";

impl Ground {
    /// L1, L14: the item of Art. 1 of the List Provisions that states this ground, as a decision
    /// (决定书) cites it.
    pub fn article(self) -> &'static str {
        match self {
            Ground::AbleButRefuses => {
                "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条第一项"
            }
            Ground::ObstructsEnforcement => {
                "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条第二项"
            }
            Ground::EvadesEnforcement => {
                "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条第三项"
            }
            Ground::ViolatesAssetReporting => {
                "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条第四项"
            }
            Ground::ViolatesConsumptionRestriction => {
                "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条第五项"
            }
            Ground::RefusesSettlement => {
                "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条第六项"
            }
        }
    }
}

/// A non-empty set of distinct grounds, in the order first given. Serialises as a list of codes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Grounds(Vec<Ground>);

impl Grounds {
    /// Parses codes (L1): at least one (`grounds_required`), each known (`invalid_value`);
    /// duplicates are dropped silently, keeping the first occurrence's order.
    pub fn parse(codes: &[String]) -> Result<Grounds, DomainError> {
        let grounds = codes
            .iter()
            .map(|c| Ground::parse(c))
            .collect::<Result<Vec<_>, _>>()?;
        Self::new(grounds)
    }

    /// Builds from values: non-empty (`grounds_required`), duplicates dropped.
    pub fn new(grounds: impl IntoIterator<Item = Ground>) -> Result<Grounds, DomainError> {
        let mut out: Vec<Ground> = Vec::new();
        for g in grounds {
            if !out.contains(&g) {
                out.push(g);
            }
        }
        if out.is_empty() {
            return Err(DomainError::new(
                ErrorCode::GroundsRequired,
                "at least one ground is required",
            ));
        }
        Ok(Grounds(out))
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Ground> {
        self.0.iter()
    }

    pub fn as_slice(&self) -> &[Ground] {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Always false: a `Grounds` is never empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, g: Ground) -> bool {
        self.0.contains(&g)
    }

    pub fn codes(&self) -> Vec<&'static str> {
        self.0.iter().map(Ground::code).collect()
    }

    /// L2: a term of 2 years applies when any ground (2)–(6) is present; ground (1) alone has
    /// no fixed term.
    pub fn has_fixed_term(&self) -> bool {
        self.0.iter().any(|g| *g != Ground::AbleButRefuses)
    }

    /// L2: an extension is possible for serious obstruction (`obstructs_enforcement`) or several
    /// dishonest acts (two or more grounds).
    pub fn is_aggravated(&self) -> bool {
        self.contains(Ground::ObstructsEnforcement) || self.0.len() >= 2
    }
}

impl<'a> IntoIterator for &'a Grounds {
    type Item = &'a Ground;
    type IntoIter = std::slice::Iter<'a, Ground>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grounds(codes: &[&str]) -> Result<Grounds, DomainError> {
        Grounds::parse(&codes.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn l1_codes_and_labels_round_trip() {
        assert_eq!(Ground::ALL.len(), 6);
        for g in Ground::ALL {
            assert_eq!(Ground::parse(g.code()).unwrap(), g);
            assert_eq!(
                serde_json::to_string(&g).unwrap(),
                format!("\"{}\"", g.code())
            );
            assert!(!g.label().is_empty());
        }
        assert_eq!(Ground::ViolatesAssetReporting.label(), "违反财产报告制度");
        assert_eq!(Ground::parse("lazy").unwrap_err().code, "invalid_value");
        let g: Ground = serde_json::from_str("\"refuses_settlement\"").unwrap();
        assert_eq!(g, Ground::RefusesSettlement);
    }

    #[test]
    fn l14_each_ground_cites_its_item_of_article_one() {
        let items = ["一", "二", "三", "四", "五", "六"];
        for (g, item) in Ground::ALL.iter().zip(items) {
            assert_eq!(
                g.article(),
                format!("{LIST_PROVISIONS}第一条第{item}项"),
                "{}",
                g.code()
            );
        }
    }

    #[test]
    fn l1_grounds_required_and_unknown_rejected() {
        assert_eq!(grounds(&[]).unwrap_err().code, "grounds_required");
        assert_eq!(
            grounds(&["able_but_refuses", "x"]).unwrap_err().code,
            "invalid_value"
        );
    }

    #[test]
    fn l1_duplicates_dropped_keeping_order() {
        let g = grounds(&[
            "violates_asset_reporting",
            "able_but_refuses",
            "violates_asset_reporting",
        ]);
        let g = g.unwrap();
        assert_eq!(
            g.codes(),
            vec!["violates_asset_reporting", "able_but_refuses"]
        );
        assert_eq!(
            serde_json::to_string(&g).unwrap(),
            r#"["violates_asset_reporting","able_but_refuses"]"#
        );
    }

    #[test]
    fn l2_ground_one_alone_has_no_fixed_term() {
        let g = grounds(&["able_but_refuses", "able_but_refuses"]).unwrap();
        assert!(!g.has_fixed_term());
        assert!(!g.is_aggravated());
        for other in &Ground::ALL[1..] {
            assert!(grounds(&[other.code()]).unwrap().has_fixed_term());
        }
    }

    #[test]
    fn l2_aggravated_by_obstruction_or_several_grounds() {
        assert!(grounds(&["obstructs_enforcement"]).unwrap().is_aggravated());
        assert!(!grounds(&["evades_enforcement"]).unwrap().is_aggravated());
        let two = grounds(&["able_but_refuses", "refuses_settlement"]).unwrap();
        assert!(two.is_aggravated() && two.has_fixed_term());
    }
}
