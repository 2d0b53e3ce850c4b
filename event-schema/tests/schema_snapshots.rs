//! The JSON schema of every event type's current version is committed under `event-schema/schemas/`.
//! Stored events are never rewritten, so a payload's shape may only change by a new schema version
//! (with an upcaster from the old one): this test fails when a shape drifts from its snapshot without
//! the snapshot being regenerated on purpose.
//!
//! To regenerate after a deliberate change:
//! `CLOUDMEDI_UPDATE_SNAPSHOTS=1 cargo test -p event-schema --test schema_snapshots`, then review the diff.

use event_schema::{events, Catalog};
use std::path::PathBuf;

fn snapshot_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schemas")
}

#[test]
fn every_event_schema_matches_its_committed_snapshot() {
    let update = std::env::var("CLOUDMEDI_UPDATE_SNAPSHOTS").is_ok_and(|value| value == "1");
    let catalog = Catalog::ledger().merge(events::catalog());
    let mut drifted = Vec::new();
    for (event_type, version, schema) in catalog.schemas() {
        let path = snapshot_dir().join(format!("{event_type}.v{version}.json"));
        let text = serde_json::to_string_pretty(&schema).expect("a schema serialises") + "\n";
        if update {
            std::fs::write(&path, &text).expect("write snapshot");
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(committed) if committed == text => {}
            Ok(_) => drifted.push(format!("{} changed", path.display())),
            Err(_) => drifted.push(format!("{} is missing", path.display())),
        }
    }
    assert!(
        drifted.is_empty(),
        "event schemas differ from their snapshots:\n  {}\nA stored event's shape changes only with a new schema \
         version and an upcaster. If this change is deliberate, run\n  CLOUDMEDI_UPDATE_SNAPSHOTS=1 cargo test -p \
         event-schema --test schema_snapshots\nand commit the reviewed snapshots.",
        drifted.join("\n  ")
    );
}

#[test]
fn every_snapshot_belongs_to_a_known_event_type() {
    let catalog = Catalog::ledger().merge(events::catalog());
    for entry in std::fs::read_dir(snapshot_dir()).expect("the snapshot directory exists") {
        let name = entry.expect("a directory entry").file_name().to_string_lossy().into_owned();
        let Some((event_type, version)) = name.strip_suffix(".json").and_then(|stem| stem.rsplit_once(".v")) else {
            panic!("unexpected file {name} among the schema snapshots");
        };
        let version: u32 = version.parse().unwrap_or_else(|_| panic!("bad version in {name}"));
        let current = catalog.current_version(event_type).unwrap_or_else(|| panic!("{name}: unknown event type"));
        assert!(version <= current, "{name}: a version newer than the catalogue's");
    }
}
