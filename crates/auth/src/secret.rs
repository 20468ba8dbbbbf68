//! Secrets: API tokens (random, shown once, stored only as SHA-256 hashes, compared in
//! constant time) and passwords (argon2id with a caller-supplied random salt).
//! Randomness comes from the caller: the core has no entropy source of its own.

use argon2::{Algorithm, Argon2, Params, Version};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::AuthError;

/// Random bytes in a generated token (InfluxDB uses 64, base64url-encoded to 88 chars).
pub const TOKEN_RANDOM_BYTES: usize = 64;

/// Makes a token from `TOKEN_RANDOM_BYTES` random bytes: URL-safe base64 with padding,
/// the same alphabet and length InfluxDB's tokens have.
pub fn token_from_random(random: &[u8; TOKEN_RANDOM_BYTES]) -> String {
    base64_url(random)
}

/// The SHA-256 of a token: what is stored, never the token itself.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TokenHash(#[serde(with = "hex32")] pub [u8; 32]);

impl std::fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenHash(..)")
    }
}

impl TokenHash {
    pub fn of(token: &str) -> TokenHash {
        TokenHash(Sha256::digest(token.as_bytes()).into())
    }

    /// Constant-time comparison with the hash of a presented token.
    pub fn matches(&self, token: &str) -> bool {
        let other = TokenHash::of(token);
        self.0.ct_eq(&other.0).into()
    }
}

/// Argon2id cost settings (memory in KiB, iterations, lanes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordCost {
    pub memory_kib: u32,
    pub iterations: u32,
    pub lanes: u32,
}

impl PasswordCost {
    /// argon2's recommended defaults (19 MiB, 2 passes, 1 lane).
    pub const DEFAULT: PasswordCost = PasswordCost {
        memory_kib: 19 * 1024,
        iterations: 2,
        lanes: 1,
    };
    /// Cheapest allowed settings, for tests only.
    pub const TESTING: PasswordCost = PasswordCost {
        memory_kib: 8,
        iterations: 1,
        lanes: 1,
    };
}

/// A stored password: argon2id parameters, salt and digest.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordHash {
    pub cost: PasswordCost,
    #[serde(with = "hexvec")]
    pub salt: Vec<u8>,
    #[serde(with = "hexvec")]
    pub digest: Vec<u8>,
}

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHash(..)")
    }
}

/// InfluxDB refuses passwords shorter than this.
pub const MIN_PASSWORD_LEN: usize = 8;

impl PasswordHash {
    /// Hashes `password` with a random 16-byte `salt` supplied by the caller.
    pub fn new(
        password: &str,
        salt: [u8; 16],
        cost: PasswordCost,
    ) -> Result<PasswordHash, AuthError> {
        let digest = argon2id(password, &salt, cost)?;
        Ok(PasswordHash {
            cost,
            salt: salt.to_vec(),
            digest,
        })
    }

    /// Recomputes the digest for `password` and compares in constant time.
    pub fn verify(&self, password: &str) -> bool {
        match argon2id(password, &self.salt, self.cost) {
            Ok(d) => d.len() == self.digest.len() && bool::from(d.ct_eq(&self.digest)),
            Err(_) => false,
        }
    }
}

fn argon2id(password: &str, salt: &[u8], cost: PasswordCost) -> Result<Vec<u8>, AuthError> {
    let params = Params::new(cost.memory_kib, cost.iterations, cost.lanes, Some(32))
        .map_err(|e| AuthError::Hashing(e.to_string()))?;
    let hasher = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let mut out = vec![0u8; 32];
    hasher
        .hash_password_into(password.as_bytes(), salt, &mut out)
        .map_err(|e| AuthError::Hashing(e.to_string()))?;
    Ok(out)
}

fn base64_url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes standard or URL-safe base64 (with or without padding); used for Basic auth.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in text.trim_end_matches('=').bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn from_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

mod hex32 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::to_hex(v))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let s = String::deserialize(d)?;
        let v = super::from_hex(&s).ok_or_else(|| serde::de::Error::custom("bad hex"))?;
        v.try_into()
            .map_err(|_| serde::de::Error::custom("want 32 bytes"))
    }
}

mod hexvec {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::to_hex(v))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        super::from_hex(&s).ok_or_else(|| serde::de::Error::custom("bad hex"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_look_like_influxdb_tokens() {
        let t = token_from_random(&[0xfb; TOKEN_RANDOM_BYTES]);
        assert_eq!(t.len(), 88);
        assert!(t.ends_with("=="));
        assert!(t
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_=".contains(&b)));
        assert_ne!(t, token_from_random(&[0xfa; TOKEN_RANDOM_BYTES]));
    }

    #[test]
    fn token_hash_matches_only_its_token() {
        let h = TokenHash::of("secret-token");
        assert!(h.matches("secret-token"));
        assert!(!h.matches("secret-tokeN"));
        assert!(!h.matches(""));
        let json = serde_json::to_string(&h).unwrap();
        assert!(!json.contains("secret"));
        assert_eq!(serde_json::from_str::<TokenHash>(&json).unwrap(), h);
    }

    #[test]
    fn passwords_verify_and_reject() {
        let h = PasswordHash::new("correct horse", [7; 16], PasswordCost::TESTING).unwrap();
        assert!(h.verify("correct horse"));
        assert!(!h.verify("correct horsE"));
        let other_salt =
            PasswordHash::new("correct horse", [8; 16], PasswordCost::TESTING).unwrap();
        assert_ne!(h.digest, other_salt.digest);
        let json = serde_json::to_string(&h).unwrap();
        let back: PasswordHash = serde_json::from_str(&json).unwrap();
        assert!(back.verify("correct horse"));
    }

    #[test]
    fn base64_round_trips() {
        assert_eq!(base64_decode("dXNlcjpwYXNz").unwrap(), b"user:pass");
        assert_eq!(base64_decode("YQ==").unwrap(), b"a");
        assert!(base64_decode("a b").is_none());
        for n in 0..10u8 {
            let data: Vec<u8> = (0..n).collect();
            assert_eq!(base64_decode(&base64_url(&data)).unwrap(), data);
        }
    }
}
