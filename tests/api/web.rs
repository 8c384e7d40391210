//! The public web page (GET /, GET /listings/{id}): server-rendered Chinese HTML, masked data.

use crate::{
    helpers::{TestApp, org_listing, spawn_app_with},
    public_helpers::{NO_LIMIT, named, public_raw, q},
};

async fn page(app: &TestApp, path: &str) -> (u16, String) {
    let (s, h, body) = public_raw(app, path).await;
    assert_eq!(h.get("content-type").unwrap(), "text/html; charset=utf-8");
    (s, body)
}

#[tokio::test]
async fn web_home_page_has_an_accessible_search_form() {
    let app = spawn_app_with(&[NO_LIMIT]).await;
    let (s, html) = page(&app, "/").await;
    assert_eq!(s, 200);
    assert!(html.contains("<html lang=\"zh-CN\">"));
    assert!(html.contains("<h1>失信被执行人名单查询</h1>"));
    assert!(html.contains("<label for=\"name\">"));
    assert!(html.contains("id=\"name\" name=\"name\""));
    assert!(html.contains("<label for=\"id_number\">"));
    assert!(html.contains("<button type=\"submit\">查询</button>"));
    assert!(!html.contains("<script"), "no JavaScript");
}

#[tokio::test]
async fn web_search_in_traditional_characters_finds_the_listing_and_its_detail() {
    let app = spawn_app_with(&[NO_LIMIT]).await;
    let body = named("张伟", 1);
    let full = body["debtor"]["id_number"].as_str().unwrap().to_string();
    let v = app.create_listing(&body).await;
    let id = v["id"].as_str().unwrap();
    let (s, html) = page(&app, &format!("/?name={}", q("張偉"))).await;
    assert_eq!(s, 200);
    assert!(html.contains(&format!("href=\"/listings/{id}\"")), "{html}");
    assert!(html.contains(&format!("{}****{}", &full[..10], &full[14..])));
    assert!(
        html.contains("value=\"張偉\""),
        "the query is kept in the form"
    );
    let (s, html) = page(&app, &format!("/listings/{id}")).await;
    assert_eq!(s, 200);
    assert!(html.contains("失信被执行人名单信息：张伟"));
    assert!(
        html.contains("《最高人民法院关于公布失信被执行人名单信息的若干规定》第六条第（二）项")
    );
    assert!(html.contains("违反财产报告制度"));
    assert!(html.contains("全部未履行"));
    assert!(html.contains("北京市朝阳区人民法院"));
    assert!(html.contains("<th scope=\"row\">身份证号码</th>"));
    assert!(!html.contains(&full));
    // a phone stacks the fields (the layout itself is checked by scripts/browser-test at 390 px)
    assert!(html.contains("<table class=\"fields\">"));
    assert!(html.contains("@media (max-width: 40rem)"));
}

#[tokio::test]
async fn web_organisation_detail_shows_the_code_and_legal_representative() {
    let app = spawn_app_with(&[NO_LIMIT]).await;
    let v = app
        .create_listing(&org_listing("9144030071526726XG", 2))
        .await;
    let (s, html) = page(&app, &format!("/listings/{}", v["id"].as_str().unwrap())).await;
    assert_eq!(s, 200);
    assert!(html.contains("9144030071526726XG"));
    assert!(html.contains("王五"));
    assert!(html.contains("第六条第（一）项"));
}

#[tokio::test]
async fn web_unknown_names_and_listings_have_a_clear_not_found_message() {
    let app = spawn_app_with(&[NO_LIMIT]).await;
    let (s, html) = page(&app, &format!("/?name={}", q("查无此人"))).await;
    assert_eq!(s, 200);
    assert!(html.contains("<strong>未找到</strong>"));
    assert!(html.contains("role=\"status\""));
    let (s, html) = page(&app, "/listings/00000000-0000-0000-0000-000000000000").await;
    assert_eq!(s, 404);
    assert!(html.contains("未找到该名单信息"));
    let (s, html) = page(&app, "/listings/nonsense").await;
    assert_eq!(s, 404);
    assert!(html.contains("未找到该名单信息"));
}

#[tokio::test]
async fn web_invalid_queries_explain_themselves() {
    let app = spawn_app_with(&[NO_LIMIT]).await;
    let (s, html) = page(&app, &format!("/?name={}", q("张"))).await;
    assert_eq!(s, 400);
    assert!(html.contains("至少需要两个字"));
    assert!(html.contains("role=\"alert\""));
    let (s, html) = page(&app, &format!("/?name={}&id_number=12345", q("张三"))).await;
    assert_eq!(s, 400);
    assert!(html.contains("校验位不正确"));
}

#[tokio::test]
async fn web_escapes_what_the_user_typed() {
    let app = spawn_app_with(&[NO_LIMIT]).await;
    let (s, html) = page(&app, &format!("/?name={}", q("<script>alert(1)</script>"))).await;
    assert_eq!(s, 200);
    assert!(!html.contains("<script>"));
    assert!(html.contains("&lt;script&gt;") || html.contains("&#60;script&#62;"));
}

#[tokio::test]
async fn web_results_are_paged_by_twenty() {
    let app = spawn_app_with(&[NO_LIMIT]).await;
    for seq in 1..=21 {
        app.create_listing(&named("陈静", seq)).await;
    }
    let (s, html) = page(&app, &format!("/?name={}", q("陈静"))).await;
    assert_eq!(s, 200);
    assert_eq!(html.matches("href=\"/listings/").count(), 20);
    let next = html
        .split("<a href=\"")
        .filter_map(|p| p.split('"').next())
        .find(|h| h.contains("cursor="))
        .expect("a next-page link")
        .replace("&amp;", "&")
        .replace("&#38;", "&");
    let (s, html) = page(&app, &next).await;
    assert_eq!(s, 200);
    assert_eq!(html.matches("href=\"/listings/").count(), 1);
}
