//! Bodies of the public routes (docs/API.md "Public", "Public items").

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::domain::{grounds::Ground, listing_rules::Performance, status::PartyKind};

#[derive(Debug, Deserialize, IntoParams)]
pub struct PublicQuery {
    /// The debtor's name; matched exactly on its folded form (docs/LAW.md I4: traditional or
    /// simplified, full-width or half-width, spaces and middle-dot variants find the same listing).
    /// At least 2 characters after folding.
    pub name: Option<String>,
    /// Optional: an ID number (18 or 15 digits) or a credit code (USCC or 9-character organisation code).
    pub id_number: Option<String>,
    pub cursor: Option<String>,
    /// 1..=1000, default 100.
    pub limit: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PublicBasis {
    /// 执行依据文号.
    pub document_number: String,
    /// 做出执行依据单位.
    pub issuer: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PublicGround {
    #[schema(value_type = String)]
    pub code: Ground,
    /// The Chinese text of List Provisions Art. 1.
    pub label: String,
}

/// What the public sees of an active listing (docs/LAW.md L9–L10). A person's ID number is masked
/// (`id_number_masked`: first 10, `****`, last 4); an organisation carries `credit_code` in full.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PublicItem {
    pub id: Uuid,
    /// `person` or `organization`.
    #[schema(value_type = String)]
    pub kind: PartyKind,
    pub name: String,
    /// `male` / `female`; null for organisations.
    pub gender: Option<String>,
    /// Whole years on the publication date; null for organisations.
    pub age: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_number_masked: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_code: Option<String>,
    /// The legal representative's name (organisations), else null.
    pub legal_representative: Option<String>,
    pub court_name: String,
    pub province: String,
    pub case_number: String,
    pub filed_on: NaiveDate,
    pub basis: PublicBasis,
    pub obligation: String,
    /// `none` (全部未履行) or `partial` (部分未履行).
    #[schema(value_type = String)]
    pub performance: Performance,
    pub performance_label: String,
    pub grounds: Vec<PublicGround>,
    pub published_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PublicPage {
    pub items: Vec<PublicItem>,
    pub next_cursor: Option<String>,
}
