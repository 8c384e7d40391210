//! The replica's probe: every [`PROBE_EVERY`] it asks the read server who it is and the **primary**
//! whether that standby applies each commit before the commit returns. Reads go to the replica
//! (`db::replica`) only when all of these hold:
//!
//! - the read server is in recovery and a standby of the primary's own cluster (same
//!   `system_identifier`);
//! - its standby name (the `application_name` its WAL receiver connects with, read from
//!   `pg_stat_wal_receiver`) has rows in the primary's `pg_stat_replication`, each `streaming` with
//!   `sync_state = 'sync'` (or `quorum` under `ANY n (…)` naming no more than n standbys: with
//!   `ANY 1 (r1, r2)` a commit waits for one of them only, so reading either one may be stale);
//! - `synchronous_commit` is `remote_apply` for the service's role and database on the primary (read
//!   on a connection of `DATABASE_URL`, reopened every few seconds to see `ALTER ROLE/DATABASE … SET`);
//! - when it was not up before: the replica has replayed the primary's WAL up to where it was when
//!   the primary was seen waiting for it (a standby that just became synchronous again may still be
//!   applying what another standby confirmed meanwhile); until then the last verdict stands.
//!
//! Otherwise the replica is `not_synchronous` (one WARN line per reason, without URLs) or `down`
//! (it does not answer in [`STEP_TIMEOUT`]). The probe reads the statistics views, so the service's
//! role needs `pg_read_all_stats` on both servers (a superuser has it). While the primary does not
//! answer, the last verdict stands (no commit can return then). A change of the primary's
//! configuration file is seen within one probe, of a role's or database's setting within about 5 s;
//! between two probes a standby that stops being synchronous may serve reads that miss commits it no
//! longer confirms.

use std::{
    sync::{Arc, Weak},
    time::Duration,
};

use tokio_postgres::Client;

use super::replica::{PROBE_EVERY, ReplicaHealth, ReplicaStatus};

/// Longest wait for one step of a probe (connecting, or one query).
const STEP_TIMEOUT: Duration = Duration::from_millis(1000);
/// The probe's primary connection is reopened after this many probes (role/database settings are
/// read when a session starts).
const PRIMARY_REUSE: u32 = 20;

const REPLICA_SQL: &str = "SELECT pg_is_in_recovery(), \
       (SELECT system_identifier FROM pg_control_system())::text, \
       (SELECT conninfo FROM pg_stat_wal_receiver LIMIT 1), \
       current_setting('cluster_name')";

const PRIMARY_SQL: &str = "SELECT current_setting('synchronous_commit'), \
       current_setting('synchronous_standby_names'), \
       (SELECT system_identifier FROM pg_control_system())::text, \
       ARRAY(SELECT coalesce(state, '?') || ':' || coalesce(sync_state, '?') \
             FROM pg_stat_replication WHERE application_name = $1), \
       pg_current_wal_insert_lsn()::text";

enum Verdict {
    Up,
    Down,
    NotSynchronous(String),
    /// The primary did not answer, or the standby has not caught up yet: the last verdict stands.
    Unknown,
}

struct Probe {
    primary_url: String,
    replica_url: String,
    primary: Option<Client>,
    primary_uses: u32,
    replica: Option<Client>,
    /// The last reason logged for `not_synchronous` (one line per reason).
    warned: Option<String>,
}

/// Probes once (so the first reads go where they should), then every [`PROBE_EVERY`] while
/// `health` is held by the service.
pub async fn start(health: &Arc<ReplicaHealth>, primary_url: &str, replica_url: &str) {
    let mut probe = Probe {
        primary_url: primary_url.to_string(),
        replica_url: replica_url.to_string(),
        primary: None,
        primary_uses: 0,
        replica: None,
        warned: None,
    };
    probe.once(health).await;
    let weak: Weak<ReplicaHealth> = Arc::downgrade(health);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(PROBE_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let Some(health) = weak.upgrade() else {
                return;
            };
            probe.once(&health).await;
        }
    });
}

