//! The catalog: orgs, users, authorizations, buckets, DBRP mappings, sessions, tasks and
//! task runs, plus the changes that alter it. Changes travel in log records, so the live path and
//! recovery go through the same `Catalog::apply`.

use std::collections::{BTreeMap, HashMap};

use edgeflux_auth::{id_hex, Authorization, Org, PasswordHash, TokenHash, User};
use edgeflux_types::{Id, Timestamp};
use serde::{Deserialize, Serialize};

use crate::tasks::{Run, RunStatus, Task, RUNS_KEPT_PER_TASK};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BucketKind {
    User,
    System,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bucket {
    #[serde(with = "id_hex")]
    pub id: Id,
    #[serde(with = "id_hex")]
    pub org_id: Id,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub kind: BucketKind,
    /// Retention in seconds; 0 = infinite.
    pub retention_seconds: i64,
    pub shard_group_seconds: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Bucket {
    /// Retention in nanoseconds; 0 = infinite.
    pub fn retention_ns(&self) -> i64 {
        self.retention_seconds.saturating_mul(1_000_000_000)
    }
}

/// InfluxDB's default shard-group duration for a retention period (seconds).
pub fn default_shard_group_seconds(retention_seconds: i64) -> i64 {
    const HOUR: i64 = 3600;
    const DAY: i64 = 24 * HOUR;
    match retention_seconds {
        0 => 7 * DAY,
        r if r < 2 * DAY => HOUR,
        r if r < 180 * DAY => DAY,
        _ => 7 * DAY,
    }
}

/// A database/retention-policy name mapped to a bucket for the v1 API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dbrp {
    #[serde(with = "id_hex")]
    pub id: Id,
    #[serde(with = "id_hex")]
    pub org_id: Id,
    #[serde(with = "id_hex")]
    pub bucket_id: Id,
    pub database: String,
    pub retention_policy: String,
    pub default: bool,
}

/// A signed-in browser session (cookie), stored by the hash of its key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub key_hash: TokenHash,
    #[serde(with = "id_hex")]
    pub user_id: Id,
    pub expires_at: Timestamp,
}

/// An ID inside a change (hex in JSON).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Key(#[serde(with = "id_hex")] pub Id);

/// A v1 authorization (`/private/legacy/authorizations`) for InfluxQL and v1 clients: a
/// user name, which InfluxDB calls its token (it is not secret), and a password. `auth`
/// carries id, status, org, user and permissions; it is never a v2 token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LegacyAuth {
    pub token: String,
    #[serde(default)]
    pub password: Option<PasswordHash>,
    pub auth: Authorization,
}

