//! Every rule of docs/ledger-format.md section 8.2, one test each: a chain that breaks the rule but is
//! otherwise hashed and signed with valid keys fails with that rule's reason at the right position,
//! whether its entries come from the database (`ChainVerifier::verify`) or from an export's lines
//! (`ChainVerifier::verify_exported`).

use event_schema::export::{is_blank, read_line};
use event_schema::testing::{reseal_line, small_order_r_signature, torsion_r_signature, TestChain};
use event_schema::{ChainVerifier, FailureReason, VerifyFailure, VerifySummary};

fn verify_entries(chain: &TestChain) -> Result<VerifySummary, VerifyFailure> {
    let mut verifier = ChainVerifier::new(chain.root().public_key());
    verifier.verify(chain.entries())?;
    verifier.finish()
}

fn verify_export_bytes(chain: &TestChain, export: &[u8]) -> Result<VerifySummary, VerifyFailure> {
    let lines: Vec<_> = export.split(|byte| *byte == b'\n').filter(|line| !is_blank(line)).map(read_line).collect();
    let mut verifier = ChainVerifier::new(chain.root().public_key());
    verifier.verify_exported(&lines)?;
    verifier.finish()
}

fn verify_export(chain: &TestChain, export: &str) -> Result<VerifySummary, VerifyFailure> {
    verify_export_bytes(chain, export.as_bytes())
}

/// The export with its last line changed by `edit` and then re-hashed and re-signed by the node key.
fn export_with_last_line(chain: &TestChain, edit: impl FnOnce(&mut serde_json::Value)) -> String {
    let export = chain.export();
    let mut lines: Vec<String> = export.lines().map(str::to_owned).collect();
    let last = lines.pop().expect("a line");
    let mut value: serde_json::Value = serde_json::from_str(&last).expect("JSON");
    edit(&mut value);
    lines.push(reseal_line(&value.to_string(), chain.node()));
    lines.join("\n") + "\n"
}

/// Asserts that both the entries and their export fail at `position` for `reason`.
fn fails_both_ways(chain: &TestChain, position: u64, reason: impl Fn(&FailureReason) -> bool, words: &str) {
    for (path, result) in [("database", verify_entries(chain)), ("export", verify_export(chain, &chain.export()))] {
        let failure = result.expect_err(path);
        assert_eq!(failure.position, position, "{path}: {failure}");
        assert!(reason(&failure.reason), "{path}: {failure}");
        assert!(failure.to_string().contains(words), "{path}: `{failure}` does not say `{words}`");
    }
}

fn fails_export(chain: &TestChain, export: &str, position: u64, words: &str) {
    let failure = verify_export(chain, export).expect_err("the export must fail");
    assert_eq!(failure.position, position, "{failure}");
    assert!(failure.to_string().contains(words), "`{failure}` does not say `{words}`");
}

fn is_malformed(reason: &FailureReason) -> bool {
    matches!(reason, FailureReason::Malformed { .. })
}

fn is_uncanonical(reason: &FailureReason) -> bool {
    matches!(reason, FailureReason::Uncanonical { .. })
}

#[test]
fn a_valid_chain_verifies_from_entries_and_from_its_export() {
    let mut chain = TestChain::new();
    for stream in ["patient:a", "patient:b", "patient:a", "facility:x", "patient:b", "patient:a"] {
        chain.note(stream);
    }
    let summary = verify_entries(&chain).unwrap();
    assert_eq!(summary.entries, 8);
    assert_eq!(verify_export(&chain, &chain.export()).unwrap(), summary);
}

#[test]
fn a_payload_over_64_kib_is_uncanonical() {
    let mut chain = TestChain::new();
    chain.note("patient:a");
    chain.push(|draft| draft.payload = serde_json::json!({ "text": "x".repeat(65_536) }).to_string());
    fails_both_ways(&chain, 4, is_uncanonical, "the limit is 65536");
    // At the limit exactly, it verifies.
    let mut chain = TestChain::new();
    chain.push(|draft| draft.payload = serde_json::json!({ "text": "x".repeat(65_536 - 11) }).to_string());
    assert_eq!(chain.entries()[2].payload.as_str().len(), 65_536);
    assert!(verify_entries(&chain).is_ok() && verify_export(&chain, &chain.export()).is_ok());
}

