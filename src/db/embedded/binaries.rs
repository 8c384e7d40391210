//! Finding PostgreSQL's server binaries (`initdb`, `pg_ctl`, `postgres`) installed on the machine:
//! on `PATH`, in `pg_config --bindir`, then in the folders the usual packages install them to
//! (Debian and Ubuntu keep them off `PATH`, under `/usr/lib/postgresql/<version>/bin`).

use std::path::{Path, PathBuf};

/// The message of a start without server binaries (the process exits 2 with it).
pub const INSTALL_HINT: &str = "\
shixin runs a PostgreSQL of its own when no DATABASE_URL names one (or with DATABASE_URL=embedded),
but no PostgreSQL server binaries (initdb, pg_ctl, postgres) were found on this machine.
Install PostgreSQL's server, then run the same command again:
  Debian or Ubuntu:  sudo apt install postgresql
  Fedora:            sudo dnf install postgresql-server
  macOS (Homebrew):  brew install postgresql@16
or point shixin at a running server: DATABASE_URL=postgres://user:password@host:5432/shixin";

/// The tools the embedded cluster runs.
const TOOLS: [&str; 3] = ["initdb", "pg_ctl", "postgres"];

fn has_tools(dir: &Path) -> bool {
    TOOLS.iter().all(|t| dir.join(t).is_file())
}

/// The major version in a folder name such as `/usr/lib/postgresql/16/bin` or
/// `/opt/homebrew/opt/postgresql@16/bin` (0 when there is none), to prefer the newest.
fn version_of(dir: &Path) -> u32 {
    dir.components()
        .filter_map(|c| {
            let s = c.as_os_str().to_string_lossy();
            let digits: String = s
                .rsplit(['@', '-'])
                .next()
                .unwrap_or("")
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse::<u32>().ok()
        })
        .max()
        .unwrap_or(0)
}

/// Subfolders `bin` of every entry of `parent` whose name starts with `prefix`, newest first.
fn versioned(parent: &str, prefix: &str, bin: &str) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(parent)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
        .map(|e| e.path().join(bin))
        .collect();
    found.sort_by_key(|p| std::cmp::Reverse(version_of(p)));
    found
}

fn pg_config_bindir(path_var: Option<&str>) -> Option<PathBuf> {
    let pg_config = path_var?
        .split(':')
        .map(|d| Path::new(d).join("pg_config"))
        .find(|p| p.is_file())?;
    let out = std::process::Command::new(pg_config)
        .arg("--bindir")
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

/// The candidate folders, in the order they are tried.
fn candidates(path_var: Option<&str>) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = path_var
        .unwrap_or("")
        .split(':')
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .collect();
    dirs.extend(pg_config_bindir(path_var));
    dirs.extend(versioned("/usr/lib/postgresql", "", "bin"));
    dirs.extend(versioned("/usr", "pgsql-", "bin"));
    dirs.extend(versioned("/opt/homebrew/opt", "postgresql", "bin"));
    dirs.extend(versioned("/usr/local/opt", "postgresql", "bin"));
    dirs.extend(versioned(
        "/Applications/Postgres.app/Contents/Versions",
        "",
        "bin",
    ));
    dirs.push(PathBuf::from("/usr/local/pgsql/bin"));
    dirs
}

/// The first folder holding all three server binaries, or `None`.
pub fn find() -> Option<PathBuf> {
    let path_var = std::env::var("PATH").ok();
    candidates(path_var.as_deref())
        .into_iter()
        .find(|d| has_tools(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_versioned_folder_comes_first() {
        assert_eq!(version_of(Path::new("/usr/lib/postgresql/16/bin")), 16);
        assert_eq!(
            version_of(Path::new("/opt/homebrew/opt/postgresql@17/bin")),
            17
        );
        assert_eq!(version_of(Path::new("/usr/pgsql-15/bin")), 15);
        assert_eq!(version_of(Path::new("/usr/bin")), 0);
    }

    #[test]
    fn path_folders_are_tried_first_and_empty_entries_skipped() {
        let c = candidates(Some("/nowhere/a::/nowhere/b"));
        assert_eq!(c[0], PathBuf::from("/nowhere/a"));
        assert_eq!(c[1], PathBuf::from("/nowhere/b"));
        assert!(!has_tools(&c[0]));
    }
}
