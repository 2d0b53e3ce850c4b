//! The GraphQL schema is committed as `query-api/schema.graphql`, so that a change to what clients can
//! ask shows up in review as a change to that file: this test fails when the schema the resolvers
//! produce drifts from the snapshot without it being regenerated on purpose.
//!
//! To regenerate after a deliberate change:
//! `CLOUDMEDI_UPDATE_SNAPSHOTS=1 cargo test -p query-api --test sdl_snapshot`, then review the diff.

use std::path::PathBuf;

#[test]
fn the_graphql_schema_matches_its_committed_snapshot() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schema.graphql");
    let sdl = query_api::sdl();
    if std::env::var("CLOUDMEDI_UPDATE_SNAPSHOTS").is_ok_and(|value| value == "1") {
        std::fs::write(&path, &sdl).expect("write the snapshot");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == sdl,
        "the GraphQL schema differs from {}. If the change is deliberate, run\n  \
         CLOUDMEDI_UPDATE_SNAPSHOTS=1 cargo test -p query-api --test sdl_snapshot\nand commit the reviewed snapshot.",
        path.display()
    );
}
