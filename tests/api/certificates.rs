//! The keys that sign credit-repair certificates (L16): published at `/.well-known/jwks.json`,
//! taken from `SHIXIN_SIGNING_KEY` (the first file signs, the others stay published), generated
//! once in development, and required in production.

use std::process::Command;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use ed25519_dalek::{
    SigningKey,
    pkcs8::{EncodePrivateKey, EncodePublicKey, spki::der::pem::LineEnding},
};
use serde_json::Value;
use shixin::certificates::SigningKeys;

use crate::{
    helpers::{TEST_DATA_DIR, TEST_SECRET, spawn_app},
    serve::Serve,
};

async fn jwks(base: &str) -> (String, Value) {
    let r = reqwest::get(format!("{base}/.well-known/jwks.json"))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let ct = r.headers()["content-type"].to_str().unwrap().to_string();
    (ct, r.json().await.unwrap())
}

#[tokio::test]
async fn l16_the_development_key_is_published_as_a_jwk_set_without_its_private_half() {
    let app = spawn_app().await;
    let (ct, set) = jwks(&app.address).await;
    assert_eq!(ct, "application/jwk-set+json");
    let keys = set["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1, "{set}");
    let k = &keys[0];
    assert_eq!(
        (&k["kty"], &k["crv"], &k["alg"], &k["use"]),
        (
            &"OKP".into(),
            &"Ed25519".into(),
            &"EdDSA".into(),
            &"sig".into()
        )
    );
    assert_eq!(
        URL_SAFE_NO_PAD
            .decode(k["x"].as_str().unwrap())
            .unwrap()
            .len(),
        32
    );
    assert!(k.get("d").is_none(), "no private key: {k}");
    // The key kept under SHIXIN_DATA_DIR is the one published.
    let kept = SigningKeys::development(std::path::Path::new(TEST_DATA_DIR)).unwrap();
    assert_eq!(k["kid"], kept.kid());
}

#[tokio::test]
async fn l16_production_refuses_to_start_without_a_signing_key_and_publishes_the_keys_it_is_given()
{
    let app = spawn_app().await;
    let strong = format!("{TEST_SECRET}-production");
    let out = Command::new(env!("CARGO_BIN_EXE_shixin"))
        .arg("serve")
        .env("DATABASE_URL", &app.db_url)
        .env("SHIXIN_ENV", "production")
        .env("SHIXIN_BIND", "127.0.0.1:0")
        .env("SHIXIN_JWT_SECRET", &strong)
        .env("REDIS_URL", "none")
        .env_remove("SHIXIN_SIGNING_KEY")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("SHIXIN_SIGNING_KEY is not set"), "{err}");

    // A new key that signs, and the retired one (its public half only) still published.
    let dir = tempfile::tempdir().unwrap();
    let new = dir.path().join("new.pem");
    let old = dir.path().join("old.pub.pem");
    let pem = SigningKey::from_bytes(&[3; 32])
        .to_pkcs8_pem(LineEnding::LF)
        .unwrap();
    std::fs::write(&new, pem.as_bytes()).unwrap();
    let old_key = SigningKey::from_bytes(&[4; 32]);
    let public = old_key
        .verifying_key()
        .to_public_key_pem(LineEnding::LF)
        .unwrap();
    std::fs::write(&old, public).unwrap();
    let files = format!("{},{}", new.display(), old.display());
    let mut serve = Serve::start(
        &app.db_url,
        &[
            ("SHIXIN_ENV", "production"),
            ("SHIXIN_JWT_SECRET", &strong),
            ("SHIXIN_SIGNING_KEY", &files),
        ],
    );
    let port = serve.port();
    let (_, set) = jwks(&format!("http://127.0.0.1:{port}")).await;
    let kids: Vec<&str> = set["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    let expected = SigningKeys::from_files(&[new, old]).unwrap();
    assert_eq!(kids.len(), 2, "{set}");
    assert_eq!(kids[0], expected.kid(), "the first file signs");
    let retired_pem = old_key.to_pkcs8_pem(LineEnding::LF).unwrap();
    let retired_file = dir.path().join("old.pem");
    std::fs::write(&retired_file, retired_pem.as_bytes()).unwrap();
    let retired = SigningKeys::from_files(&[retired_file]).unwrap();
    assert_eq!(kids[1], retired.kid(), "the retired key stays published");
    assert_eq!(serve.stop().map(|s| s.success()), Some(true));
}
