//! Credit-repair certificates (L16): public, verifiable offline by an independent implementation
//! (Python PyJWT with `cryptography`, against the served `/.well-known/jwks.json`), never carrying
//! a full ID number, and indistinguishable 404s for ids that were never issued.

use std::process::{Command, Stdio};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde_json::{Value, json};

use crate::{
    credit_repair::{applied, days_ago, decide, granted, listing},
    helpers::{TestApp, json, make_id, org_listing, spawn_app_with},
    public_helpers::{NO_LIMIT, public_get, public_raw, scan},
};

/// A granted credit repair of a new listing of `seq`: the public certificate JSON.
async fn certificate(app: &TestApp, seq: u32) -> Value {
    let l = listing(app, seq).await;
    let id = applied(app, &l).await;
    let (s, v) = decide(app, &id, 1, &granted(false)).await;
    assert_eq!(s, 200, "{v}");
    let cert = v["certificate"]["id"].as_str().unwrap();
    let (s, c) = public_get(app, &format!("/v1/public/certificates/{cert}")).await;
    assert_eq!(s, 200, "{c}");
    c
}

/// Verifies `token` with PyJWT (`pip install PyJWT cryptography`) against the JWK Set `jwks`,
/// choosing the key by the `kid` of its header: the verified claims, or the error it raised.
fn pyjwt_verify(jwks: &Value, token: &str) -> Result<Value, String> {
    let script = "import sys, json, jwt\n\
        a = json.load(sys.stdin)\n\
        kid = jwt.get_unverified_header(a['token'])['kid']\n\
        key = jwt.PyJWKSet.from_dict(a['jwks'])[kid]\n\
        print(json.dumps(jwt.decode(a['token'], key.key, algorithms=['EdDSA'])))\n";
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3");
    let input = json!({"jwks": jwks, "token": token});
    std::io::Write::write_all(
        &mut child.stdin.take().unwrap(),
        input.to_string().as_bytes(),
    )
    .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(
        !stderr.contains("ModuleNotFoundError"),
        "install the verifier: pip install PyJWT cryptography ({stderr})"
    );
    if out.status.success() {
        Ok(serde_json::from_slice(&out.stdout).expect("claims"))
    } else {
        Err(stderr)
    }
}