/// One change to the catalog. Puts are upserts by id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", content = "v")]
pub enum Change {
    Onboarded,
    PutOrg(Org),
    DeleteOrg(Key),
    PutUser(User),
    DeleteUser(Key),
    PutAuth(Authorization),
    DeleteAuth(Key),
    PutBucket(Bucket),
    DeleteBucket(Key),
    PutDbrp(Dbrp),
    DeleteDbrp(Key),
    PutSession(Session),
    DeleteSession(TokenHash),
    PutTask(Task),
    DeleteTask(Key),
    PutRun(Run),
    PutLegacyAuth(LegacyAuth),
    DeleteLegacyAuth(Key),
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Catalog {
    pub onboarded: bool,
    pub orgs: BTreeMap<u64, Org>,
    pub users: BTreeMap<u64, User>,
    pub auths: BTreeMap<u64, Authorization>,
    pub buckets: BTreeMap<u64, Bucket>,
    pub dbrps: BTreeMap<u64, Dbrp>,
    pub sessions: Vec<Session>,
    #[serde(default)]
    pub tasks: BTreeMap<u64, Task>,
    #[serde(default)]
    pub runs: BTreeMap<u64, Run>,
    // Snapshots written before legacy authorizations existed must stay readable.
    #[serde(default)]
    pub legacy_auths: BTreeMap<u64, LegacyAuth>,
    /// Token hash → authorization id (derived; rebuilt on load).
    #[serde(skip)]
    by_token: HashMap<TokenHash, u64>,
}

impl Catalog {
    pub fn apply(&mut self, change: Change) {
        match change {
            Change::Onboarded => self.onboarded = true,
            Change::PutOrg(o) => {
                self.orgs.insert(o.id.0, o);
            }
            Change::DeleteOrg(Key(id)) => {
                self.orgs.remove(&id.0);
                self.buckets.retain(|_, b| b.org_id != id);
                let gone: Vec<u64> = self
                    .auths
                    .values()
                    .filter(|a| a.org_id == id)
                    .map(|a| a.id.0)
                    .collect();
                for a in gone {
                    self.remove_auth(a);
                }
                self.dbrps.retain(|_, d| d.org_id != id);
                let tasks = &mut self.tasks;
                tasks.retain(|_, t| t.org_id != id);
                self.runs.retain(|_, r| tasks.contains_key(&r.task_id.0));
                self.legacy_auths.retain(|_, l| l.auth.org_id != id);
                for u in self.users.values_mut() {
                    u.owner_of.retain(|o| *o != id);
                }
            }
            Change::PutUser(u) => {
                self.users.insert(u.id.0, u);
            }
            Change::DeleteUser(Key(id)) => {
                self.users.remove(&id.0);
                let gone: Vec<u64> = self
                    .auths
                    .values()
                    .filter(|a| a.user_id == id)
                    .map(|a| a.id.0)
                    .collect();
                for a in gone {
                    self.remove_auth(a);
                }
                self.sessions.retain(|s| s.user_id != id);
                self.legacy_auths.retain(|_, l| l.auth.user_id != id);
            }
            Change::PutAuth(a) => {
                self.remove_auth(a.id.0);
                self.by_token.insert(a.token_hash, a.id.0);
                self.auths.insert(a.id.0, a);
            }
            Change::DeleteAuth(Key(id)) => self.remove_auth(id.0),
            Change::PutBucket(b) => {
                self.buckets.insert(b.id.0, b);
            }
            Change::DeleteBucket(Key(id)) => {
                self.buckets.remove(&id.0);
                self.dbrps.retain(|_, d| d.bucket_id != id);
            }
            Change::PutDbrp(d) => {
                if d.default {
                    // One default mapping per database and org.
                    for other in self.dbrps.values_mut() {
                        if other.org_id == d.org_id && other.database == d.database {
                            other.default = false;
                        }
                    }
                }
                self.dbrps.insert(d.id.0, d);
            }
            Change::DeleteDbrp(Key(id)) => {
                self.dbrps.remove(&id.0);
            }
            Change::PutSession(s) => {
                self.sessions.retain(|x| x.key_hash != s.key_hash);
                self.sessions.push(s);
            }
            Change::DeleteSession(h) => self.sessions.retain(|x| x.key_hash != h),
            Change::PutTask(t) => {
                self.tasks.insert(t.id.0, t);
            }
            Change::DeleteTask(Key(id)) => {
                self.tasks.remove(&id.0);
                self.runs.retain(|_, r| r.task_id != id);
            }
            Change::PutRun(r) => {
                let task = r.task_id;
                self.runs.insert(r.id.0, r);
                self.prune_runs(task);
            }
            Change::PutLegacyAuth(l) => {
                self.legacy_auths.insert(l.auth.id.0, l);
            }
            Change::DeleteLegacyAuth(Key(id)) => {
                self.legacy_auths.remove(&id.0);
            }
        }
    }

    /// Keeps the newest `RUNS_KEPT_PER_TASK` finished runs of a task (queued ones stay).
    fn prune_runs(&mut self, task: Id) {
        let mut finished: Vec<(i64, u64)> = self
            .runs
            .values()
            .filter(|r| r.task_id == task && r.status != RunStatus::Scheduled)
            .map(|r| (r.finished_at.unwrap_or(r.scheduled_for), r.id.0))
            .collect();
        if finished.len() <= RUNS_KEPT_PER_TASK {
            return;
        }
        finished.sort_unstable();
        for (_, id) in &finished[..finished.len() - RUNS_KEPT_PER_TASK] {
            self.runs.remove(id);
        }
    }

