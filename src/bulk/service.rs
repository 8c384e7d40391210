//! The service of the decision an imported listing states (L14: `served_on` and `service_method`),
//! checked with the rules of `POST /v1/listings/{id}/service`: both or neither, the date neither
//! in the future nor before the decision was signed (or made), the method from the list.

use chrono::NaiveDate;
use serde_json::Value;

use super::report::BadLine;
use crate::{
    db::models::listing::ListingValues,
    domain::{
        ErrorCode,
        correction::{ServiceMethod, check_served_on},
    },
};

/// The service a line states, `None` when it states none; every problem is pushed onto `bad`.
/// `values` are the line's validated values (`None` when they did not validate: then the date is
/// only checked against `today`).
pub fn service(
    bad: &mut Vec<BadLine>,
    line: u64,
    served_on: Option<&str>,
    method: Option<&str>,
    values: Option<&ListingValues>,
    today: NaiveDate,
) -> Option<(NaiveDate, ServiceMethod)> {
    let served_on = served_on.map(str::trim).filter(|s| !s.is_empty());
    let method = method.map(str::trim).filter(|s| !s.is_empty());
    let mut fail = |field: &str, code: ErrorCode, msg: String| {
        bad.push(BadLine::new(line, Some(field), code, msg));
    };
    let (served_on, method) = match (served_on, method) {
        (None, None) => return None,
        (Some(_), None) => {
            fail(
                "service_method",
                ErrorCode::InvalidValue,
                "a served decision states its service_method (L14)".into(),
            );
            return None;
        }
        (None, Some(_)) => {
            fail(
                "served_on",
                ErrorCode::InvalidValue,
                "a service_method goes with the date the decision was served_on (L14)".into(),
            );
            return None;
        }
        (Some(d), Some(m)) => (d, m),
    };
    let date = NaiveDate::parse_from_str(served_on, "%Y-%m-%d").ok();
    if date.is_none() {
        fail(
            "served_on",
            ErrorCode::InvalidDate,
            "a date is written YYYY-MM-DD".into(),
        );
    }
    // The message of `ServiceMethod::parse` quotes the value; a report never does.
    let method = ServiceMethod::parse(method)
        .map_err(|e| {
            fail(
                "service_method",
                e.code,
                "service_method is direct, post, electronic or public_notice".into(),
            )
        })
        .ok();
    let date = date?;
    // As the API: the decision's signing date when recorded, else the day it was made.
    let made = values.map(|v| {
        v.decision
            .as_ref()
            .and_then(|d| d.get("signed_on"))
            .and_then(Value::as_str)
            .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
            .unwrap_or(v.decided_on)
    });
    if let Err(e) = check_served_on(date, made.unwrap_or(NaiveDate::MIN), today) {
        fail("served_on", e.code, e.message);
    }
    Some((date, method?))
}