async fn step<T, E>(f: impl Future<Output = Result<T, E>>) -> Option<T> {
    tokio::time::timeout(STEP_TIMEOUT, f).await.ok()?.ok()
}

/// The probe's sessions go by this name (`pg_stat_activity.application_name`).
pub const PROBE_NAME: &str = "shixin-replica-probe";

async fn open(url: &str) -> Option<Client> {
    let (client, _driver) = step(super::connect::open(url, |e| {
        tracing::debug!(error_kind = ?e.code(), "a replica probe connection closed");
    }))
    .await?;
    step(client.batch_execute(&format!("SET application_name = '{PROBE_NAME}'"))).await?;
    Some(client)
}

impl Probe {
    async fn once(&mut self, health: &ReplicaHealth) {
        let was = health.status();
        let verdict = self.verdict(was == ReplicaStatus::Up).await;
        let now = match verdict {
            Verdict::Unknown => return,
            Verdict::Up => ReplicaStatus::Up,
            Verdict::Down => ReplicaStatus::Down,
            Verdict::NotSynchronous(reason) => {
                if self.warned.as_deref() != Some(reason.as_str()) {
                    tracing::warn!(
                        reason = %reason,
                        "the read replica is not a synchronous standby applying before commit \
                         returns; reads stay on the primary"
                    );
                    self.warned = Some(reason);
                }
                ReplicaStatus::NotSynchronous
            }
        };
        if now != was {
            match now {
                ReplicaStatus::Up => {
                    self.warned = None;
                    tracing::info!("the read replica is synchronous; reads go to it")
                }
                ReplicaStatus::Down => {
                    tracing::warn!("the read replica does not answer; reads go to the primary")
                }
                _ => {}
            }
            health.set(now);
        }
    }

    async fn replica(&mut self) -> Option<&Client> {
        if self.replica.as_ref().is_none_or(Client::is_closed) {
            self.replica = open(&self.replica_url).await;
        }
        self.replica.as_ref()
    }

    async fn primary(&mut self) -> Option<&Client> {
        self.primary_uses += 1;
        if self.primary_uses > PRIMARY_REUSE || self.primary.as_ref().is_none_or(Client::is_closed)
        {
            self.primary_uses = 0;
            self.primary = open(&self.primary_url).await;
        }
        self.primary.as_ref()
    }

    async fn verdict(&mut self, was_up: bool) -> Verdict {
        let Some(replica) = self.replica().await else {
            return Verdict::Down;
        };
        let Some(r) = step(replica.query_one(REPLICA_SQL, &[])).await else {
            self.replica = None;
            return Verdict::Down;
        };
        let (in_recovery, replica_system, conninfo, cluster_name): (
            bool,
            String,
            Option<String>,
            String,
        ) = (r.get(0), r.get(1), r.get(2), r.get(3));
        if !in_recovery {
            return not_sync("the read server is not a standby (it is not in recovery)");
        }
        let Some(conninfo) = conninfo else {
            return not_sync(
                "the read server's WAL receiver is not visible: it is not streaming, or the \
                 service's role lacks pg_read_all_stats",
            );
        };
        let name = standby_name(&conninfo, &cluster_name);
        let Some(primary) = self.primary().await else {
            return Verdict::Unknown;
        };
        let Some(p) = step(primary.query_one(PRIMARY_SQL, &[&name])).await else {
            self.primary = None;
            return Verdict::Unknown;
        };
        let (commit, names, system, states, lsn): (String, String, String, Vec<String>, String) =
            (p.get(0), p.get(1), p.get(2), p.get(3), p.get(4));
        if system != replica_system {
            return not_sync("the read server is a standby of another cluster");
        }
        if commit != "remote_apply" {
            return not_sync(&format!(
                "synchronous_commit is '{commit}' on the primary for the service's role and \
                 database, not 'remote_apply'"
            ));
        }
        if states.is_empty() {
            return not_sync(&format!(
                "the primary streams to no standby named '{name}' (or the service's role lacks \
                 pg_read_all_stats)"
            ));
        }
        for s in &states {
            let ok = match s.split_once(':') {
                Some(("streaming", "sync")) => true,
                Some(("streaming", "quorum")) => quorum_waits_for_all(&names),
                _ => false,
            };
            if !ok {
                return not_sync(&format!(
                    "its standby '{name}' is '{s}' (state:sync_state) on the primary"
                ));
            }
        }
        if !was_up && !self.replayed(&lsn).await {
            // Still applying what another standby confirmed meanwhile: not yet (no new verdict).
            return Verdict::Unknown;
        }
        Verdict::Up
    }

