//! What a bulk import writes besides the listings: events (or none), what the public search and
//! the checks see afterwards, and the courts import.

use std::path::Path;

use chrono::{Duration, Months};
use serde_json::{Value, json};

use crate::{
    helpers::{events, spawn_app_with, today},
    public_helpers::{NO_LIMIT, named, search_ids, wait_redis_up},
};

use crate::bulk::{count, ok, shixin};

/// A file of one active and one pending listing, and a historic (pre-2016, I3) removed one.
fn small_file(dir: &Path) -> std::path::PathBuf {
    let active = named("赵钱", 1);
    let mut pending = named("孙李", 2);
    let decided = today() - Duration::days(3);
    pending["decided_on"] = json!(decided.to_string());
    pending["grace_until"] = json!((decided + Months::new(2)).to_string());
    let mut historic = named("周吴", 3);
    historic["case_number"] = json!("(2014)丰法民执字第00326号");
    historic["decided_on"] = json!("2015-03-02");
    historic["filed_on"] = json!("2014-06-01");
    historic["status"] = json!("removed");
    historic["removal"] =
        json!({"reason": "performed", "note": null, "removed_at": "2016-01-05T02:00:00Z"});
    historic["grounds"] = json!(["able_but_refuses"]);
    let file = dir.join("small.ndjson");
    std::fs::write(
        &file,
        [active, pending, historic]
            .map(|v| v.to_string())
            .join("\n"),
    )
    .unwrap();
    file
}

#[tokio::test]
async fn bulk_no_events_writes_none_and_the_default_writes_what_publication_writes() {
    let dir = tempfile::tempdir().unwrap();
    let file = small_file(dir.path());
    let quiet = spawn_app_with(&[NO_LIMIT]).await;
    ok(&shixin(
        &quiet,
        &[
            "import",
            "listings",
            file.to_str().unwrap(),
            "--no-events",
            "--quiet",
        ],
    ));
    assert_eq!(count(&quiet, "listings").await, 3);
    assert_eq!(count(&quiet, "restrictions").await, 1, "R1 all the same");
    assert_eq!(count(&quiet, "events").await, 0);
    assert_eq!(count(&quiet, "audit_log").await, 1);

    let app = spawn_app_with(&[NO_LIMIT]).await;
    let (_, airline) = app.subscriber_token("airline").await;
    ok(&shixin(
        &app,
        &["import", "listings", file.to_str().unwrap(), "--quiet"],
    ));
    let written = events(&app).await;
    let types: Vec<&str> = written.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        types,
        ["listing.published", "restriction.imposed"],
        "only the active listing is published"
    );
    // The same events, with the same data, as a listing published through the API.
    let api = spawn_app_with(&[NO_LIMIT]).await;
    api.create_listing(&named("赵钱", 1)).await;
    let by_api = events(&api).await;
    let strip = |mut v: Value| {
        for k in [
            "listing_id",
            "restriction_id",
            "updated_at",
            "published_on",
            "issued_on",
            "id",
        ] {
            v.as_object_mut().unwrap().remove(k);
        }
        v
    };
    for ((t1, d1), (t2, d2)) in written.iter().zip(by_api) {
        assert_eq!(t1, &t2);
        assert_eq!(strip(d1.clone()), strip(d2), "{t1}");
    }
    // The feed shows them to a subscriber (once every older transaction of the server has ended:
    // other tests share it).
    let mut feed: Vec<String> = Vec::new();
    for _ in 0..1200 {
        let page = app.get_json("/v1/feed?limit=10", &airline).await;
        feed = page["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["type"].as_str().unwrap().to_string())
            .collect();
        if !feed.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(feed, ["listing.published", "restriction.imposed"]);
}

#[tokio::test]
async fn bulk_imported_listings_are_found_by_the_public_search_and_restrict_checks() {
    let app = spawn_app_with(&[NO_LIMIT]).await;
    wait_redis_up(&app).await;
    // A search before the import is cached empty: the import bumps the cache epoch.
    assert!(search_ids(&app, "赵钱").await.is_empty());
    let dir = tempfile::tempdir().unwrap();
    let file = small_file(dir.path());
    ok(&shixin(
        &app,
        &["import", "listings", file.to_str().unwrap(), "--quiet"],
    ));
    assert_eq!(search_ids(&app, "赵钱").await.len(), 1, "active: public");
    assert!(
        search_ids(&app, "孙李").await.is_empty(),
        "pending: not public (L11)"
    );
    assert!(
        search_ids(&app, "周吴").await.is_empty(),
        "removed: not public (L10)"
    );
    let (_, token) = app.subscriber_token("airline").await;
    let ids: Vec<String> = (1..=2)
        .map(|s| {
            named("x", s)["debtor"]["id_number"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let (s, v) = app
        .check(
            &token,
            &json!({"subjects": [{"id_number": ids[0]}, {"id_number": ids[1]}]}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["results"][0]["decision"], "deny", "{v}");
    assert_eq!(
        v["results"][1]["decision"], "allow",
        "a pending listing restricts nothing yet"
    );
}

#[tokio::test]
async fn bulk_courts_import_adds_courts_and_rejects_a_bad_file_whole() {
    let app = spawn_app_with(&[NO_LIMIT]).await;
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("courts.csv");
    std::fs::write(
        &good,
        "code,name,province,level,parent_code\n\
         沪0104,上海市徐汇区人民法院,上海市,basic,沪01\n\
         沪01,上海市第一中级人民法院,上海市,intermediate,沪\n\
         京0105,北京市朝阳区人民法院,北京市,basic,京01\n",
    )
    .unwrap();
    let out = ok(&shixin(
        &app,
        &["import", "courts", good.to_str().unwrap(), "--quiet"],
    ));
    assert!(out.contains("2 courts imported"), "{out}");
    assert_eq!(app.get("/v1/courts/沪0104", None).await.status(), 200);
    let bad = dir.path().join("bad.ndjson");
    std::fs::write(
        &bad,
        [
            json!({"code": "沪0105", "name": "上海市长宁区人民法院", "province": "上海市", "level": "basic", "parent_code": "沪01"}),
            json!({"code": "XX99", "name": "无", "province": "无", "level": "basic", "parent_code": "沪01"}),
            json!({"code": "沪0106", "name": "静安", "province": "上海市", "level": "basic", "parent_code": "沪09"}),
            json!({"code": "京0105", "name": "别的名字", "province": "北京市", "level": "basic", "parent_code": "京01"}),
        ]
        .map(|v| v.to_string())
        .join("\n"),
    )
    .unwrap();
    let courts = count(&app, "courts").await;
    let out = shixin(
        &app,
        &["import", "courts", bad.to_str().unwrap(), "--quiet"],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for expected in [
        "line 2: invalid_court_code: code",
        "line 3: unknown_court: parent_code",
        "line 4: court_exists: code",
    ] {
        assert!(
            stderr.contains(expected),
            "missing `{expected}` in:\n{stderr}"
        );
    }
    assert_eq!(count(&app, "courts").await, courts, "nothing imported");
    // Export, then import into a fresh database: the courts come back.
    let file = dir.path().join("all.ndjson");
    ok(&shixin(
        &app,
        &["export", "courts", "--quiet", "-o", file.to_str().unwrap()],
    ));
    let fresh = spawn_app_with(&[NO_LIMIT]).await;
    ok(&shixin(
        &fresh,
        &["import", "courts", file.to_str().unwrap(), "--quiet"],
    ));
    assert_eq!(count(&fresh, "courts").await, courts);
}
