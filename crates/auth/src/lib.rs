//! Orgs, users, tokens and permissions: InfluxDB's authorization model without I/O.
//!
//! - [`Permission::covers`] decides whether a granted permission covers a required one.
//! - Tokens are made from caller-supplied random bytes ([`token_from_random`]) and stored
//!   only as [`TokenHash`]es, compared in constant time.
//! - Passwords are argon2id [`PasswordHash`]es with a caller-supplied salt.
//! - [`Principal`] is the resolved identity of a request; the API crate checks routes with it.

mod model;
mod permission;
mod secret;

pub use model::{session_permissions, Authorization, Org, Principal, Status, User};
pub use permission::{
    all_access_permissions, id_hex, ids_hex, operator_permissions, Action, Permission, Resource,
    ResourceType,
};
pub use secret::{
    base64_decode, token_from_random, PasswordCost, PasswordHash, TokenHash, MIN_PASSWORD_LEN,
    TOKEN_RANDOM_BYTES,
};

/// Failures of the auth layer (request-level denials are decided by the API crate).
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("password hashing failed: {0}")]
    Hashing(String),
}
