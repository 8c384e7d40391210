use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use ed25519_dalek::{
    Signature, SigningKey, Verifier, VerifyingKey,
    pkcs8::{EncodePrivateKey, EncodePublicKey, spki::der::pem::LineEnding},
};
use jsonwebtoken::jwk::AlgorithmParameters;
use serde_json::{Value, json};

use super::*;

/// RFC 8037 Appendix A.1–A.3: the private key `d`, its public `x` and the JWK's RFC 7638 thumbprint.
const RFC8037_D: &str = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
const RFC8037_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
const RFC8037_KID: &str = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k";

fn rfc_key() -> SigningKey {
    let d: [u8; 32] = URL_SAFE_NO_PAD
        .decode(RFC8037_D)
        .unwrap()
        .try_into()
        .unwrap();
    SigningKey::from_bytes(&d)
}

fn pem_file(dir: &Path, name: &str, pem: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, pem).unwrap();
    path
}

fn x_of(jwk: &Jwk) -> String {
    match &jwk.algorithm {
        AlgorithmParameters::OctetKeyPair(p) => p.x.clone(),
        other => panic!("not an OKP key: {other:?}"),
    }
}

/// Verifies `jws` with ed25519-dalek alone against the published `x` of its `kid` (not with the
/// library that signed it): the header and the claims, or the reason it fails.
fn verify(jws: &str, jwks: &JwkSet) -> Result<(Value, Value), String> {
    let parts: Vec<&str> = jws.split('.').collect();
    let [h, p, s] = parts[..] else {
        return Err("not three parts".into());
    };
    let decode = |s: &str| URL_SAFE_NO_PAD.decode(s).map_err(|e| e.to_string());
    let header: Value = serde_json::from_slice(&decode(h)?).map_err(|e| e.to_string())?;
    let kid = header["kid"].as_str().ok_or("no kid")?;
    let jwk = jwks.find(kid).ok_or("unknown kid")?;
    let x: [u8; 32] = decode(&x_of(jwk))?
        .try_into()
        .map_err(|_| "x is not 32 bytes")?;
    let key = VerifyingKey::from_bytes(&x).map_err(|e| e.to_string())?;
    let sig = Signature::from_slice(&decode(s)?).map_err(|e| e.to_string())?;
    key.verify(format!("{h}.{p}").as_bytes(), &sig)
        .map_err(|e| e.to_string())?;
    let claims: Value = serde_json::from_slice(&decode(p)?).map_err(|e| e.to_string())?;
    Ok((header, claims))
}

#[test]
fn the_kid_is_the_rfc_7638_thumbprint_of_the_rfc_8037_example_key() {
    let dir = tempfile::tempdir().unwrap();
    let pem = rfc_key().to_pkcs8_pem(LineEnding::LF).unwrap();
    let keys = SigningKeys::from_files(&[pem_file(dir.path(), "k.pem", &pem)]).unwrap();
    assert_eq!(keys.kid(), RFC8037_KID);
    let published = serde_json::to_value(keys.jwks()).unwrap();
    assert_eq!(
        published,
        json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X, "kid": RFC8037_KID,
                         "alg": "EdDSA", "use": "sig"}]})
    );
}

#[test]
fn a_signed_certificate_verifies_with_the_published_key_and_a_tampered_one_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let keys = SigningKeys::development(dir.path()).unwrap();
    let claims = json!({"id": "c1", "name": "张三", "reason": "early_deletion"});
    let jws = keys.sign(&claims).unwrap();
    let (header, got) = verify(&jws, keys.jwks()).unwrap();
    assert_eq!(header["alg"], "EdDSA");
    assert_eq!(header["kid"], keys.kid());
    assert_eq!(got, claims);
    // Another payload under the same signature.
    let parts: Vec<&str> = jws.split('.').collect();
    let forged = URL_SAFE_NO_PAD.encode(r#"{"id":"c1","name":"李四","reason":"early_deletion"}"#);
    let tampered = format!("{}.{forged}.{}", parts[0], parts[2]);
    assert!(verify(&tampered, keys.jwks()).is_err());
}

#[test]
fn the_development_key_is_created_once_private_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let first = SigningKeys::development(&data).unwrap();
    let again = SigningKeys::development(&data).unwrap();
    assert_eq!(first.kid(), again.kid(), "the same key after a restart");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data.join(DEVELOPMENT_KEY_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn a_rotated_key_signs_and_the_retired_ones_stay_published() {
    let dir = tempfile::tempdir().unwrap();
    let old = rfc_key();
    let new = SigningKey::from_bytes(&[7; 32]);
    let old_public = old
        .verifying_key()
        .to_public_key_pem(LineEnding::LF)
        .unwrap();
    let files = [
        pem_file(
            dir.path(),
            "new.pem",
            &new.to_pkcs8_pem(LineEnding::LF).unwrap(),
        ),
        pem_file(dir.path(), "old.pub.pem", &old_public),
    ];
    let keys = SigningKeys::from_files(&files).unwrap();
    let kids: Vec<_> = keys
        .jwks()
        .keys
        .iter()
        .map(|k| k.common.key_id.clone().unwrap())
        .collect();
    assert_eq!(kids, [keys.kid().to_string(), RFC8037_KID.to_string()]);
    assert_ne!(keys.kid(), RFC8037_KID, "the first file signs");
    // A certificate signed before the rotation still verifies.
    let before = SigningKeys::from_files(&files[1..]).err();
    assert!(before.is_some(), "a public key alone cannot sign");
    let old_only = SigningKeys::from_files(&[pem_file(
        dir.path(),
        "old.pem",
        &old.to_pkcs8_pem(LineEnding::LF).unwrap(),
    )])
    .unwrap();
    let jws = old_only.sign(&json!({"id": "c0"})).unwrap();
    assert!(verify(&jws, keys.jwks()).is_ok());
}

#[test]
fn a_file_without_an_ed25519_private_key_is_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let bad = pem_file(dir.path(), "bad.pem", "not a key");
    let e = format!("{:#}", SigningKeys::from_files(&[bad]).unwrap_err());
    assert!(e.contains("bad.pem") && e.contains("Ed25519"), "{e}");
    let missing = dir.path().join("missing.pem");
    let e = format!("{:#}", SigningKeys::from_files(&[missing]).unwrap_err());
    assert!(e.contains("missing.pem"), "{e}");
    let e = format!("{:?}", SigningKeys::development(dir.path()).unwrap());
    assert!(!e.contains("PRIVATE"), "Debug shows no key: {e}");
}
