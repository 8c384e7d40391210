//! Credit-repair certificates (信用修复证明, L16) that anyone can verify offline: each is a compact
//! JWS (RFC 7515, `alg: EdDSA` with Ed25519, RFC 8037) over the certificate's fields, signed by the
//! service's current key and checked against the public keys it publishes at
//! `/.well-known/jwks.json` (RFC 7517; each key named by its `kid`, the RFC 7638 thumbprint).
//! [`keys`] loads or creates the keys; [`SigningKeys::sign`] makes the JWS with `jsonwebtoken`.

pub mod keys;

pub use keys::SigningKeys;
