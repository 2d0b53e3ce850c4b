//! The catalogue of event types: which types exist, which schema version is current for each, how a
//! payload of that version is checked, and how older versions are upcast when read.
//!
//! Stored entries are never rewritten, so a change to an event's shape is a new schema version plus an
//! upcaster from the previous one; readers always see the current shape.

use crate::envelope::Entry;
use crate::names::validate_event_type;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// A typed event payload of one event type at its current schema version.
pub trait EventPayload: Serialize + DeserializeOwned + schemars::JsonSchema + 'static {
    const EVENT_TYPE: &'static str;
    const SCHEMA_VERSION: u32;
}

/// Turns a payload of version `n` into a payload of version `n + 1`.
pub type Upcaster = fn(Value) -> Result<Value, String>;
type Validator = fn(&Value) -> Result<(), String>;

type SchemaOf = fn() -> Value;

#[derive(Clone)]
struct TypeSpec {
    current: u32,
    validate: Validator,
    /// The JSON schema of the current version's payload.
    schema: SchemaOf,
    /// Upcasters keyed by the version they upcast from.
    upcasters: BTreeMap<u32, Upcaster>,
}

/// Why an event cannot be accepted or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    #[error("unknown event type `{0}`")]
    UnknownType(String),
    #[error("event type `{event_type}` has no schema version {version} (current is {current})")]
    UnknownVersion { event_type: String, version: u32, current: u32 },
    #[error("event type `{event_type}` is written at schema version {current}, not {version}")]
    OutdatedVersion { event_type: String, version: u32, current: u32 },
    #[error("the payload of `{event_type}` v{version} is invalid: {reason}")]
    InvalidPayload { event_type: String, version: u32, reason: String },
    #[error("cannot upcast `{event_type}` from v{from}: {reason}")]
    Upcast { event_type: String, from: u32, reason: String },
}

/// The set of event types a ledger accepts.
#[derive(Clone, Default)]
pub struct Catalog {
    types: HashMap<&'static str, TypeSpec>,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<_> = self.types.keys().collect();
        names.sort();
        f.debug_struct("Catalog").field("types", &names).finish()
    }
}

fn schema_of<T: EventPayload>() -> Value {
    schemars::schema_for!(T).to_value()
}

fn validate_as<T: EventPayload>(payload: &Value) -> Result<(), String> {
    T::deserialize(payload).map(|_| ()).map_err(|error| error.to_string())
}

impl Catalog {
    /// An empty catalogue.
    pub fn new() -> Self {
        Self::default()
    }

    /// The ledger's own event types (genesis and the key registry).
    pub fn ledger() -> Self {
        crate::ledger_events::register(Self::new())
    }

    /// Adds an event type at its current version.
    ///
    /// # Panics
    /// If the event type's name breaks the naming rules or is registered twice: both are programming
    /// errors in a static list, caught by the first test that builds the catalogue.
    pub fn register<T: EventPayload>(mut self) -> Self {
        assert!(validate_event_type(T::EVENT_TYPE).is_ok(), "bad event type name {}", T::EVENT_TYPE);
        assert!(T::SCHEMA_VERSION >= 1, "schema versions start at 1");
        let spec = TypeSpec {
            current: T::SCHEMA_VERSION,
            validate: validate_as::<T>,
            schema: schema_of::<T>,
            upcasters: BTreeMap::new(),
        };
        let previous = self.types.insert(T::EVENT_TYPE, spec);
        assert!(previous.is_none(), "event type {} registered twice", T::EVENT_TYPE);
        self
    }

    /// Declares that `event_type` once had schema version `from`, and how to turn such a payload into
    /// version `from + 1`. Register the current version first.
    ///
    /// # Panics
    /// If the type is unknown or `from` is not older than the current version (a programming error).
    pub fn upcast_from(mut self, event_type: &str, from: u32, upcaster: Upcaster) -> Self {
        let spec =
            self.types.get_mut(event_type).unwrap_or_else(|| panic!("register {event_type} before its upcasters"));
        assert!(from >= 1 && from < spec.current, "upcasters go from an older version to a newer one");
        spec.upcasters.insert(from, upcaster);
        self
    }

    /// Adds every type of another catalogue.
    pub fn merge(mut self, other: Catalog) -> Self {
        for (name, spec) in other.types {
            let previous = self.types.insert(name, spec);
            assert!(previous.is_none(), "event type {name} registered twice");
        }
        self
    }

    /// Every event type with its current version and the JSON schema of that version's payload, sorted
    /// by type: the basis of the committed schema snapshots.
    pub fn schemas(&self) -> Vec<(&'static str, u32, Value)> {
        let mut all: Vec<_> = self.types.iter().map(|(name, spec)| (*name, spec.current, (spec.schema)())).collect();
        all.sort_by_key(|(name, _, _)| *name);
        all
    }

