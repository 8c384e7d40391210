//! The real `shixin serve` as a child process, in a guard: started on loopback port 0 without Redis
//! (callers add their own environment), its port read from its "shixin is serving" log line, its
//! last lines kept for a failure message, and stopped (SIGTERM, then SIGKILL after 10 s) when the
//! guard goes, also when the test fails.

use std::{
    collections::VecDeque,
    io::{BufRead, BufReader},
    process::{Child, Command, ExitStatus, Stdio},
    sync::{Arc, Mutex, mpsc},
    time::{Duration, Instant},
};

use serde_json::Value;

use crate::helpers::{TEST_DATA_DIR, TEST_SECRET};

pub struct Serve {
    child: Child,
    /// Its port once it says it serves, or why it never will.
    port_rx: mpsc::Receiver<Result<u16, String>>,
    port: Option<u16>,
    /// Its last lines (stdout and stderr), for the failure message.
    log: Arc<Mutex<VecDeque<String>>>,
    /// Every line it wrote to stdout, in order (`serve --demo` prints its box there).
    stdout: Arc<Mutex<Vec<String>>>,
    stderr: Option<std::thread::JoinHandle<()>>,
}

/// Reads `stream` line by line on a thread of its own: each line goes to `on_line`, then into
/// `log` (the last 20 are kept). The thread ends with the stream.
fn follow(
    stream: impl std::io::Read + Send + 'static,
    log: Arc<Mutex<VecDeque<String>>>,
    mut on_line: impl FnMut(&str) + Send + 'static,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            on_line(&line);
            let mut log = log.lock().unwrap();
            log.push_back(line);
            if log.len() > 20 {
                log.pop_front();
            }
        }
    })
}

impl Serve {
    /// Starts `shixin serve` on the database at `db_url`, with `env` on top of the defaults.
    pub fn start(db_url: &str, env: &[(&str, &str)]) -> Serve {
        Serve::start_with(db_url, &["serve"], env)
    }

    /// Starts `shixin` with `args` (`serve` and its options) as [`Serve::start`] does.
    pub fn start_with(db_url: &str, args: &[&str], env: &[(&str, &str)]) -> Serve {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_shixin"));
        cmd.args(args)
            .env("DATABASE_URL", db_url)
            .env("SHIXIN_BIND", "127.0.0.1:0")
            .env("SHIXIN_JWT_SECRET", TEST_SECRET)
            .env("SHIXIN_DATA_DIR", TEST_DATA_DIR)
            .env("REDIS_URL", "none")
            .env("SHIXIN_LOG_FORMAT", "json")
            .env("RUST_LOG", "info");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start shixin");
        let (tx, port_rx) = mpsc::channel();
        let log: Arc<Mutex<VecDeque<String>>> = Arc::default();
        let stdout = child.stdout.take().expect("stdout");
        let all: Arc<Mutex<Vec<String>>> = Arc::default();
        let kept = all.clone();
        follow(stdout, log.clone(), move |line| {
            kept.lock().unwrap().push(line.to_string());
            if line.contains("shixin is serving")
                && let Some(port) = serde_json::from_str::<Value>(line)
                    .ok()
                    .and_then(|v| v["port"].as_u64())
            {
                let _ = tx.send(u16::try_from(port).map_err(|e| e.to_string()));
            }
        });
        // The error a failed start ends with is written to stderr.
        let stderr = follow(child.stderr.take().expect("stderr"), log.clone(), |_| {});
        Serve {
            child,
            port_rx,
            port: None,
            log,
            stdout: all,
            stderr: Some(stderr),
        }
    }

    /// The port it serves on, once it says so (60 s at most; else the test fails with its last lines).
    pub fn port(&mut self) -> u16 {
        if let Some(port) = self.port {
            return port;
        }
        let port = self.port_rx.recv_timeout(Duration::from_secs(60));
        if let Ok(Ok(port)) = port {
            self.port = Some(port);
            return port;
        }
        let status = self.stop();
        if let Some(stderr) = self.stderr.take() {
            let _ = stderr.join();
        }
        panic!(
            "the service did not serve ({port:?}, {status:?}); its last lines:\n{}",
            Vec::from(self.log.lock().unwrap().clone()).join("\n")
        )
    }

    /// Every line written to stdout so far.
    pub fn stdout(&self) -> Vec<String> {
        self.stdout.lock().unwrap().clone()
    }

    /// SIGTERM, then waits up to 10 s; `None` when it had to be killed (SIGKILL) after that.
    pub fn stop(&mut self) -> Option<ExitStatus> {
        if let Ok(Some(status)) = self.child.try_wait() {
            return Some(status);
        }
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let asked = Instant::now();
        while asked.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.kill_9();
        None
    }

    /// `kill -9`: the process dies at once, as in a crash.
    pub fn kill_9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        self.stop();
    }
}
