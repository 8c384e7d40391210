//! Rebuild when a migration is added: `embed_migrations!` (src/db/mod.rs) reads the files of existing
//! migrations through `include_str!`, but cargo does not notice a new migration directory by itself.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