    fn remove_auth(&mut self, id: u64) {
        if let Some(old) = self.auths.remove(&id) {
            self.by_token.remove(&old.token_hash);
        }
    }

    /// Rebuilds derived indexes after deserializing.
    pub fn reindex(&mut self) {
        self.by_token = self
            .auths
            .values()
            .map(|a| (a.token_hash, a.id.0))
            .collect();
    }

    /// The authorization whose token this is (hash lookup, then a constant-time check).
    pub fn auth_by_token(&self, token: &str) -> Option<&Authorization> {
        let hash = TokenHash::of(token);
        let id = self.by_token.get(&hash)?;
        let auth = self.auths.get(id)?;
        auth.token_hash.matches(token).then_some(auth)
    }

    pub fn session(&self, key: &str, now: Timestamp) -> Option<&Session> {
        let hash = TokenHash::of(key);
        self.sessions
            .iter()
            .find(|s| s.key_hash.matches(key) && s.key_hash == hash && s.expires_at > now)
    }

    pub fn org(&self, id: Id) -> Option<&Org> {
        self.orgs.get(&id.0)
    }

    pub fn org_by_name(&self, name: &str) -> Option<&Org> {
        self.orgs.values().find(|o| o.name == name)
    }

    /// An org given as a 16-hex ID or, failing that, by name (what `org=` accepts).
    pub fn org_by_id_or_name(&self, text: &str) -> Option<&Org> {
        text.parse::<Id>()
            .ok()
            .and_then(|id| self.org(id))
            .or_else(|| self.org_by_name(text))
    }

    pub fn user_by_name(&self, name: &str) -> Option<&User> {
        self.users.values().find(|u| u.name == name)
    }

    pub fn bucket(&self, id: Id) -> Option<&Bucket> {
        self.buckets.get(&id.0)
    }

    pub fn bucket_by_name(&self, org: Id, name: &str) -> Option<&Bucket> {
        self.buckets
            .values()
            .find(|b| b.org_id == org && b.name == name)
    }

    /// A bucket of `org` given as an ID first, then as a name (the write handler's order).
    pub fn bucket_by_id_or_name(&self, org: Id, text: &str) -> Option<&Bucket> {
        text.parse::<Id>()
            .ok()
            .and_then(|id| self.bucket(id))
            .filter(|b| b.org_id == org)
            .or_else(|| self.bucket_by_name(org, text))
    }

    /// Whether any id of any kind already uses `id` (generated IDs must be unique).
    pub fn id_in_use(&self, id: Id) -> bool {
        let k = id.0;
        self.orgs.contains_key(&k)
            || self.users.contains_key(&k)
            || self.auths.contains_key(&k)
            || self.buckets.contains_key(&k)
            || self.dbrps.contains_key(&k)
            || self.tasks.contains_key(&k)
            || self.runs.contains_key(&k)
            || self.legacy_auths.contains_key(&k)
    }

    /// The v1 authorization with this user name (InfluxDB's legacy "token").
    pub fn legacy_auth_by_token(&self, token: &str) -> Option<&LegacyAuth> {
        self.legacy_auths.values().find(|l| l.token == token)
    }
}

#[cfg(test)]
mod tests {
    use super::Catalog;

    /// A catalog snapshot as the first release wrote it (before tasks, runs and legacy
    /// authorizations existed). Fields added since must default, or an upgraded server
    /// would skip its snapshot as unreadable and come back without the data in it.
    const FIRST_RELEASE_CATALOG: &str = r#"{"onboarded":true,"orgs":{},"users":{},"auths":{},"buckets":{},"dbrps":{},"sessions":[]}"#;

    #[test]
    fn first_release_snapshots_stay_readable() {
        let c: Catalog = serde_json::from_str(FIRST_RELEASE_CATALOG).expect("old catalog decodes");
        assert!(c.onboarded);
        assert!(c.tasks.is_empty() && c.runs.is_empty() && c.legacy_auths.is_empty());
    }
}