fn payload(token: &str) -> Value {
    let part = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

#[tokio::test]
async fn l16_the_certificate_jws_verifies_with_pyjwt_against_the_served_jwks_and_a_tampered_one_fails()
 {
    let app = spawn_app_with(&[NO_LIMIT]).await;
    let c = certificate(&app, 31).await;
    let jwks: Value = reqwest::get(app.url("/.well-known/jwks.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = c["jws"].as_str().unwrap();
    let header: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(token.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        (&header["alg"], &header["kid"]),
        (&json!("EdDSA"), &jwks["keys"][0]["kid"])
    );
    // The JWS signs exactly the fields of the answer, jws aside.
    let mut fields = c.clone();
    fields.as_object_mut().unwrap().remove("jws");
    let verified = pyjwt_verify(&jwks, token).expect("PyJWT verifies the certificate");
    assert_eq!(verified, fields);
    assert_eq!(payload(token), fields);
    assert_eq!(fields["reason"], "early_deletion");
    let masked = fields["id_number_masked"].as_str().unwrap();
    assert_eq!(
        masked,
        format!(
            "{}****{}",
            &make_id("110105", "19800101", 500)[..10],
            &make_id("110105", "19800101", 500)[14..]
        )
    );
    assert!(fields.get("credit_code").is_none());
    for k in [
        "id",
        "listing_id",
        "name",
        "kind",
        "court_name",
        "case_number",
        "listed_on",
        "removed_on",
        "issued_at",
    ] {
        assert!(fields[k].is_string(), "{k}: {fields}");
    }
    // One character of the payload changed: PyJWT refuses it.
    let parts: Vec<&str> = token.split('.').collect();
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    assert!(text.contains("张三"));
    let forged = text.replacen("张三", "李三", 1);
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(forged),
        parts[2]
    );
    let err = pyjwt_verify(&jwks, &tampered).expect_err("a tampered certificate fails");
    assert!(err.contains("InvalidSignatureError"), "{err}");
}

#[tokio::test]
async fn l16_unknown_and_malformed_certificate_ids_get_the_same_404() {
    let app = spawn_app_with(&[NO_LIMIT]).await;
    certificate(&app, 32).await;
    let mut bodies = Vec::new();
    for id in [
        uuid::Uuid::new_v4().to_string(),
        "not-a-certificate".into(),
        "1".into(),
        uuid::Uuid::nil().to_string(),
    ] {
        let (s, headers, body) = public_raw(&app, &format!("/v1/public/certificates/{id}")).await;
        assert_eq!(s, 404, "{id}: {body}");
        assert!(
            headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/problem+json")
        );
        bodies.push(body);
    }
    assert!(bodies.windows(2).all(|w| w[0] == w[1]), "{bodies:?}");
    let v: Value = serde_json::from_str(&bodies[0]).unwrap();
    assert_eq!(
        (v["status"].as_i64(), v["code"].as_str()),
        (Some(404), Some("not_found"))
    );
    let mut pages = Vec::new();
    for id in [
        uuid::Uuid::new_v4().to_string(),
        "not-a-certificate".to_string(),
    ] {
        let (s, _, body) = public_raw(&app, &format!("/certificates/{id}")).await;
        assert_eq!(s, 404);
        pages.push(body);
    }
    assert_eq!(pages[0], pages[1]);
    assert!(pages[0].contains("未找到信用修复证明"));
}

#[tokio::test]
async fn l16_the_printable_certificate_shows_the_masked_id_and_how_to_verify_it() {
    let app = spawn_app_with(&[NO_LIMIT]).await;
    let c = certificate(&app, 33).await;
    let id = c["id"].as_str().unwrap();
    assert_eq!(uuid::Uuid::parse_str(id).unwrap().get_version_num(), 4);
    let (s, headers, page) = public_raw(&app, &format!("/certificates/{id}")).await;
    assert_eq!(s, 200);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(!page.contains("<script"), "no JavaScript");
    for want in [
        "信用修复证明",
        "张三",
        c["id_number_masked"].as_str().unwrap(),
        c["case_number"].as_str().unwrap(),
        c["jws"].as_str().unwrap(),
        "/.well-known/jwks.json",
        "import jwt",
        "PyJWT",
        "algorithms=[\"EdDSA\"]",
    ] {
        assert!(page.contains(want), "the page shows {want}");
    }
    // The page's own instructions work: its Python, run as printed, verifies the certificate.
    let start = page.find("import jwt").unwrap();
    let snippet = &page[start..start + page[start..].find("</pre>").unwrap()];
    let snippet = snippet.replace("（上方的电子签名）", c["jws"].as_str().unwrap());
    let out = Command::new("python3")
        .args(["-c", &snippet])
        .output()
        .expect("python3");
    let printed = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        printed.trim(),
        format!("张三 {} early_deletion", c["removed_on"].as_str().unwrap()),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // No full ID number, in the page, the JSON or the signed payload.
    let full = make_id("110105", "19800101", 500);
    assert!(!page.contains(&full));
    scan(&serde_json::to_string(&payload(c["jws"].as_str().unwrap())).unwrap());
}

#[tokio::test]
async fn l16_an_organisation_certificate_carries_its_credit_code() {
    let app = spawn_app_with(&[NO_LIMIT]).await;
    let v = app
        .create_listing(&org_listing("91310110666007217T", 34))
        .await;
    let l = v["id"].as_str().unwrap();
    let body = json!({"applicant": {"name": "北京某某贸易有限公司", "credit_code": "91310110666007217T"},
        "statement": "已履行", "received_on": days_ago(5)});
    let (s, r) = json(
        app.post(
            &format!("/v1/listings/{l}/credit-repair"),
            &app.court("京0105"),
            &body,
        )
        .await,
    )
    .await;
    assert_eq!(s, 201, "{r}");
    let (s, d) = decide(&app, r["id"].as_str().unwrap(), 1, &granted(false)).await;
    assert_eq!(s, 200, "{d}");
    let (s, c) = public_get(
        &app,
        d["certificate"]["url"]
            .as_str()
            .unwrap()
            .replace("/certificates/", "/v1/public/certificates/")
            .as_str(),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(
        (&c["kind"], &c["credit_code"], &c["name"]),
        (
            &json!("organization"),
            &json!("91310110666007217T"),
            &json!("北京某某贸易有限公司")
        )
    );
    assert!(c.get("id_number_masked").is_none(), "{c}");
    assert_eq!(
        payload(c["jws"].as_str().unwrap())["credit_code"],
        "91310110666007217T"
    );
}