    /// The current schema version of an event type, if it is known.
    pub fn current_version(&self, event_type: &str) -> Option<u32> {
        self.types.get(event_type).map(|spec| spec.current)
    }

    /// Checks an event about to be appended: known type, current version, valid payload.
    pub fn check_new(&self, event_type: &str, version: u32, payload: &Value) -> Result<(), CatalogError> {
        let spec = self.types.get(event_type).ok_or_else(|| CatalogError::UnknownType(shorten(event_type)))?;
        if version != spec.current {
            let event_type = event_type.to_owned();
            return Err(if version < spec.current && spec.upcasters.contains_key(&version) {
                CatalogError::OutdatedVersion { event_type, version, current: spec.current }
            } else {
                CatalogError::UnknownVersion { event_type, version, current: spec.current }
            });
        }
        (spec.validate)(payload).map_err(|reason| CatalogError::InvalidPayload {
            event_type: event_type.to_owned(),
            version,
            reason,
        })
    }

    /// Brings a stored payload up to the current version of its type.
    pub fn upcast(&self, event_type: &str, version: u32, mut payload: Value) -> Result<Value, CatalogError> {
        let spec = self.types.get(event_type).ok_or_else(|| CatalogError::UnknownType(shorten(event_type)))?;
        if version > spec.current || version == 0 {
            return Err(CatalogError::UnknownVersion {
                event_type: event_type.to_owned(),
                version,
                current: spec.current,
            });
        }
        for from in version..spec.current {
            let upcaster = spec.upcasters.get(&from).ok_or_else(|| CatalogError::UnknownVersion {
                event_type: event_type.to_owned(),
                version: from,
                current: spec.current,
            })?;
            payload = upcaster(payload).map_err(|reason| CatalogError::Upcast {
                event_type: event_type.to_owned(),
                from,
                reason,
            })?;
        }
        Ok(payload)
    }

    /// Reads an entry's payload as the current version of `T`, upcasting if it was stored older.
    pub fn decode<T: EventPayload>(&self, entry: &Entry) -> Result<T, CatalogError> {
        if entry.event_type != T::EVENT_TYPE {
            return Err(CatalogError::InvalidPayload {
                event_type: entry.event_type.clone(),
                version: entry.schema_version,
                reason: format!("expected an event of type {}", T::EVENT_TYPE),
            });
        }
        let stored = entry.payload.to_value().map_err(|error| CatalogError::InvalidPayload {
            event_type: entry.event_type.clone(),
            version: entry.schema_version,
            reason: error.to_string(),
        })?;
        let payload = self.upcast(&entry.event_type, entry.schema_version, stored)?;
        serde_json::from_value(payload).map_err(|error| CatalogError::InvalidPayload {
            event_type: entry.event_type.clone(),
            version: T::SCHEMA_VERSION,
            reason: error.to_string(),
        })
    }
}

fn shorten(text: &str) -> String {
    text.chars().take(64).map(|c| if c.is_control() { '?' } else { c }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    /// Version 2 of a test event split `name` into `given_name` and `family_name`.
    #[derive(Debug, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
    #[serde(deny_unknown_fields)]
    struct PersonNamed {
        given_name: String,
        family_name: String,
    }

    impl EventPayload for PersonNamed {
        const EVENT_TYPE: &'static str = "test.person_named";
        const SCHEMA_VERSION: u32 = 2;
    }

    fn split_name(mut payload: Value) -> Result<Value, String> {
        let name = payload.get("name").and_then(Value::as_str).ok_or("v1 has a `name`")?.to_owned();
        let (given, family) = name.split_once(' ').ok_or("a v1 name has two parts")?;
        payload = json!({ "given_name": given, "family_name": family });
        Ok(payload)
    }

    fn catalog() -> Catalog {
        Catalog::new().register::<PersonNamed>().upcast_from("test.person_named", 1, split_name)
    }

    #[test]
    fn old_versions_are_upcast_when_read() {
        let upcast = catalog().upcast("test.person_named", 1, json!({"name": "Aïssatou Bello"})).unwrap();
        assert_eq!(upcast, json!({"given_name": "Aïssatou", "family_name": "Bello"}));
    }

    #[test]
    fn new_events_must_use_the_current_version_and_a_valid_payload() {
        let catalog = catalog();
        let good = json!({"given_name": "A", "family_name": "B"});
        assert!(catalog.check_new("test.person_named", 2, &good).is_ok());
        assert!(matches!(catalog.check_new("test.person_named", 1, &good), Err(CatalogError::OutdatedVersion { .. })));
        assert!(matches!(catalog.check_new("test.person_named", 3, &good), Err(CatalogError::UnknownVersion { .. })));
        assert!(matches!(catalog.check_new("test.nothing", 1, &good), Err(CatalogError::UnknownType(_))));
        let bad = json!({"given_name": "A"});
        assert!(matches!(catalog.check_new("test.person_named", 2, &bad), Err(CatalogError::InvalidPayload { .. })));
    }
}
