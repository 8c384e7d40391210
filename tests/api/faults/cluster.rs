//! A PostgreSQL cluster of its own for the fault tests (`pg_fault`, `pg_fault_checks`,
//! `pg_replica`): initdb (or `pg_basebackup -R` for a streaming standby) into a temporary folder,
//! its own port on 127.0.0.1, run as the user `postgres` when the tests run as root; stopped
//! (`-m immediate`) and removed on drop, also when the test panics.

use std::{
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

/// A PostgreSQL cluster of its own in a temporary folder; stopped and removed on drop.
pub struct PrivatePostgres {
    pub port: u16,
    dir: PathBuf,
    bin: PathBuf,
}

fn pg_bin() -> PathBuf {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL server binaries under /usr/lib/postgresql")
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("initdb").exists())
        .collect();
    found.sort();
    found
        .pop()
        .expect("an initdb under /usr/lib/postgresql/*/bin")
}

fn is_root() -> bool {
    static ROOT: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ROOT.get_or_init(|| {
        Command::new("id")
            .arg("-u")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
            .unwrap_or(false)
    })
}

/// A PostgreSQL tool; as root it runs as `postgres` (the server refuses to run as root).
fn pg_command(bin: &Path, tool: &str, args: &[&str]) -> Command {
    let mut c = if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin.join(tool));
        c
    } else {
        Command::new(bin.join(tool))
    };
    c.args(args).stdout(Stdio::null());
    c
}

fn pg_tool(bin: &Path, tool: &str, args: &[&str]) {
    let status = pg_command(bin, tool, args)
        .status()
        .expect("run a PostgreSQL tool");
    assert!(status.success(), "{tool} {args:?} failed");
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A new temporary folder the server's user owns.
fn new_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("shixin-pg-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    if is_root() {
        let ok = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(&dir)
            .status()
            .expect("chown");
        assert!(ok.success());
    }
    dir
}

impl PrivatePostgres {
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// A new cluster with `settings` added to its `postgresql.conf`.
    pub fn start_with(settings: &[(&str, &str)]) -> Self {
        let dir = new_dir();
        let bin = pg_bin();
        let data = dir.join("data");
        pg_tool(
            &bin,
            "initdb",
            &[
                "-D",
                data.to_str().unwrap(),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        let pg = Self {
            port: free_port(),
            dir,
            bin,
        };
        pg.configure(settings);
        pg.up();
        pg
    }

    /// A streaming standby of `primary` (`pg_basebackup -R`: it follows the primary's WAL) named
    /// `name` (its `cluster_name`, the `application_name` its WAL receiver connects with, which
    /// `synchronous_standby_names` on the primary refers to), on a port of its own.
    pub fn replica_of(primary: &PrivatePostgres, name: &str) -> Self {
        let dir = new_dir();
        let data = dir.join("data");
        let port = primary.port.to_string();
        pg_tool(
            &primary.bin,
            "pg_basebackup",
            &[
                "-D",
                data.to_str().unwrap(),
                "-h",
                "127.0.0.1",
                "-p",
                &port,
                "-U",
                "postgres",
                "-R",
                "-X",
                "stream",
                "-c",
                "fast",
                "--no-sync",
            ],
        );
        let pg = Self {
            port: free_port(),
            dir,
            bin: primary.bin.clone(),
        };
        pg.configure(&[("cluster_name", name)]);
        pg.up();
        pg
    }

    fn configure(&self, settings: &[(&str, &str)]) {
        use std::io::Write;
        let mut conf = std::fs::OpenOptions::new()
            .append(true)
            .open(self.dir.join("data").join("postgresql.conf"))
            .expect("postgresql.conf");
        for (k, v) in settings {
            writeln!(conf, "{k} = '{v}'").expect("write postgresql.conf");
        }
    }

    pub fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }

    fn data(&self) -> String {
        self.dir.join("data").to_string_lossy().into_owned()
    }

    pub fn up(&self) {
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c max_connections=60",
            self.port,
            self.dir.display()
        );
        let log = self.dir.join("log").to_string_lossy().into_owned();
        pg_tool(
            &self.bin,
            "pg_ctl",
            &["-D", &self.data(), "-o", &opts, "-l", &log, "-w", "start"],
        );
    }

    /// A crash: no shutdown checkpoint, the next start replays the WAL.
    pub fn kill(&self) {
        pg_tool(
            &self.bin,
            "pg_ctl",
            &["-D", &self.data(), "-m", "immediate", "-w", "stop"],
        );
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let _ = pg_command(
            &self.bin,
            "pg_ctl",
            &["-D", &self.data(), "-m", "immediate", "stop"],
        )
        .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
