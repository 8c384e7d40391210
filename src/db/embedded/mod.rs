//! The embedded PostgreSQL cluster (docs/API.md "Configuration", embedded default): when no
//! `DATABASE_URL` is set and nothing usable answers at the default address, or with
//! `DATABASE_URL=embedded`, the service runs a cluster of its own from the server binaries installed
//! on the machine ([`binaries`]), in `SHIXIN_DATA_DIR/postgres`, listening only on a Unix socket
//! (`SHIXIN_DATA_DIR/run`, mode 0700, trust authentication: only this user, and root, can connect).
//!
//! - **Started and stopped with the process.** The process that starts the cluster owns it (an
//!   exclusive lock on `SHIXIN_DATA_DIR/postgres.lock`) and stops it (`pg_ctl stop -m fast`) when it
//!   ends: after SIGINT or SIGTERM, or when the value is dropped. Another `shixin` command run
//!   meanwhile (`seed`, `tick`, `migrate`) uses the running cluster and leaves it running.
//! - **After a crash.** `pg_ctl` starts the server in a session of its own, so a `shixin` killed with
//!   `kill -9` leaves it running without an owner: the next start takes it over (the lock is free) and
//!   stops it in turn. A server that died itself is started again; PostgreSQL replays its WAL.
//! - **As root** (containers, CI), the cluster runs as the user `postgres` (or `nobody` when there is
//!   none): PostgreSQL refuses to run as root. Its folders are given to that user.
//! - The data stays between runs; `initdb` runs only when the folder holds no cluster.

pub mod binaries;

use std::{
    fs::File,
    path::{Path, PathBuf},
    process::{Command, Output},
    time::{Duration, Instant},
};

use anyhow::{Context, bail};

/// No server binaries were found: the process exits 2 with [`binaries::INSTALL_HINT`].
#[derive(Debug)]
pub struct NoServerBinaries;

impl std::fmt::Display for NoServerBinaries {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(binaries::INSTALL_HINT)
    }
}

impl std::error::Error for NoServerBinaries {}

/// How long a start (or a wait for another process's start) may take.
const START_WAIT: Duration = Duration::from_secs(120);

/// A running embedded cluster; stopped on [`EmbeddedCluster::stop`] or drop when this process owns it.
pub struct EmbeddedCluster {
    bin: PathBuf,
    data: PathBuf,
    run_as: Option<String>,
    owner: Option<File>,
    url: String,
}

