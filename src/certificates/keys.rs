//! The certificate signing keys.
//!
//! `SHIXIN_SIGNING_KEY` names one or more PEM files, separated by commas. The first must hold an
//! Ed25519 private key (PKCS#8, `-----BEGIN PRIVATE KEY-----`): it signs. The others may hold a
//! private or a public key (SPKI, `-----BEGIN PUBLIC KEY-----`): they are retired keys, published
//! so that certificates they signed still verify (rotation: put the new key first and keep the old
//! one after it). Create a key with `openssl genpkey -algorithm ed25519 -out signing.pem`.
//!
//! Without `SHIXIN_SIGNING_KEY`, in development only, the key is `SHIXIN_DATA_DIR/signing-key.pem`
//! (default `./.shixin`), generated on first start (mode 0600) and kept, so certificates stay valid
//! across restarts. In production a missing key refuses the start (`config.rs`).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use ed25519_dalek::{
    SigningKey, VerifyingKey,
    pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, spki::der::pem::LineEnding},
};
use jsonwebtoken::{
    Algorithm, EncodingKey, Header,
    jwk::{
        AlgorithmParameters, CommonParameters, EllipticCurve, Jwk, JwkSet, KeyAlgorithm,
        OctetKeyPairParameters, OctetKeyPairType, PublicKeyUse, ThumbprintHash,
    },
};
use serde::Serialize;

/// The file a development key is kept in, under `SHIXIN_DATA_DIR`.
pub const DEVELOPMENT_KEY_FILE: &str = "signing-key.pem";

pub struct SigningKeys {
    kid: String,
    encoding: EncodingKey,
    published: JwkSet,
}

impl std::fmt::Debug for SigningKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the private key.
        f.debug_struct("SigningKeys")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// The public JWK of `key`, named by its RFC 7638 thumbprint.
fn jwk(key: &VerifyingKey) -> Jwk {
    let mut jwk = Jwk {
        common: CommonParameters {
            public_key_use: Some(PublicKeyUse::Signature),
            key_algorithm: Some(KeyAlgorithm::EdDSA),
            ..Default::default()
        },
        algorithm: AlgorithmParameters::OctetKeyPair(OctetKeyPairParameters {
            key_type: OctetKeyPairType::OctetKeyPair,
            curve: EllipticCurve::Ed25519,
            x: URL_SAFE_NO_PAD.encode(key.as_bytes()),
        }),
    };
    jwk.common.key_id = Some(jwk.thumbprint(ThumbprintHash::SHA256));
    jwk
}

/// A retired key's public half, from a PEM file holding either half.
fn public_key(pem: &str) -> anyhow::Result<VerifyingKey> {
    if let Ok(k) = SigningKey::from_pkcs8_pem(pem) {
        return Ok(k.verifying_key());
    }
    VerifyingKey::from_public_key_pem(pem)
        .context("not an Ed25519 private (PKCS#8) or public (SPKI) key in PEM")
}

fn read(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

impl SigningKeys {
    /// The keys of `files` (module comment): the first signs, all are published.
    pub fn from_files(files: &[PathBuf]) -> anyhow::Result<SigningKeys> {
        let Some((first, retired)) = files.split_first() else {
            bail!("SHIXIN_SIGNING_KEY names no file");
        };
        let signing = SigningKey::from_pkcs8_pem(&read(first)?).with_context(|| {
            format!(
                "SHIXIN_SIGNING_KEY: {} holds no Ed25519 private key (PKCS#8 PEM)",
                first.display()
            )
        })?;
        let mut keys = SigningKeys::from_key(&signing)?;
        for path in retired {
            let public = public_key(&read(path)?)
                .with_context(|| format!("SHIXIN_SIGNING_KEY: {}", path.display()))?;
            let old = jwk(&public);
            if keys
                .published
                .find(old.common.key_id.as_deref().unwrap_or(""))
                .is_none()
            {
                keys.published.keys.push(old);
            }
        }
        Ok(keys)
    }

    /// The keys of the settings: `SHIXIN_SIGNING_KEY`'s files; without them, the development key
    /// (in development) or a refusal (in production).
    pub fn from_settings(settings: &crate::config::Settings) -> anyhow::Result<SigningKeys> {
        if !settings.signing_key.is_empty() {
            return SigningKeys::from_files(&settings.signing_key);
        }
        if settings.env == "production" {
            bail!(
                "SHIXIN_SIGNING_KEY is not set: production refuses to start without the key that \
                 signs credit-repair certificates (create one with \
                 `openssl genpkey -algorithm ed25519 -out signing.pem`)"
            );
        }
        SigningKeys::development(&settings.data_dir)
    }

    /// The development key kept in `data_dir`, created on first use. Processes starting together
    /// agree on one key: each writes its own to a temporary file and links it into place only when
    /// no key is there yet.
    pub fn development(data_dir: &Path) -> anyhow::Result<SigningKeys> {
        let path = data_dir.join(DEVELOPMENT_KEY_FILE);
        if !path.exists() {
            std::fs::create_dir_all(data_dir)
                .with_context(|| format!("creating {}", data_dir.display()))?;
            let seed: [u8; 32] = rand::random();
            let pem = SigningKey::from_bytes(&seed)
                .to_pkcs8_pem(LineEnding::LF)
                .context("encoding the new signing key")?;
            let tmp = data_dir.join(format!(
                "{DEVELOPMENT_KEY_FILE}.{:016x}",
                rand::random::<u64>()
            ));
            write_private(&tmp, pem.as_bytes())?;
            let linked = std::fs::hard_link(&tmp, &path);
            let _ = std::fs::remove_file(&tmp);
            match linked {
                Ok(()) => tracing::info!(
                    path = %path.display(),
                    "created a development signing key for certificates"
                ),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => {
                    return Err(e).with_context(|| format!("creating {}", path.display()));
                }
            }
        }
        SigningKeys::from_files(&[path])
    }

    fn from_key(signing: &SigningKey) -> anyhow::Result<SigningKeys> {
        let der = signing.to_pkcs8_der().context("encoding the signing key")?;
        let current = jwk(&signing.verifying_key());
        Ok(SigningKeys {
            kid: current.common.key_id.clone().unwrap_or_default(),
            encoding: EncodingKey::from_ed_der(der.as_bytes()),
            published: JwkSet {
                keys: vec![current],
            },
        })
    }

    /// The `kid` of the key that signs now.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// Every published public key, the signing one first (`/.well-known/jwks.json`).
    pub fn jwks(&self) -> &JwkSet {
        &self.published
    }

    /// A compact JWS over `claims`, signed with the current key (`alg: EdDSA`, `kid`).
    pub fn sign(&self, claims: &impl Serialize) -> anyhow::Result<String> {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding).context("signing a certificate")
    }
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::{io::Write, os::unix::fs::OpenOptionsExt};
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    f.write_all(bytes)
        .with_context(|| format!("writing {}", path.display()))
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests;
