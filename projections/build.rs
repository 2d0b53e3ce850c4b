//! The migrations are embedded in the crate at compile time (`sqlx::migrate!`), and Cargo does not
//! know that: without this, adding a migration file would leave a build that silently lacks it.
// Cargo reads a build script's instructions from its standard output.
#[allow(clippy::disallowed_macros)]
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
