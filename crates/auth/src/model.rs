//! The tenants and credentials InfluxDB keeps: organizations, users and authorizations
//! (tokens with permissions). Plain data; the API crate owns the catalog holding them.

use edgeflux_types::{Id, Timestamp};
use serde::{Deserialize, Serialize};

use crate::permission::{id_hex, ids_hex, Action, Permission, Resource, ResourceType};
use crate::secret::{PasswordHash, TokenHash};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Active,
    Inactive,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Inactive => "inactive",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Org {
    #[serde(with = "id_hex")]
    pub id: Id,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    #[serde(with = "id_hex")]
    pub id: Id,
    pub name: String,
    #[serde(default)]
    pub status: Status,
    #[serde(default)]
    pub password: Option<PasswordHash>,
    /// Orgs this user owns (onboarding and org creation make the creator owner).
    #[serde(default, with = "ids_hex")]
    pub owner_of: Vec<Id>,
}

/// A token and what it may do. The token itself is never stored, only its hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Authorization {
    #[serde(with = "id_hex")]
    pub id: Id,
    pub token_hash: TokenHash,
    #[serde(default)]
    pub status: Status,
    #[serde(default)]
    pub description: String,
    #[serde(with = "id_hex")]
    pub org_id: Id,
    #[serde(with = "id_hex")]
    pub user_id: Id,
    pub permissions: Vec<Permission>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Who is making a request and what they may do: resolved from a token, a session or
/// a username/password before any route runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    pub user_id: Id,
    /// The authorization (token) used, if any; sessions and passwords have none.
    pub authorization_id: Option<Id>,
    pub permissions: Vec<Permission>,
}

impl Principal {
    /// True when some granted permission covers `required`.
    pub fn allows(&self, required: &Permission) -> bool {
        self.permissions.iter().any(|p| p.covers(required))
    }

    /// `allows` for `action` on the resource `kind` in `org`, optionally one `id`.
    pub fn may(&self, action: Action, kind: ResourceType, org: Option<Id>, id: Option<Id>) -> bool {
        let resource = Resource {
            id,
            org_id: org,
            ..Resource::new(kind)
        };
        self.allows(&Permission::new(action, resource))
    }
}

/// The permissions a user has through a session or password: what InfluxDB grants
/// org owners — everything in the orgs they own, plus their own user record.
pub fn session_permissions(user: &User) -> Vec<Permission> {
    let mut out = Vec::new();
    for org in &user.owner_of {
        out.extend(crate::permission::all_access_permissions(*org));
    }
    for action in [Action::Read, Action::Write] {
        out.push(Permission::new(
            action,
            Resource::with_id(ResourceType::Users, None, user.id),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_act_as_owner_of_their_orgs_only() {
        let user = User {
            id: Id(5),
            name: "u".into(),
            status: Status::Active,
            password: None,
            owner_of: vec![Id(1)],
        };
        let p = Principal {
            user_id: user.id,
            authorization_id: None,
            permissions: session_permissions(&user),
        };
        assert!(p.may(
            Action::Write,
            ResourceType::Buckets,
            Some(Id(1)),
            Some(Id(9))
        ));
        assert!(p.may(Action::Read, ResourceType::Orgs, None, Some(Id(1))));
        assert!(!p.may(
            Action::Read,
            ResourceType::Buckets,
            Some(Id(2)),
            Some(Id(9))
        ));
        assert!(!p.may(Action::Read, ResourceType::Orgs, None, Some(Id(2))));
        assert!(p.may(Action::Write, ResourceType::Users, None, Some(Id(5))));
        assert!(
            !p.may(Action::Write, ResourceType::Orgs, None, None),
            "cannot create orgs"
        );
    }

    #[test]
    fn authorizations_round_trip_without_the_token() {
        let a = Authorization {
            id: Id(3),
            token_hash: TokenHash::of("tok-XYZ-123"),
            status: Status::Inactive,
            description: "d".into(),
            org_id: Id(1),
            user_id: Id(2),
            permissions: crate::permission::all_access_permissions(Id(1)),
            created_at: 1,
            updated_at: 2,
        };
        let json = serde_json::to_string(&a).unwrap();
        assert!(!json.contains("tok-XYZ-123"));
        let back: Authorization = serde_json::from_str(&json).unwrap();
        assert_eq!(back, a);
        assert!(back.token_hash.matches("tok-XYZ-123"));
    }
}
