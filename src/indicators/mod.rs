//! Indicators for supervising courts (挂图作战): one consistent snapshot of listings and orders by
//! court, flows per period and the deadlines of L5, L6 and L11. Served by `GET /v1/indicators` and
//! the supervisors' page.

pub mod build;
pub mod remedies;
pub mod wire;

use chrono::{Datelike, Duration, NaiveDate};

use crate::domain::ErrorCode;
use crate::{
    app::AppState,
    auth::{Principal, Role},
    db::models::court::{Court, CourtRef, ancestors, subtree},
    domain::{court_code::CourtCode, period::Period, today_cst},
    error::ApiError,
    paging::opt,
};
use wire::{IndicatorsOut, IndicatorsQuery, Scope};

/// The longest range of flows one request may ask for.
pub const MAX_RANGE_DAYS: i64 = 3 * 366;

/// The indicators `principal` may see for the query (also behind the supervisors' page).
pub async fn compute(
    state: &AppState,
    principal: &Principal,
    q: &IndicatorsQuery,
) -> Result<IndicatorsOut, ApiError> {
    let today = today_cst();
    let (from, to) = range(q, today)?;
    let period = match opt(&q.period) {
        None => Period::Month,
        Some(p) => Period::parse(p)
            .map_err(|_| ApiError::invalid_parameter("period is one of day, week, month"))?,
    };
    let mut conn = state.db.get().await?;
    let (scope, courts) = resolve_scope(&mut conn, principal, q).await?;
    crate::db::transaction(&mut conn, move |c| {
        Box::pin(async move {
            crate::db::read_only_snapshot(c).await?;
            build::indicators(c, scope, courts, from, to, period, today).await
        })
    })
    .await
}

/// The years a date parameter may name (date arithmetic near chrono's limits would overflow).
pub const YEARS: std::ops::RangeInclusive<i32> = 1990..=2199;

fn date_param(name: &str, v: Option<&str>) -> Result<Option<NaiveDate>, ApiError> {
    v.map(|s| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .filter(|d| YEARS.contains(&d.year()))
            .ok_or_else(|| {
                ApiError::invalid_parameter(format!(
                    "{name} is a date, YYYY-MM-DD, from 1990 to 2199"
                ))
            })
    })
    .transpose()
}

/// `from`..`to`: by default the last 30 days up to today (CST); at most [`MAX_RANGE_DAYS`].
fn range(q: &IndicatorsQuery, today: NaiveDate) -> Result<(NaiveDate, NaiveDate), ApiError> {
    let to = date_param("to", opt(&q.to))?.unwrap_or(today);
    let from = date_param("from", opt(&q.from))?.unwrap_or(to - Duration::days(29));
    if from > to {
        return Err(ApiError::invalid_parameter("from is after to"));
    }
    if (to - from).num_days() >= MAX_RANGE_DAYS {
        return Err(ApiError::invalid_parameter(format!(
            "from..to spans at most {MAX_RANGE_DAYS} days"
        )));
    }
    Ok((from, to))
}

/// The courts the answer covers: a supervisor's subtree (its court and every court under it, L7)
/// or every court for an admin, narrowed to `court` (and the courts under it) and `province`.
async fn resolve_scope(
    conn: &mut diesel_async::AsyncPgConnection,
    principal: &Principal,
    q: &IndicatorsQuery,
) -> Result<(Scope, Vec<CourtRef>), ApiError> {
    let own = match principal.role {
        Role::Admin => None,
        Role::Supervisor => Some(principal.require_court_actor()?.as_str().to_string()),
        r => {
            return Err(ApiError::forbidden(
                ErrorCode::Forbidden,
                format!(
                    "a {} may not read the indicators; they are for supervisors and administrators",
                    r.as_str()
                ),
            ));
        }
    };
    let asked = match opt(&q.court) {
        None => None,
        Some(c) => {
            let code = CourtCode::parse(c)
                .map_err(|_| ApiError::invalid_parameter("court is not a court code"))?;
            let court = Court::find(conn, code.as_str())
                .await?
                .ok_or_else(|| ApiError::invalid_parameter(format!("no court {c}")))?;
            if let Some(own) = &own
                && !ancestors(conn, &court.code).await?.contains(own)
            {
                return Err(ApiError::forbidden(
                    ErrorCode::CourtNotInScope,
                    format!("court {c} is not under the supervisor's court"),
                ));
            }
            Some(court.code)
        }
    };
    let province = opt(&q.province).map(str::to_string);
    let root = asked.clone().or(own);
    let courts = subtree(conn, root.as_deref(), province.as_deref()).await?;
    let scope = Scope {
        role: principal.role,
        court_code: root,
        province,
        courts: courts.len() as i64,
    };
    Ok((scope, courts))
}
