//! The embedded PostgreSQL cluster (docs/API.md "Configuration", embedded default) as an operator
//! meets it: `DATABASE_URL=embedded` starts a cluster of the service's own in `SHIXIN_DATA_DIR`, the
//! data stays between runs, SIGTERM leaves no PostgreSQL process behind, a `kill -9` leaves the
//! cluster to the next start, another command run meanwhile uses it without stopping it, and a
//! machine without server binaries gets the install commands and exit status 2.

use std::{
    path::{Path, PathBuf},
    process::Command,
    time::{Duration, Instant},
};

use serde_json::{Value, json};
use shixin::{
    auth::jwt::{MintRequest, mint},
    config::{DatabaseSource, Settings},
    secret::Secret,
};

use crate::{
    helpers::{TEST_SECRET, base_url},
    serve::Serve,
};

/// A data folder of its own (mode 0755: as root, the cluster's user must enter it); on drop, any
/// server still running in it is stopped at once and the folder removed, also when the test fails.
struct DataDir(PathBuf);

impl DataDir {
    fn new() -> DataDir {
        use std::os::unix::fs::PermissionsExt;
        let dir =
            std::env::temp_dir().join(format!("shixin-embedded-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        DataDir(dir)
    }

    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }

    /// The pids of the PostgreSQL processes whose command line names this folder.
    fn servers(&self) -> Vec<String> {
        let needle = self.0.join("postgres");
        let needle = needle.to_string_lossy();
        std::fs::read_dir("/proc")
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .bytes()
                    .all(|b| b.is_ascii_digit())
            })
            .filter(|e| {
                std::fs::read(e.path().join("cmdline"))
                    .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
                    .is_ok_and(|c| c.contains("postgres") && c.contains(needle.as_ref()))
            })
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect()
    }

    fn pid_file(&self) -> PathBuf {
        self.0.join("postgres").join("postmaster.pid")
    }
}

