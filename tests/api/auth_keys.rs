//! Tokens signed by the courts' identity provider with public keys chosen by `kid` (RS256, ES256,
//! EdDSA), and the algorithm-confusion attacks that must fail.

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::json;

use crate::helpers::{TestApp, spawn_app_with};

const KEYS: &str = "rsa=tests/fixtures/keys/rsa-public.pem,ec=tests/fixtures/keys/ec-public.pem,ed=tests/fixtures/keys/ed-public.pem";

fn claims() -> serde_json::Value {
    json!({"iss": "shixin", "aud": ["shixin", "other"], "sub": "idp-user", "exp": chrono::Utc::now().timestamp() + 600,
           "role": "court", "court": "京0105"})
}

fn sign(alg: Algorithm, kid: Option<&str>, key: &EncodingKey) -> String {
    let mut h = Header::new(alg);
    h.kid = kid.map(str::to_string);
    encode(&h, &claims(), key).unwrap()
}

fn pem(name: &str) -> Vec<u8> {
    std::fs::read(format!("tests/fixtures/keys/{name}")).unwrap()
}

async fn status(app: &TestApp, token: &str) -> u16 {
    app.get("/v1/listings", Some(token)).await.status().as_u16()
}

#[tokio::test]
async fn public_keys_verify_tokens_by_kid() {
    let app = spawn_app_with(&[("SHIXIN_JWT_PUBLIC_KEYS", KEYS)]).await;
    let rsa = EncodingKey::from_rsa_pem(&pem("rsa-private.pem")).unwrap();
    let ec = EncodingKey::from_ec_pem(&pem("ec-private.pem")).unwrap();
    let ed = EncodingKey::from_ed_pem(&pem("ed-private.pem")).unwrap();
    assert_eq!(
        status(&app, &sign(Algorithm::RS256, Some("rsa"), &rsa)).await,
        200
    );
    assert_eq!(
        status(&app, &sign(Algorithm::ES256, Some("ec"), &ec)).await,
        200
    );
    assert_eq!(
        status(&app, &sign(Algorithm::EdDSA, Some("ed"), &ed)).await,
        200
    );
    // An unknown kid, a missing kid, and a key of another algorithm than the token's are refused.
    assert_eq!(
        status(&app, &sign(Algorithm::RS256, Some("nope"), &rsa)).await,
        401
    );
    assert_eq!(status(&app, &sign(Algorithm::RS256, None, &rsa)).await, 401);
    assert_eq!(
        status(&app, &sign(Algorithm::RS256, Some("ed"), &rsa)).await,
        401
    );
    // Algorithms outside the allow-list (RS512) are refused even with a valid key.
    assert_eq!(
        status(&app, &sign(Algorithm::RS512, Some("rsa"), &rsa)).await,
        401
    );
}

#[tokio::test]
async fn hmac_token_is_never_verified_with_a_public_key() {
    let app = spawn_app_with(&[("SHIXIN_JWT_PUBLIC_KEYS", KEYS)]).await;
    // The classic confusion: HS256 keyed with the public key's PEM bytes, naming that key.
    let public = EncodingKey::from_secret(&pem("rsa-public.pem"));
    assert_eq!(
        status(&app, &sign(Algorithm::HS256, Some("rsa"), &public)).await,
        401
    );
    assert_eq!(
        status(&app, &sign(Algorithm::HS256, None, &public)).await,
        401
    );
}
