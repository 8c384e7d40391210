//! `GET|POST /supervise`: the supervisors' page shows the indicators for a pasted token.

use serde_json::json;

use crate::helpers::{TestApp, spawn_app};
use crate::indicators::{listing_in, remove};

async fn post(app: &TestApp, form: &[(&str, &str)]) -> (u16, String) {
    let r = app
        .client
        .post(app.url("/supervise"))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    assert_eq!(r.headers().get("cache-control").unwrap(), "no-store");
    (status, r.text().await.unwrap())
}

#[tokio::test]
async fn indicators_supervisor_page_shows_the_tables_for_a_pasted_token() {
    let app = spawn_app().await;
    let a = listing_in(&app, "京0105", 1, &["able_but_refuses"]).await;
    listing_in(&app, "京0106", 2, &["violates_asset_reporting"]).await;
    listing_in(&app, "粤0304", 3, &["violates_asset_reporting"]).await;
    let (s, _) = remove(&app, "京0105", &a, json!({"reason": "performed"})).await;
    assert_eq!(s, 200);

    let r = app.get("/supervise", None).await;
    assert_eq!(r.status(), 200);
    let form = r.text().await.unwrap();
    assert!(form.contains(r#"name="token""#) && form.contains("监督指标"));

    let token = app.supervisor("京01");
    let (s, page) = post(&app, &[("token", &token), ("period", "week")]).await;
    assert_eq!(s, 200, "{page}");
    assert!(page.contains("京01 及其下级法院，共 3 个法院"), "{page}");
    // 京0105: 0 pending, 0 active, 1 removed, 0 expired, 0 revoked; orders 0 active, 1 lifted.
    assert!(page.contains("北京市朝阳区人民法院（京0105）</th><td>北京市</td><td>0</td><td>0</td><td>1</td><td>0</td><td>0</td><td>0</td><td>1</td>"), "{page}");
    assert!(page.contains("北京市丰台区人民法院（京0106）"));
    assert!(!page.contains("粤0304"), "outside the supervisor's courts");
    assert!(page.contains("义务已全部履行 1"));
    assert!(page.contains("删除事由发生日期不明的 1 件"));
    assert!(page.contains(r#"<option value="week" selected>"#));

    let (s, page) = post(&app, &[("token", &app.court("京0105"))]).await;
    assert_eq!(s, 403);
    assert!(page.contains("执行法院和订阅单位无权查看"));
    let (s, page) = post(&app, &[("token", "not-a-token")]).await;
    assert_eq!(s, 401);
    assert!(page.contains("令牌无效"));
    let (s, page) = post(&app, &[("token", &token), ("period", "year")]).await;
    assert_eq!(s, 400);
    assert!(page.contains("查询条件不正确"));
}
