//! InfluxDB's permission model: `{action, resource{type, id, orgID}}` and the rule that
//! decides whether a granted permission covers a required one.

use std::fmt;

use edgeflux_types::Id;
use serde::{Deserialize, Serialize};

/// `read` or `write`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Read,
    Write,
}

impl Action {
    pub fn name(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::Write => "write",
        }
    }
}

macro_rules! resource_types {
    ($($variant:ident => $name:literal),* $(,)?) => {
        /// The resource types of InfluxDB's authorizer (OSS 2.x plus the Cloud-only names the
        /// contract lists, so permissions sent by clients always deserialize).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum ResourceType {
            $(#[serde(rename = $name)] $variant,)*
        }

        impl ResourceType {
            /// Every type, in InfluxDB's order.
            pub const ALL: &'static [ResourceType] = &[$(ResourceType::$variant,)*];

            pub fn name(self) -> &'static str {
                match self {
                    $(ResourceType::$variant => $name,)*
                }
            }

            pub fn from_name(name: &str) -> Option<ResourceType> {
                match name {
                    $($name => Some(ResourceType::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

resource_types! {
    Authorizations => "authorizations",
    Buckets => "buckets",
    Dashboards => "dashboards",
    Orgs => "orgs",
    Sources => "sources",
    Tasks => "tasks",
    Telegrafs => "telegrafs",
    Users => "users",
    Variables => "variables",
    Scrapers => "scrapers",
    Secrets => "secrets",
    Labels => "labels",
    Views => "views",
    Documents => "documents",
    NotificationRules => "notificationRules",
    NotificationEndpoints => "notificationEndpoints",
    Checks => "checks",
    Dbrp => "dbrp",
    Notebooks => "notebooks",
    Annotations => "annotations",
    Remotes => "remotes",
    Replications => "replications",
    Instance => "instance",
    Flows => "flows",
    Functions => "functions",
    Subscriptions => "subscriptions",
}

impl ResourceType {
    /// The types InfluxDB OSS knows (the Cloud-only ones are excluded from token presets).
    pub fn oss() -> impl Iterator<Item = ResourceType> {
        ResourceType::ALL.iter().copied().filter(|t| {
            !matches!(
                t,
                ResourceType::Flows | ResourceType::Functions | ResourceType::Subscriptions
            )
        })
    }
}

impl fmt::Display for ResourceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a permission applies to. `id`/`org_id` absent = every resource of the type (in the org).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Resource {
    #[serde(rename = "type")]
    pub kind: ResourceType,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "opt_id")]
    pub id: Option<Id>,
    #[serde(
        rename = "orgID",
        default,
        skip_serializing_if = "Option::is_none",
        with = "opt_id"
    )]
    pub org_id: Option<Id>,
    /// Display name of the resource (filled in responses, ignored for matching).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Display name of the org (filled in responses, ignored for matching).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
}

impl Resource {
    pub fn new(kind: ResourceType) -> Resource {
        Resource {
            kind,
            id: None,
            org_id: None,
            name: None,
            org: None,
        }
    }

    pub fn in_org(kind: ResourceType, org_id: Id) -> Resource {
        Resource {
            org_id: Some(org_id),
            ..Resource::new(kind)
        }
    }

    pub fn with_id(kind: ResourceType, org_id: Option<Id>, id: Id) -> Resource {
        Resource {
            id: Some(id),
            org_id,
            ..Resource::new(kind)
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Permission {
    pub action: Action,
    pub resource: Resource,
}

impl Permission {
    pub fn new(action: Action, resource: Resource) -> Permission {
        Permission { action, resource }
    }

    /// True when this (granted) permission covers `required`, by InfluxDB's rule: same
    /// action; `instance` covers every type; otherwise the same type, and then a grant
    /// without org and id covers all, with org covers that org, with id covers that id.
    pub fn covers(&self, required: &Permission) -> bool {
        if self.action != required.action {
            return false;
        }
        if self.resource.kind == ResourceType::Instance {
            return true;
        }
        if self.resource.kind != required.resource.kind {
            return false;
        }
        if let Some(org) = self.resource.org_id {
            if required.resource.org_id != Some(org) {
                return false;
            }
        }
        if let Some(id) = self.resource.id {
            // A grant on one resource covers that resource. A grant on an org (type orgs, id =
            // the org) is also how org-scoped requests for the org itself are expressed.
            return required.resource.id == Some(id);
        }
        true
    }
}

impl fmt::Display for Permission {
    /// `read:orgs/<orgID>/buckets/<id>` and its shorter forms, as InfluxDB renders them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:", self.action.name())?;
        if let Some(org) = self.resource.org_id {
            write!(f, "orgs/{org}/")?;
        }
        write!(f, "{}", self.resource.kind)?;
        if let Some(id) = self.resource.id {
            write!(f, "/{id}")?;
        }
        Ok(())
    }
}

/// The operator token's permissions: read and write on every OSS type except `instance`,
/// across all orgs.
pub fn operator_permissions() -> Vec<Permission> {
    let mut out = Vec::new();
    for kind in ResourceType::oss().filter(|k| *k != ResourceType::Instance) {
        for action in [Action::Read, Action::Write] {
            out.push(Permission::new(action, Resource::new(kind)));
        }
    }
    out
}

/// An all-access token's permissions: read and write on every OSS type in one org
/// (the org itself by id), as `influx auth create --all-access` makes them.
pub fn all_access_permissions(org_id: Id) -> Vec<Permission> {
    let mut out = Vec::new();
    for kind in ResourceType::oss().filter(|k| *k != ResourceType::Instance) {
        for action in [Action::Read, Action::Write] {
            let resource = match kind {
                ResourceType::Orgs => Resource::with_id(kind, None, org_id),
                // Users are global in InfluxDB; the all-access set grants them unscoped.
                ResourceType::Users => Resource::new(kind),
                _ => Resource::in_org(kind, org_id),
            };
            out.push(Permission::new(action, resource));
        }
    }
    out
}

/// Serde helper for optional 16-hex-digit IDs.
pub(crate) mod opt_id {
    use edgeflux_types::Id;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(id: &Option<Id>, s: S) -> Result<S::Ok, S::Error> {
        match id {
            Some(id) => s.serialize_str(&id.to_string()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Id>, D::Error> {
        let s: Option<String> = Option::deserialize(d)?;
        match s.as_deref() {
            None | Some("") => Ok(None),
            Some(s) => s.parse().map(Some).map_err(serde::de::Error::custom),
        }
    }
}

/// Serde helper for required 16-hex-digit IDs.
pub mod id_hex {
    use edgeflux_types::Id;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(id: &Id, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&id.to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Id, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Serde helper for lists of 16-hex-digit IDs.
pub mod ids_hex {
    use edgeflux_types::Id;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(ids: &[Id], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(ids.iter().map(|id| id.to_string()))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Id>, D::Error> {
        let v: Vec<String> = Vec::deserialize(d)?;
        v.iter()
            .map(|s| s.parse().map_err(serde::de::Error::custom))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u64) -> Id {
        Id(n)
    }

    fn bucket(org: u64, b: u64, action: Action) -> Permission {
        Permission::new(
            action,
            Resource::with_id(ResourceType::Buckets, Some(id(org)), id(b)),
        )
    }

    #[test]
    fn matching_follows_influxdb_rules() {
        let all_buckets = Permission::new(Action::Read, Resource::new(ResourceType::Buckets));
        let org_buckets =
            Permission::new(Action::Read, Resource::in_org(ResourceType::Buckets, id(1)));
        let one_bucket = bucket(1, 7, Action::Read);
        let instance = Permission::new(Action::Read, Resource::new(ResourceType::Instance));

        let want = bucket(1, 7, Action::Read);
        assert!(all_buckets.covers(&want));
        assert!(org_buckets.covers(&want));
        assert!(one_bucket.covers(&want));
        assert!(instance.covers(&want));

        assert!(
            !org_buckets.covers(&bucket(2, 7, Action::Read)),
            "other org"
        );
        assert!(!one_bucket.covers(&bucket(1, 8, Action::Read)), "other id");
        assert!(
            !one_bucket.covers(&bucket(1, 7, Action::Write)),
            "other action"
        );
        let org_only = Permission::new(
            Action::Read,
            Resource::in_org(ResourceType::Dashboards, id(1)),
        );
        assert!(!org_only.covers(&want), "other type");
        // A grant on one bucket does not cover "all buckets of the org" (e.g. create).
        let create = Permission::new(Action::Read, Resource::in_org(ResourceType::Buckets, id(1)));
        assert!(!one_bucket.covers(&create));
    }

    #[test]
    fn renders_like_influxdb() {
        assert_eq!(
            bucket(1, 7, Action::Read).to_string(),
            "read:orgs/0000000000000001/buckets/0000000000000007"
        );
        let p = Permission::new(Action::Write, Resource::new(ResourceType::Orgs));
        assert_eq!(p.to_string(), "write:orgs");
    }

    #[test]
    fn presets_cover_what_they_should() {
        let op = operator_permissions();
        assert!(op.iter().any(|p| p.covers(&bucket(9, 9, Action::Write))));
        assert!(!op.iter().any(|p| p.resource.kind == ResourceType::Instance));
        let all = all_access_permissions(id(1));
        assert!(all.iter().any(|p| p.covers(&bucket(1, 9, Action::Write))));
        assert!(!all.iter().any(|p| p.covers(&bucket(2, 9, Action::Write))));
    }

    #[test]
    fn permissions_round_trip_through_json() {
        let text = r#"{"action":"read","resource":{"type":"buckets","id":"0000000000000007","orgID":"0000000000000001","name":"b","unknown":1}}"#;
        let p: Permission = serde_json::from_str(text).unwrap();
        assert_eq!(p.resource.id, Some(id(7)));
        assert_eq!(p.resource.name.as_deref(), Some("b"));
        let back = serde_json::to_string(&p).unwrap();
        assert!(back.contains(r#""orgID":"0000000000000001""#));
        assert!(serde_json::from_str::<Permission>(
            r#"{"action":"admin","resource":{"type":"buckets"}}"#
        )
        .is_err());
        assert!(serde_json::from_str::<Permission>(
            r#"{"action":"read","resource":{"type":"buckets","id":"zz"}}"#
        )
        .is_err());
    }
}