    /// Whether the replica has replayed the primary's WAL up to `lsn` (waiting for it a little).
    async fn replayed(&mut self, lsn: &str) -> bool {
        let Some(replica) = self.replica().await else {
            return false;
        };
        let params: [&(dyn tokio_postgres::types::ToSql + Sync); 1] = [&lsn];
        for _ in 0..10 {
            let q = replica.query_one(
                "SELECT pg_last_wal_replay_lsn() >= $1::text::pg_lsn",
                &params,
            );
            match step(q).await {
                Some(r) if r.get::<_, Option<bool>>(0) == Some(true) => return true,
                Some(_) => tokio::time::sleep(Duration::from_millis(20)).await,
                None => return false,
            }
        }
        false
    }
}

fn not_sync(reason: &str) -> Verdict {
    Verdict::NotSynchronous(reason.to_string())
}

/// The name a standby goes by on the primary: the `application_name` of its WAL receiver's
/// connection, else its fallback (the standby's `cluster_name`, else `walreceiver`).
fn standby_name(conninfo: &str, cluster_name: &str) -> String {
    let value = |key: &str| {
        conninfo
            .split_whitespace()
            .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
            .map(|v| v.trim_matches('\'').to_string())
    };
    value("application_name")
        .or_else(|| value("fallback_application_name"))
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| {
            if cluster_name.is_empty() {
                "walreceiver".to_string()
            } else {
                cluster_name.to_string()
            }
        })
}

/// Whether `synchronous_standby_names` is `ANY n (…)` naming no more than `n` standbys (and no
/// `*`): then every listed standby confirms each commit.
fn quorum_waits_for_all(names: &str) -> bool {
    let s = names.trim();
    let Some(rest) = s
        .get(..3)
        .filter(|p| p.eq_ignore_ascii_case("any"))
        .and_then(|_| s.get(3..))
    else {
        return false;
    };
    let Some((n, list)) = rest.split_once('(') else {
        return false;
    };
    let Ok(n) = n.trim().parse::<usize>() else {
        return false;
    };
    let listed: Vec<&str> = list
        .trim_end()
        .trim_end_matches(')')
        .split(',')
        .map(|x| x.trim().trim_matches('"'))
        .collect();
    !listed.contains(&"*") && n >= listed.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standby_name_is_its_application_name_else_its_fallback() {
        let c = "user=postgres dbname=replication host=127.0.0.1 port=5432 \
                 fallback_application_name=r1 sslmode=prefer";
        assert_eq!(standby_name(c, ""), "r1");
        assert_eq!(
            standby_name(&format!("{c} application_name=east"), "r1"),
            "east"
        );
        assert_eq!(standby_name("host=x port=1", ""), "walreceiver");
        assert_eq!(standby_name("host=x port=1", "r2"), "r2");
    }

    #[test]
    fn a_quorum_is_trusted_only_when_it_waits_for_every_listed_standby() {
        assert!(quorum_waits_for_all("ANY 2 (r1, r2)"));
        assert!(quorum_waits_for_all("any 1 (r1)"));
        assert!(!quorum_waits_for_all("ANY 1 (r1, r2)"));
        assert!(!quorum_waits_for_all("ANY 2 (*)"));
        assert!(!quorum_waits_for_all("FIRST 1 (r1, r2)"));
        assert!(!quorum_waits_for_all("r1"));
    }
}