#[test]
fn stream_versions_must_follow_each_other_within_a_stream() {
    let skipped = |expected: u64, found: u64| move |reason: &FailureReason| matches!(reason, FailureReason::StreamVersion { expected: e, found: f, .. } if *e == expected && *f == found);
    let mut chain = TestChain::new();
    chain.note("patient:a");
    chain.note("patient:b");
    chain.push(|draft| {
        draft.stream_id = "patient:a".into();
        draft.stream_version = 3;
    });
    fails_both_ways(&chain, 5, skipped(2, 3), "expected version 2 of stream patient:a, found 3");

    let mut chain = TestChain::new();
    chain.note("patient:a");
    chain.push(|draft| {
        draft.stream_id = "patient:a".into();
        draft.stream_version = 1;
    });
    fails_both_ways(&chain, 4, skipped(2, 1), "found 1");

    let mut chain = TestChain::new();
    chain.push(|draft| {
        draft.stream_id = "patient:new".into();
        draft.stream_version = 2;
    });
    fails_both_ways(&chain, 3, skipped(1, 2), "expected version 1 of stream patient:new");
}

#[test]
fn event_ids_are_unique() {
    let mut chain = TestChain::new();
    let first = chain.note("patient:a").event_id;
    chain.note("patient:b");
    chain.push(|draft| draft.event_id = first);
    fails_both_ways(
        &chain,
        5,
        |reason| matches!(reason, FailureReason::DuplicateEventId { event_id } if *event_id == first),
        "duplicate event id",
    );
}

#[test]
fn event_ids_are_uuid_v7() {
    let mut chain = TestChain::new();
    chain.push(|draft| draft.event_id = uuid::Uuid::new_v4());
    fails_both_ways(&chain, 3, is_malformed, "is not a UUIDv7");
}

#[test]
fn stream_ids_and_event_types_keep_to_their_grammar() {
    for stream in ["Patient:a", "patient:a b", "patient:", &format!("patient:{}", "a".repeat(121))] {
        let mut chain = TestChain::new();
        chain.push(|draft| draft.stream_id = stream.into());
        fails_both_ways(&chain, 3, is_malformed, "`stream_id`: invalid stream id");
    }
    for event_type in ["note", "Test.note", "test..note", "test.note-added"] {
        let mut chain = TestChain::new();
        chain.push(|draft| draft.event_type = event_type.into());
        fails_both_ways(&chain, 3, is_malformed, "`event_type`: invalid event type");
    }
}

#[test]
fn schema_versions_start_at_1() {
    let mut chain = TestChain::new();
    chain.push(|draft| draft.schema_version = 0);
    fails_both_ways(&chain, 3, is_malformed, "`schema_version` is 0");
}