impl EmbeddedCluster {
    /// Starts (or joins) the cluster under `data_dir`. Blocking: initdb takes a few seconds.
    pub fn start(data_dir: &Path) -> anyhow::Result<Self> {
        let bin = binaries::find().ok_or(NoServerBinaries)?;
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("creating SHIXIN_DATA_DIR {}", data_dir.display()))?;
        let data_dir = std::path::absolute(data_dir)?;
        let data = data_dir.join("postgres");
        let socket = socket_dir(&data_dir);
        let run_as = server_user()?;
        for dir in [&data, &socket] {
            prepare_dir(dir, run_as.as_deref())?;
        }
        let lock = File::create(data_dir.join("postgres.lock"))?;
        let owner = lock.try_lock().is_ok().then_some(lock);
        let mut cluster = EmbeddedCluster {
            url: format!("postgres://postgres@{}/shixin", encode_host(&socket)),
            bin,
            data,
            run_as,
            owner: None,
        };
        if owner.is_none() {
            tracing::info!("the embedded PostgreSQL belongs to another shixin process: using it");
            cluster.wait_running()?;
            return Ok(cluster);
        }
        cluster.owner = owner;
        if !cluster.data.join("PG_VERSION").exists() {
            tracing::info!(folder = %cluster.data.display(), "creating the embedded PostgreSQL cluster (initdb)");
            let d = cluster.data.to_string_lossy().to_string();
            cluster.tool(
                "initdb",
                &[
                    "-D",
                    &d,
                    "-U",
                    "postgres",
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--locale=C",
                ],
            )?;
        }
        if cluster.running() {
            tracing::warn!(
                "the embedded PostgreSQL was left running by a shixin that did not stop cleanly: taking it over"
            );
            return Ok(cluster);
        }
        let options = format!(
            "-c listen_addresses='' -c port=5432 -c unix_socket_directories='{}' -c unix_socket_permissions=0700",
            socket.display()
        );
        let d = cluster.data.to_string_lossy().to_string();
        let log = cluster
            .data
            .join("server.log")
            .to_string_lossy()
            .to_string();
        let wait = START_WAIT.as_secs().to_string();
        cluster
            .tool(
                "pg_ctl",
                &[
                    "start", "-w", "-t", &wait, "-D", &d, "-l", &log, "-o", &options,
                ],
            )
            .map_err(|e| {
                let text = std::fs::read_to_string(&log).unwrap_or_default();
                let lines: Vec<&str> = text.lines().collect();
                let tail = lines[lines.len().saturating_sub(8)..].join("\n");
                e.context(format!(
                    "starting the embedded PostgreSQL; the end of {log}:\n{tail}"
                ))
            })?;
        tracing::info!(folder = %cluster.data.display(), "the embedded PostgreSQL is running");
        Ok(cluster)
    }

    /// The URL of the service's database on the cluster's socket.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Stops the cluster when this process owns it (a fast shutdown: sessions are ended, the data is
    /// checkpointed). Blocking, well under a second on a quiet cluster.
    pub fn stop(&mut self) {
        if self.owner.take().is_none() {
            return;
        }
        let d = self.data.to_string_lossy().to_string();
        match self.tool("pg_ctl", &["stop", "-w", "-m", "fast", "-D", &d]) {
            Ok(_) => tracing::info!("the embedded PostgreSQL stopped"),
            Err(e) => tracing::warn!(error = %e, "stopping the embedded PostgreSQL failed"),
        }
    }

    fn running(&self) -> bool {
        let d = self.data.to_string_lossy().to_string();
        self.command("pg_ctl", &["status", "-D", &d])
            .output()
            .is_ok_and(|o| o.status.success())
    }

    fn wait_running(&self) -> anyhow::Result<()> {
        let started = Instant::now();
        while !self.running() {
            if started.elapsed() > START_WAIT {
                bail!("the embedded PostgreSQL of another shixin process did not start");
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        Ok(())
    }

    fn command(&self, tool: &str, args: &[&str]) -> Command {
        let mut c = match &self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(self.bin.join(tool));
                c
            }
            None => Command::new(self.bin.join(tool)),
        };
        // Run from `/`: the server's user may not be able to enter the current folder.
        c.args(args).current_dir("/");
        c
    }

    fn tool(&self, tool: &str, args: &[&str]) -> anyhow::Result<Output> {
        let out = self
            .command(tool, args)
            .output()
            .with_context(|| format!("running {tool}"))?;
        if !out.status.success() {
            bail!(
                "{tool} failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(out)
    }
}

impl Drop for EmbeddedCluster {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `SHIXIN_DATA_DIR/run`, unless its socket's path would pass the 107 bytes a Unix socket address
/// holds: then a folder of the same name under the temporary folder.
fn socket_dir(data_dir: &Path) -> PathBuf {
    let inside = data_dir.join("run");
    if inside.as_os_str().len() + "/.s.PGSQL.5432".len() < 100 {
        return inside;
    }
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    data_dir.hash(&mut h);
    std::env::temp_dir().join(format!("shixin-{:016x}", h.finish()))
}

/// The user the server runs as: `None` (this user) unless this is root.
fn server_user() -> anyhow::Result<Option<String>> {
    let uid = Command::new("id")
        .arg("-u")
        .output()
        .context("running id")?;
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        return Ok(None);
    }
    let has_postgres = Command::new("id")
        .arg("postgres")
        .output()
        .is_ok_and(|o| o.status.success());
    Ok(Some(
        if has_postgres { "postgres" } else { "nobody" }.into(),
    ))
}

/// Creates `dir` (mode 0700) and, as root, gives it to the server's user, who must reach it.
fn prepare_dir(dir: &Path, run_as: Option<&str>) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    let Some(user) = run_as else { return Ok(()) };
    let chown = Command::new("chown").arg(user).arg(dir).status()?;
    anyhow::ensure!(chown.success(), "chown {user} {} failed", dir.display());
    let reach = Command::new("runuser")
        .args(["-u", user, "--", "test", "-w"])
        .arg(dir)
        .status()
        .context("running runuser")?;
    anyhow::ensure!(
        reach.success(),
        "the embedded PostgreSQL runs as the user {user} (not as root), who cannot reach {}: \
         set SHIXIN_DATA_DIR to a folder every user may enter (e.g. /var/lib/shixin)",
        dir.display()
    );
    Ok(())
}

/// A socket folder as the host of a PostgreSQL URL (percent-encoded: `/` is `%2F`).
fn encode_host(dir: &Path) -> String {
    dir.to_string_lossy()
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Whether a PostgreSQL server answers at `url` and lets us in (its maintenance database: the
/// service's own is created at start), within `wait`.
pub async fn answers(url: &str, wait: Duration) -> Result<(), String> {
    use diesel_async::AsyncConnection;
    let (admin, _) = super::maintenance_url(url).map_err(|e| e.to_string())?;
    match tokio::time::timeout(wait, diesel_async::AsyncPgConnection::establish(&admin)).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!("no answer within {wait:?}")),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_socket_folder_is_a_percent_encoded_host() {
        let h = super::encode_host(std::path::Path::new("/tmp/my data/run"));
        assert_eq!(h, "%2Ftmp%2Fmy%20data%2Frun");
    }
}
