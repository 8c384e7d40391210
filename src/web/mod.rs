//! The public web page (docs/API.md "Public"): server-rendered HTML (askama), in Chinese, without
//! JavaScript. `GET /` searches, `GET /listings/{id}` shows one published listing with the legal
//! basis of each field. Templates are in `src/web/templates/`. `supervise` is the supervisors' page.

pub mod certificate;
pub mod decision;
pub mod supervise;

use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;

use crate::{
    app::AppState,
    domain::status::PartyKind,
    error::ApiError,
    public::{
        find_item, parse_search, search_page,
        wire::{PublicItem, PublicQuery},
    },
};

/// Results per page on the web page.
pub const PAGE_SIZE: i64 = 20;

/// The article of the List Provisions that names the published fields.
pub const ART6: &str = "《最高人民法院关于公布失信被执行人名单信息的若干规定》第六条";

#[derive(Template)]
#[template(path = "index.html")]
struct IndexPage {
    name: String,
    id_number: String,
    searched: bool,
    error: Option<String>,
    items: Vec<PublicItem>,
    next_href: Option<String>,
}

#[derive(Template)]
#[template(path = "detail.html")]
struct DetailPage {
    item: Option<PublicItem>,
    art6: &'static str,
    name_query: String,
}

fn html(status: StatusCode, t: &impl Template) -> Result<HttpResponse, ApiError> {
    let body = t
        .render()
        .map_err(|e| ApiError::internal(anyhow::anyhow!("rendering a page: {e}")))?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-cache"))
        .body(body))
}

fn encode(pairs: &[(&str, &str)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        if !v.is_empty() {
            s.append_pair(k, v);
        }
    }
    s.finish()
}

/// `GET /`: the search form; with `?name=`, the results.
pub async fn index(
    state: web::Data<AppState>,
    q: web::Query<PublicQuery>,
) -> Result<HttpResponse, ApiError> {
    let name = q.name.clone().unwrap_or_default().trim().to_string();
    let id_number = q.id_number.clone().unwrap_or_default().trim().to_string();
    let mut page = IndexPage {
        name: name.clone(),
        id_number: id_number.clone(),
        searched: false,
        error: None,
        items: Vec::new(),
        next_href: None,
    };
    if name.is_empty() && id_number.is_empty() && q.cursor.is_none() {
        return html(StatusCode::OK, &page);
    }
    // The page shows 20 results at a time (the API's default is 100).
    let q = PublicQuery {
        name: q.name.clone(),
        id_number: q.id_number.clone(),
        cursor: q.cursor.clone(),
        limit: q.limit.or(Some(PAGE_SIZE)),
    };
    let search = match parse_search(&q) {
        Ok(s) => s,
        Err(e) if e.status == StatusCode::BAD_REQUEST => {
            page.error = Some(match e.detail.as_str() {
                d if d.starts_with("name is required") => "请输入被执行人的姓名或名称。".into(),
                d if d.starts_with("name must have at least") => {
                    "姓名或名称至少需要两个字。".into()
                }
                d if d.starts_with("id_number") => {
                    "身份证号码或统一社会信用代码的格式或校验位不正确，请核对。".into()
                }
                _ => "查询条件不正确，请核对后重试。".into(),
            });
            return html(StatusCode::BAD_REQUEST, &page);
        }
        Err(e) => return Err(e),
    };
    let result = search_page(&state, &search).await?;
    page.searched = true;
    page.items = result.items;
    page.next_href = result.next_cursor.map(|c| {
        format!(
            "/?{}",
            encode(&[("name", &name), ("id_number", &id_number), ("cursor", &c)])
        )
    });
    html(StatusCode::OK, &page)
}

/// `GET /listings/{id}`: one published listing, or a clear "not found" page (404).
pub async fn detail(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let item = find_item(&state, &id).await?;
    let status = if item.is_some() {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    let name_query = item
        .as_ref()
        .map(|i| {
            encode(&[("x", &i.name)])
                .trim_start_matches("x=")
                .to_string()
        })
        .unwrap_or_default();
    html(
        status,
        &DetailPage {
            item,
            art6: ART6,
            name_query,
        },
    )
}
