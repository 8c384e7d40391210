//! The public lookup (docs/API.md "Public"): search by folded name, filters, pagination, detail,
//! masking.

use serde_json::json;

use crate::{
    helpers::{TestApp, make_id, org_listing, spawn_app_with, today},
    public_helpers::{NO_LIMIT, named, public_get, q, remove, search, search_ids},
};

async fn app() -> TestApp {
    spawn_app_with(&[NO_LIMIT]).await
}

#[tokio::test]
async fn public_search_matches_the_folded_name_in_every_spelling() {
    let app = app().await;
    let v = app.create_listing(&named("欧阳·娜娜", 1)).await;
    let id = v["id"].as_str().unwrap();
    for spelling in [
        "欧阳·娜娜",
        "歐陽·娜娜",
        " 欧阳 • 娜娜 ",
        "欧阳・娜娜",
        "欧阳･娜娜",
    ] {
        assert_eq!(
            search_ids(&app, spelling).await,
            vec![id.to_string()],
            "{spelling}"
        );
    }
    assert!(search_ids(&app, "欧阳娜").await.is_empty());
}

#[tokio::test]
async fn public_items_carry_the_published_fields_and_mask_the_id_number() {
    let app = app().await;
    let body = named("张三", 2);
    let full = body["debtor"]["id_number"].as_str().unwrap().to_string();
    app.create_listing(&body).await;
    let (s, v) = search(&app, "張三").await;
    assert_eq!(s, 200);
    assert_eq!(v["next_cursor"], json!(null));
    let item = &v["items"][0];
    assert_eq!(item["kind"], "person");
    assert_eq!(item["name"], "张三");
    assert_eq!(
        item["id_number_masked"],
        format!("{}****{}", &full[..10], &full[14..])
    );
    assert!(item.get("id_number").is_none());
    assert!(item.get("credit_code").is_none());
    assert_eq!(item["gender"], "female", "an even sequence number");
    assert!(item["age"].as_u64().unwrap() >= 45);
    assert_eq!(item["legal_representative"], json!(null));
    assert_eq!(item["court_name"], "北京市朝阳区人民法院");
    assert_eq!(item["province"], "北京市");
    assert_eq!(item["performance"], "none");
    assert_eq!(item["performance_label"], "全部未履行");
    assert_eq!(item["grounds"][0]["code"], "violates_asset_reporting");
    assert_eq!(item["grounds"][0]["label"], "违反财产报告制度");
    assert_eq!(item["basis"]["issuer"], "北京市朝阳区人民法院");
    assert_eq!(item["published_on"], today().to_string());
    assert!(!v.to_string().contains(&full));
    assert!(
        !v.to_string().contains("E12345678"),
        "documents are not public"
    );

    let (s, d) = public_get(
        &app,
        &format!("/v1/public/listings/{}", item["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(&d, item);
}

#[tokio::test]
async fn public_organisations_show_the_code_in_full_and_the_legal_representative() {
    let app = app().await;
    app.create_listing(&org_listing("91310110666007217T", 3))
        .await;
    let (_, v) = search(&app, "北京某某贸易有限公司").await;
    let item = &v["items"][0];
    assert_eq!(item["kind"], "organization");
    assert_eq!(item["credit_code"], "91310110666007217T");
    assert_eq!(item["legal_representative"], "王五");
    assert_eq!(item["gender"], json!(null));
    assert_eq!(item["age"], json!(null));
    assert!(item.get("id_number_masked").is_none());
    // The credit code filter matches by organisation code (I2): the USCC and the legacy code alike.
    for code in [
        "91310110666007217T",
        "666007217",
        "９１３１０１１０６６６００７２１７ｔ",
    ] {
        let (s, v) = public_get(
            &app,
            &format!(
                "/v1/public/listings?name={}&id_number={}",
                q("北京某某贸易有限公司"),
                q(code)
            ),
        )
        .await;
        assert_eq!(s, 200, "{code}: {v}");
        assert_eq!(v["items"].as_array().unwrap().len(), 1, "{code}");
    }
}

#[tokio::test]
async fn public_id_number_filter_is_normalised_and_validated() {
    let app = app().await;
    let id = make_id("110105", "19800101", 104);
    let mut body = named("李四", 2);
    body["debtor"]["id_number"] = json!(id);
    app.create_listing(&body).await;
    app.create_listing(&named("李四", 3)).await;
    assert_eq!(search_ids(&app, "李四").await.len(), 2);
    let legacy = format!("{}{}", &id[..6], &id[8..17]);
    for filter in [id.clone(), id.to_lowercase(), format!(" {id} "), legacy] {
        let (s, v) = public_get(
            &app,
            &format!(
                "/v1/public/listings?name={}&id_number={}",
                q("李四"),
                q(&filter)
            ),
        )
        .await;
        assert_eq!(s, 200);
        assert_eq!(v["items"].as_array().unwrap().len(), 1, "{filter}");
    }
    let other = make_id("110105", "19800101", 998);
    let (s, v) = public_get(
        &app,
        &format!("/v1/public/listings?name={}&id_number={other}", q("李四")),
    )
    .await;
    assert_eq!(s, 200);
    assert!(v["items"].as_array().unwrap().is_empty());
    let (s, v) = public_get(
        &app,
        &format!("/v1/public/listings?name={}&id_number=123", q("李四")),
    )
    .await;
    assert_eq!((s, v["code"].as_str()), (400, Some("invalid_parameter")));
}

#[tokio::test]
async fn public_name_is_required_and_at_least_two_characters_after_folding() {
    let app = app().await;
    for path in [
        "/v1/public/listings".to_string(),
        "/v1/public/listings?name=".to_string(),
        format!("/v1/public/listings?name={}", q("张")),
        format!("/v1/public/listings?name={}", q(" 张 ")),
        format!("/v1/public/listings?name={}", q(&"张".repeat(101))),
        format!("/v1/public/listings?name={}&limit=0", q("张三")),
        format!("/v1/public/listings?name={}&cursor=@@", q("张三")),
    ] {
        let (s, v) = public_get(&app, &path).await;
        assert_eq!(s, 400, "{path}: {v}");
        assert_eq!(v["code"], "invalid_parameter");
    }
}

#[tokio::test]
async fn public_only_active_listings_are_shown() {
    let app = app().await;
    let a = app.create_listing(&named("王小明", 1)).await;
    let id = a["id"].as_str().unwrap().to_string();
    // pending (grace period): not public
    let mut pending = named("王小明", 2);
    pending["grace_until"] = json!((today() + chrono::Duration::days(40)).to_string());
    let p = app.create_listing(&pending).await;
    assert_eq!(p["status"], "pending");
    assert_eq!(search_ids(&app, "王小明").await, vec![id.clone()]);
    let (s, _) = public_get(
        &app,
        &format!("/v1/public/listings/{}", p["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(s, 404);
    remove(&app, &id, 1).await;
    assert!(search_ids(&app, "王小明").await.is_empty());
    let (s, v) = public_get(&app, &format!("/v1/public/listings/{id}")).await;
    assert_eq!((s, v["code"].as_str()), (404, Some("not_found")));
    for bad in ["not-a-uuid", "00000000-0000-0000-0000-000000000000"] {
        let (s, _) = public_get(&app, &format!("/v1/public/listings/{bad}")).await;
        assert_eq!(s, 404);
    }
}

#[tokio::test]
async fn public_results_are_paginated_with_a_cursor() {
    let app = app().await;
    for seq in 1..=5 {
        app.create_listing(&named("赵六", seq)).await;
    }
    let mut seen = Vec::new();
    let mut path = format!("/v1/public/listings?name={}&limit=2", q("赵六"));
    loop {
        let (s, v) = public_get(&app, &path).await;
        assert_eq!(s, 200);
        let items = v["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(items.iter().map(|i| i["id"].as_str().unwrap().to_string()));
        match v["next_cursor"].as_str() {
            Some(c) => path = format!("/v1/public/listings?name={}&limit=2&cursor={c}", q("赵六")),
            None => break,
        }
    }
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(seen.len(), 5);
    assert_eq!(sorted, seen);
}

#[tokio::test]
async fn public_routes_need_no_token() {
    let app = app().await;
    let (s, v) = search(&app, "无此人").await;
    assert_eq!(s, 200);
    assert_eq!(v, json!({"items": [], "next_cursor": null}));
}

/// Searches that reach PostgreSQL together are read in one statement (src/routes/public/reads.rs),
/// and each still gets exactly its own answer: its own name, ID-number filter, page size and cursor.
#[tokio::test]
async fn public_concurrent_searches_are_batched_and_each_gets_its_own_answer() {
    let app = std::sync::Arc::new(app().await);
    let names = ["钱一", "钱二", "钱三", "钱四"];
    // (name, its listings' ids in id order, the ID number and id of its first listing)
    type Expected<'a> = (&'a str, Vec<String>, Option<(String, String)>);
    let mut expected: Vec<Expected> = Vec::new();
    for (k, name) in names.iter().enumerate() {
        let mut ids = Vec::new();
        let mut first = None;
        for seq in 0..k as u32 {
            let body = named(name, 10 * k as u32 + seq + 1);
            let id = app.create_listing(&body).await["id"]
                .as_str()
                .unwrap()
                .to_string();
            if first.is_none() {
                let number = body["debtor"]["id_number"].as_str().unwrap().to_string();
                first = Some((number, id.clone()));
            }
            ids.push(id);
        }
        ids.sort();
        expected.push((name, ids, first));
    }
    // Batching depends on timing: bursts are repeated (each one checked) until one was batched.
    // Each burst asks for its own page size, so that the cache (when on) cannot answer it.
    type Case = (String, Vec<String>, bool);
    for burst in 1.. {
        let mut cases: Vec<Case> = Vec::new();
        for _ in 0..8 {
            for (name, ids, first) in &expected {
                let n = crate::public_helpers::q(name);
                let page = 10 + burst;
                cases.push((
                    format!("/v1/public/listings?name={n}&limit={page}"),
                    ids.clone(),
                    false,
                ));
                cases.push((
                    format!("/v1/public/listings?name={n}&limit=1"),
                    ids.iter().take(1).cloned().collect(),
                    ids.len() > 1,
                ));
                if let Some(after) = ids.first() {
                    cases.push((
                        format!(
                            "/v1/public/listings?name={n}&limit=1&cursor={}",
                            shixin::routes::encode_cursor(after)
                        ),
                        ids.iter().skip(1).take(1).cloned().collect(),
                        ids.len() > 2,
                    ));
                }
                if let Some((number, id)) = first {
                    cases.push((
                        format!("/v1/public/listings?name={n}&id_number={number}&limit={page}"),
                        vec![id.clone()],
                        false,
                    ));
                }
            }
        }
        let answers = futures_util::future::join_all(cases.iter().map(|(path, _, _)| {
            let app = app.clone();
            async move { public_get(&app, path).await }
        }))
        .await;
        for ((path, ids, more), (status, v)) in cases.iter().zip(answers) {
            assert_eq!(status, 200, "{path}: {v}");
            let got: Vec<String> = v["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].as_str().unwrap().to_string())
                .collect();
            assert_eq!(&got, ids, "{path}");
            assert_eq!(v["next_cursor"].is_string(), *more, "{path}: {v}");
        }
        // With the cache on, a repeated search may be answered from it: not every one reaches
        // PostgreSQL.
        let (batches, searches) = (
            app.metric("shixin_public_read_batches_total").await,
            app.metric("shixin_public_read_searches_total").await,
        );
        assert!(searches > 0, "no search reached PostgreSQL");
        if batches < searches {
            break;
        }
        assert!(
            burst < 5,
            "{batches} batches for {searches} searches: nothing was batched"
        );
    }
}

/// The public reads' own connections (src/routes/public/reads.rs) closed under them (a PostgreSQL
/// restart, a pooler recycling them): the next searches still answer, never with a 500, and right
/// again once the connections are reopened.
#[tokio::test]
async fn public_search_recovers_when_its_connections_are_terminated() {
    use diesel::sql_query;
    use diesel_async::RunQueryDsl;
    let app = app().await;
    let id = app.create_listing(&named("孙八", 3)).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(search_ids(&app, "孙八").await, vec![id.clone()]);
    let mut c = app.db().await;
    sql_query(format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = '{}' AND pid <> pg_backend_pid()",
        app.db_name
    ))
    .execute(&mut c)
    .await
    .unwrap();
    drop(c);
    let batches = "shixin_public_read_batches_total";
    let before = app.metric(batches).await;
    let mut answered = false;
    for attempt in 0..5 {
        // A page size not asked before: the cache (when on) cannot answer it.
        let path = format!(
            "/v1/public/listings?name={}&limit={}",
            crate::public_helpers::q("孙八"),
            11 + attempt
        );
        let (status, v) = public_get(&app, &path).await;
        assert!(
            status == 200 || status == 503,
            "{status} after the connections were closed: {v}"
        );
        if status == 200 {
            assert_eq!(v["items"][0]["id"], id.as_str(), "{v}");
            answered = true;
            break;
        }
    }
    assert!(answered, "the search never answered again");
    assert!(
        app.metric(batches).await > before,
        "no search went to the public reads' connections"
    );
}