#[test]
fn payloads_keep_to_i_json() {
    let cases = [
        (r#"{"text":"a\uffff"}"#.replace("\\uffff", "\u{FFFF}"), "noncharacter U+FFFF"),
        (r#"{"text":"\ufdd0"}"#.into(), "noncharacter U+FDD0"),
        (r#"{"a":{"\u{10FFFE}":1}}"#.replace("\\u{10FFFE}", "\u{10FFFE}"), "noncharacter U+10FFFE"),
        (r#"{"dose":9007199254740993}"#.into(), "beyond ±2^53"),
        (r#"{"dose":-1e16}"#.into(), "beyond ±2^53"),
    ];
    for (payload, words) in cases {
        let mut chain = TestChain::new();
        chain.push(|draft| draft.payload = payload.clone());
        fails_both_ways(&chain, 3, is_uncanonical, words);
    }
}

#[test]
fn payloads_that_are_not_json_objects_of_bounded_depth_are_malformed() {
    let deep = "[".repeat(33) + &"]".repeat(33);
    let cases = [
        (format!(r#"{{"a":{deep}}}"#), "nests deeper than 32"),
        (r#"{"text":"a","text":"b"}"#.into(), "appears twice"),
        ("[1,2]".into(), "must be a JSON object"),
        (r#"{"text":"\ud800"}"#.into(), "not JSON"),
        (r#"{"dose":1e400}"#.into(), "not JSON"),
    ];
    for (payload, words) in cases {
        let mut chain = TestChain::new();
        chain.push(|draft| draft.payload = payload.clone());
        fails_both_ways(&chain, 3, is_malformed, words);
    }
}

#[test]
fn a_payload_in_another_spelling_is_hashed_in_its_canonical_form() {
    // Hashed over the spaced text, which is not what RFC 8785 makes of it: a hash mismatch whether the
    // entry comes from the database or from an export.
    let mut chain = TestChain::new();
    chain.push(|draft| draft.payload = r#"{ "text" : "a note", "n" : 1.0 }"#.into());
    fails_both_ways(&chain, 3, |reason| matches!(reason, FailureReason::HashMismatch { .. }), "hash mismatch");
}

/// A change made to an exported line.
type Edit = fn(&mut serde_json::Value);

#[test]
fn exported_values_have_one_spelling_even_when_re_signed() {
    let mut chain = TestChain::new();
    chain.note("patient:a");
    let cases: [(Edit, &str); 8] = [
        (|v| v["event_id"] = v["event_id"].as_str().unwrap().to_uppercase().into(), "`event_id` is not a UUID"),
        (|v| v["command_id"] = v["command_id"].as_str().unwrap().replace('-', "").into(), "`command_id` is not a UUID"),
        (
            |v| v["actor"]["account_id"] = v["actor"]["account_id"].as_str().unwrap().to_uppercase().into(),
            "`actor.account_id` is not a UUID",
        ),
        (|v| v["causation_id"] = format!("{{{}}}", v["event_id"].as_str().unwrap()).into(), "`causation_id`"),
        (|v| drop(v.as_object_mut().unwrap().remove("causation_id")), "`causation_id` is missing"),
        (|v| drop(v["actor"].as_object_mut().unwrap().remove("facility_id")), "`actor.facility_id` is missing"),
        (|v| v["note"] = "extra".into(), "unknown member `note`"),
        (|v| v["schema_version"] = serde_json::json!(1.0), "`schema_version`"),
    ];
    for (edit, words) in cases {
        let export = export_with_last_line(&chain, edit);
        fails_export(&chain, &export, 3, words);
    }
    // The unchanged line, re-sealed the same way, verifies: the refusals above are the spellings'.
    let export = export_with_last_line(&chain, |_| {});
    assert!(verify_export(&chain, &export).is_ok());
}

#[test]
fn a_line_that_is_not_utf8_or_not_json_is_malformed_at_its_position() {
    let mut chain = TestChain::new();
    chain.note("patient:a");
    chain.note("patient:a");
    let export = chain.export();
    let mut bytes = export.as_bytes().to_vec();
    let third_line = export.match_indices('\n').nth(1).map(|(index, _)| index + 1).unwrap();
    bytes[third_line + 20] = 0xff;
    let failure = verify_export_bytes(&chain, &bytes).unwrap_err();
    assert_eq!(failure.position, 3, "{failure}");
    assert!(failure.to_string().contains("malformed entry: not UTF-8 text"), "{failure}");

    let export = export.replacen("{\"position\":4", "{\"position\":4,,", 1);
    fails_export(&chain, &export, 4, "malformed entry: not JSON");
    fails_export(&chain, "\u{feff}", 1, "malformed entry: not JSON");
    fails_export(&chain, "[]\n", 1, "malformed entry: not a JSON object");
}

#[test]
fn an_empty_export_has_no_genesis() {
    let chain = TestChain::new();
    let failure = verify_export(&chain, "\n \n").unwrap_err();
    assert_eq!((failure.position, failure.reason), (1, FailureReason::MissingGenesis));
}

#[test]
fn a_small_order_r_is_refused() {
    let mut chain = TestChain::new();
    chain.note("patient:a");
    chain.resign_last(small_order_r_signature);
    // The equation [S]B - [k]A = R holds for this signature: a batch check accepts it.
    let last = &chain.entries()[2];
    assert!(
        ed25519_dalek::verify_batch(&[last.hash.as_bytes()], &[last.signature.0], &[chain.node().public_key()]).is_ok()
    );
    fails_both_ways(&chain, 3, |reason| matches!(reason, FailureReason::BadSignature { .. }), "bad signature");
}

#[test]
fn an_r_with_a_torsion_component_is_refused() {
    // Find a signature with R = [r]B + T that a batch check accepts (its random multiplier is even:
    // about one try in two), to show the verifier refuses what a batch would let through.
    let mut chain = TestChain::new();
    chain.note("patient:a");
    let (hash, key) = (chain.entries()[2].hash, chain.node().clone());
    let nonce = (0..64)
        .find(|&nonce| {
            let signature = torsion_r_signature(&key, &hash, nonce);
            ed25519_dalek::verify_batch(&[hash.as_bytes()], &[signature.0], &[key.public_key()]).is_ok()
        })
        .expect("a batch accepts one of these signatures");
    chain.resign_last(|key, hash| torsion_r_signature(key, hash, nonce));
    assert!(key.public_key().verify_strict(hash.as_bytes(), &chain.entries()[2].signature.0).is_err());
    fails_both_ways(&chain, 3, |reason| matches!(reason, FailureReason::BadSignature { .. }), "bad signature");
}

#[test]
fn the_first_failing_step_of_the_lowest_position_is_reported() {
    // Entry 4 breaks its stream's versions and is signed by nobody's key; entry 3 is fine, and its
    // signature is checked after entry 4's versions.
    let mut chain = TestChain::new();
    chain.note("patient:a");
    chain.push(|draft| draft.stream_version = 9);
    chain.resign_last(small_order_r_signature);
    fails_both_ways(&chain, 4, |reason| matches!(reason, FailureReason::StreamVersion { .. }), "stream version");
    // A bad signature before a later failure is the one reported.
    let mut chain = TestChain::new();
    chain.note("patient:a");
    chain.resign_last(small_order_r_signature);
    chain.push(|draft| draft.stream_version = 9);
    fails_both_ways(&chain, 3, |reason| matches!(reason, FailureReason::BadSignature { .. }), "bad signature");
}