impl Drop for DataDir {
    fn drop(&mut self) {
        if self.pid_file().exists() {
            let pid = std::fs::read_to_string(self.pid_file()).unwrap_or_default();
            if let Some(pid) = pid.lines().next() {
                let _ = Command::new("kill").args(["-QUIT", pid]).status();
            }
            std::thread::sleep(Duration::from_millis(500));
        }
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn serve(dir: &DataDir) -> Serve {
    Serve::start(
        "embedded",
        &[
            ("SHIXIN_DATA_DIR", dir.path()),
            ("SHIXIN_TICK_INTERVAL", "off"),
        ],
    )
}

fn admin_token() -> String {
    let mut vars = std::collections::HashMap::new();
    vars.insert("SHIXIN_JWT_SECRET".to_string(), TEST_SECRET.to_string());
    let settings = Settings::from_map(&vars).unwrap();
    mint(
        &settings,
        &MintRequest {
            sub: "embedded-admin".into(),
            role: "admin".into(),
            court: None,
            sector: None,
            subscriber_id: None,
            ttl_secs: 600,
        },
    )
    .unwrap()
}

async fn get(port: u16, path: &str) -> (u16, Value) {
    let r = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}{path}"))
        .bearer_auth(admin_token())
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn create_court(port: u16) {
    let r = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/v1/courts"))
        .bearer_auth(admin_token())
        .json(
            &json!({"code": "京01", "name": "北京市第一中级人民法院", "province": "北京市",
                      "level": "intermediate", "parent_code": "京"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{:?}", r.text().await);
}

/// Stops `serve` with SIGTERM: it must exit 0 and leave no PostgreSQL process of `dir`.
fn stopped_cleanly(mut serve: Serve, dir: &DataDir) {
    assert!(serve.stop().is_some_and(|s| s.success()), "a clean stop");
    no_server_left(dir);
}

/// Waits up to 10 s for every PostgreSQL process of `dir` to be gone.
fn no_server_left(dir: &DataDir) {
    let since = Instant::now();
    while !dir.servers().is_empty() && since.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        dir.servers(),
        Vec::<String>::new(),
        "PostgreSQL processes left"
    );
    assert!(!dir.pid_file().exists(), "postmaster.pid left behind");
}

#[tokio::test]
async fn embedded_cluster_is_stopped_by_sigterm_and_keeps_the_data_for_the_next_start() {
    let dir = DataDir::new();
    let mut first = serve(&dir);
    let port = first.port();
    assert_eq!(get(port, "/readyz").await.1["database"], "up");
    assert!(
        !dir.servers().is_empty(),
        "the service runs its own PostgreSQL"
    );
    create_court(port).await;
    stopped_cleanly(first, &dir);

    let mut second = serve(&dir);
    let (status, court) = get(second.port(), "/v1/courts/%E4%BA%AC01").await;
    assert_eq!((status, court["code"].as_str()), (200, Some("京01")));
    stopped_cleanly(second, &dir);
}

#[tokio::test]
async fn embedded_cluster_left_by_kill_9_is_taken_over_by_the_next_start() {
    let dir = DataDir::new();
    let mut first = serve(&dir);
    let port = first.port();
    create_court(port).await;
    first.kill_9();
    // PostgreSQL runs in a session of its own: it outlives the killed service.
    assert!(!dir.servers().is_empty(), "the cluster outlives kill -9");

    let mut second = serve(&dir);
    assert_eq!(get(second.port(), "/v1/courts/%E4%BA%AC01").await.0, 200);
    stopped_cleanly(second, &dir);
}

#[tokio::test]
async fn embedded_cluster_is_shared_with_a_command_run_meanwhile_and_not_stopped_by_it() {
    let dir = DataDir::new();
    let mut serving = serve(&dir);
    let port = serving.port();
    let out = Command::new(env!("CARGO_BIN_EXE_shixin"))
        .arg("migrate")
        .env("DATABASE_URL", "embedded")
        .env("SHIXIN_DATA_DIR", dir.path())
        .env("REDIS_URL", "none")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "0 migrations applied"
    );
    assert_eq!(
        get(port, "/readyz").await.1["database"],
        "up",
        "still running"
    );
    create_court(port).await;
    stopped_cleanly(serving, &dir);
}

/// Runs `shixin serve` with an empty `PATH` in a mount namespace where the package folder of the
/// server binaries is an empty tmpfs, and a network namespace where nothing listens: a machine
/// without PostgreSQL. Needs root (unshare). Stopped after 60 s should it serve after all.
fn serve_without_binaries(dir: &Path) -> Option<std::process::Output> {
    let root = Command::new("id").arg("-u").output().ok()?;
    if String::from_utf8_lossy(&root.stdout).trim() != "0" {
        eprintln!("skipped: hiding the PostgreSQL binaries needs root (unshare -m)");
        return None;
    }
    let script = format!(
        "mount -t tmpfs none /usr/lib/postgresql && exec timeout 60 env -i PATH= \
         SHIXIN_DATA_DIR={} REDIS_URL=none {} serve",
        dir.display(),
        env!("CARGO_BIN_EXE_shixin")
    );
    Some(
        Command::new("unshare")
            .args(["-m", "-n", "--propagation", "private", "sh", "-c", &script])
            .output()
            .unwrap(),
    )
}

#[test]
fn embedded_without_server_binaries_names_the_install_commands_and_exits_2() {
    let dir = DataDir::new();
    let Some(out) = serve_without_binaries(&dir.0) else {
        return;
    };
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    for hint in [
        "apt install postgresql",
        "dnf install postgresql-server",
        "brew install postgresql@16",
        "DATABASE_URL",
    ] {
        assert!(err.contains(hint), "{hint:?} missing from: {err}");
    }
}

/// Settings as with no `DATABASE_URL` and no `REDIS_URL` set, with the "default" addresses replaced
/// by `database` and `redis` (the real defaults answer on this machine) and `dir` as the data folder.
fn unset_defaults(database: &str, redis: &str, dir: &DataDir) -> Settings {
    let mut vars = std::collections::HashMap::new();
    vars.insert("SHIXIN_DATA_DIR".to_string(), dir.path().to_string());
    let mut s = Settings::from_map(&vars).unwrap();
    assert_eq!(s.database_source, DatabaseSource::Default);
    assert!(s.redis_default);
    s.database_url = Secret::new(database);
    s.redis_url = Some(redis.into());
    s
}

#[tokio::test]
async fn embedded_is_chosen_when_the_default_address_refuses_the_connection_or_the_user() {
    for refusing in [
        "postgres://postgres@127.0.0.1:1/shixin",
        &format!("{}/shixin", base_url()).replace("postgres@", "no_such_role@"),
    ] {
        let dir = DataDir::new();
        let mut settings = unset_defaults(refusing, "redis://127.0.0.1:6379", &dir);
        let local = shixin::local::prepare(&mut settings).await.unwrap();
        assert!(local.embedded(), "{refusing}");
        assert!(settings.database_url.expose().contains("%2Frun/shixin"));
        assert!(!dir.servers().is_empty(), "the cluster runs");
        local.stop().await;
        no_server_left(&dir);
    }
}

#[tokio::test]
async fn a_default_address_that_answers_is_used_and_no_cluster_is_started() {
    let dir = DataDir::new();
    let answering = format!("{}/shixin", base_url());
    let mut settings = unset_defaults(&answering, "redis://127.0.0.1:6379", &dir);
    let local = shixin::local::prepare(&mut settings).await.unwrap();
    assert!(!local.embedded());
    assert_eq!(settings.database_url.expose(), answering);
    assert!(!dir.0.join("postgres").exists(), "no cluster made");
}

#[tokio::test]
async fn a_default_redis_that_does_not_answer_means_the_in_process_cache_an_explicit_one_stays() {
    let dir = DataDir::new();
    let db = format!("{}/shixin", base_url());
    let mut settings = unset_defaults(&db, "redis://127.0.0.1:1", &dir);
    shixin::local::prepare(&mut settings).await.unwrap();
    assert_eq!(settings.redis_url, None, "disabled: /readyz says so");
    // A Redis named in REDIS_URL is kept even when down (reported degraded, retried).
    let mut settings = unset_defaults(&db, "redis://127.0.0.1:1", &dir);
    settings.redis_default = false;
    shixin::local::prepare(&mut settings).await.unwrap();
    assert_eq!(settings.redis_url.as_deref(), Some("redis://127.0.0.1:1"));
}
