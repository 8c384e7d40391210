//! `GET /supervise` and `POST /supervise`: the supervisors' page (挂图作战) — the indicators of
//! `GET /v1/indicators` as tables, in Chinese, without JavaScript. The token is pasted into the form and
//! sent in the POST body (never in a URL, never logged, never stored); the answer is not cached.

use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;
use serde::Deserialize;

use crate::{
    app::AppState,
    auth::principal::{Role, from_token},
    domain::{listing_rules::RemovalReason, period::Period},
    error::ApiError,
    indicators::{
        compute,
        remedies::CourtOverdue,
        wire::{CourtDeadline, IndicatorsOut, IndicatorsQuery},
    },
};

#[derive(Debug, Default, Deserialize)]
pub struct SuperviseForm {
    #[serde(default)]
    pub token: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub period: Option<String>,
    pub court: Option<String>,
    pub province: Option<String>,
}

pub struct PeriodRow {
    pub start: String,
    pub end: String,
    pub new_listings: i64,
    pub removed: i64,
    pub credit_repairs: i64,
    /// Non-zero reasons with their Chinese labels: `义务已全部履行 3、…`.
    pub reasons: String,
}

pub struct DeadlineTable {
    pub title: &'static str,
    pub rule: &'static str,
    pub rows: Vec<CourtDeadline>,
}

pub struct OverdueTable {
    pub title: &'static str,
    pub rows: Vec<CourtOverdue>,
}

#[derive(Template)]
#[template(path = "supervise.html")]
struct SupervisePage {
    from: String,
    to: String,
    period: String,
    court: String,
    province: String,
    error: Option<String>,
    out: Option<IndicatorsOut>,
    /// `as_of` in China Standard Time.
    as_of: String,
    periods: Vec<PeriodRow>,
    deadlines: Vec<DeadlineTable>,
    remedies_overdue: Vec<OverdueTable>,
}

fn page(f: &SuperviseForm) -> SupervisePage {
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    SupervisePage {
        from: s(&f.from),
        to: s(&f.to),
        period: f.period.clone().unwrap_or_else(|| "month".into()),
        court: s(&f.court),
        province: s(&f.province),
        error: None,
        out: None,
        as_of: String::new(),
        periods: Vec::new(),
        deadlines: Vec::new(),
        remedies_overdue: Vec::new(),
    }
}

fn render(status: StatusCode, p: &SupervisePage) -> Result<HttpResponse, ApiError> {
    let body = p
        .render()
        .map_err(|e| ApiError::internal(anyhow::anyhow!("rendering the supervisors' page: {e}")))?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(body))
}

fn label(reason: &str) -> &str {
    RemovalReason::parse(reason)
        .map(|r| r.label())
        .unwrap_or(reason)
}

/// What to tell the user, in Chinese, of a refused request.
fn message(e: &ApiError) -> String {
    match (e.status.as_u16(), e.code.as_str()) {
        (401, _) => "令牌无效或已过期，请重新获取后粘贴。".into(),
        (403, "court_not_in_scope") => "所选法院不在本院监督范围内。".into(),
        (403, _) => "监督指标仅供上级法院（监督）和管理员查看；执行法院和订阅单位无权查看。".into(),
        (400, _) => format!("查询条件不正确：{}", e.detail),
        _ => "暂时无法查询，请稍后重试。".into(),
    }
}

/// `GET /supervise`: the form.
pub async fn form() -> Result<HttpResponse, ApiError> {
    render(StatusCode::OK, &page(&SuperviseForm::default()))
}

/// `POST /supervise`: the indicators for the token's holder.
pub async fn show(
    state: web::Data<AppState>,
    form: web::Form<SuperviseForm>,
) -> Result<HttpResponse, ApiError> {
    let mut p = page(&form);
    let q = IndicatorsQuery {
        from: form.from.clone(),
        to: form.to.clone(),
        period: form.period.clone(),
        court: form.court.clone(),
        province: form.province.clone(),
    };
    let result = match from_token(&state.jwt, form.token.trim()) {
        Ok(principal) => compute(&state, &principal, &q).await,
        Err(e) => Err(e),
    };
    let out = match result {
        Ok(out) => out,
        Err(e) if e.status.is_client_error() => {
            p.error = Some(message(&e));
            return render(e.status, &p);
        }
        Err(e) => return Err(e),
    };
    p.periods = out
        .periods
        .iter()
        .map(|x| PeriodRow {
            start: x.start.to_string(),
            end: x.end.to_string(),
            new_listings: x.new_listings,
            removed: x.removals.values().sum(),
            credit_repairs: x.credit_repairs,
            reasons: x
                .removals
                .iter()
                .filter(|(_, n)| **n > 0)
                .map(|(r, n)| format!("{} {n}", label(r)))
                .collect::<Vec<_>>()
                .join("、"),
        })
        .collect();
    p.period = Period::parse(&out.period)
        .map(|x| x.code().to_string())
        .unwrap_or_default();
    p.from = out.from.to_string();
    p.to = out.to.to_string();
    let d = &out.deadlines;
    p.deadlines = vec![
        DeadlineTable {
            title: "超期删除（事件发生后超过3个工作日才删除）",
            rule: "L5、L6",
            rows: d.removed_late.clone(),
        },
        DeadlineTable {
            title: "逾期公布（宽限期届满后次日及以后才公布）",
            rule: "L11",
            rows: d.published_late.clone(),
        },
        DeadlineTable {
            title: "宽限期已届满仍未公布",
            rule: "L11",
            rows: d.pending_overdue.clone(),
        },
        DeadlineTable {
            title: "已公布但决定书尚未送达",
            rule: "L14",
            rows: d.unserved.clone(),
        },
        DeadlineTable {
            title: "第八条通报尚未送达（待送达或送达失败）",
            rule: "L15",
            rows: d.notices_outstanding.clone(),
        },
        DeadlineTable {
            title: "通报对象未登记，须另行通报",
            rule: "L15",
            rows: d.notices_unregistered.clone(),
        },
    ];
    p.remedies_overdue = vec![
        OverdueTable {
            title: "纠正申请逾期未审查（收到申请后15日内）",
            rows: out.remedies.review_overdue.clone(),
        },
        OverdueTable {
            title: "复议申请逾期未决定（收到复议申请后15日内，由上一级法院）",
            rows: out.remedies.reconsideration_overdue.clone(),
        },
    ];
    p.as_of = out
        .as_of
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    p.out = Some(out);
    render(StatusCode::OK, &p)
}
