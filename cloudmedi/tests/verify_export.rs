//! `cloudmedi verify --export` as an auditor runs it on an export that a key holder re-signed: every
//! rule of docs/ledger-format.md section 8.2 broken by an otherwise validly hashed and signed chain
//! is a finding (exit status 1) naming the position, the reason and the line.

mod support;

use event_schema::keys::public_key_hex;
use event_schema::testing::{reseal_line, small_order_r_signature, TestChain};
use std::path::{Path, PathBuf};
use support::{cloudmedi, Run};

/// Writes the root public key and the export into a temp dir and verifies it with the binary.
fn verify(chain: &TestChain, export: &[u8]) -> Run {
    let temp = tempfile::tempdir().unwrap();
    let root: PathBuf = temp.path().join("root.pub");
    std::fs::write(&root, public_key_hex(&chain.root().public_key()) + "\n").unwrap();
    let file = temp.path().join("ledger.jsonl");
    std::fs::write(&file, export).unwrap();
    let path = |p: &Path| p.to_str().unwrap().to_owned();
    cloudmedi(&["verify", "--export", &path(&file), "--root-key", &path(&root)], None)
}

fn assert_finding(run: &Run, position: u64, line: usize, words: &str) {
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let expected = format!("ledger verification FAILED at position {position}: {words}");
    assert!(run.stdout.contains(&expected), "expected `{expected}` in:\n{}", run.stdout);
    assert!(run.stdout.contains(&format!("(line {line} of the export)")), "{}", run.stdout);
}

/// A chain of genesis, a node key and a note in `patient:a` (positions 1 to 3), then the entry that
/// `edit` drafts at position 4.
fn chain_with(edit: impl FnOnce(&mut event_schema::testing::Draft)) -> TestChain {
    let mut chain = TestChain::new();
    chain.note("patient:a");
    chain.push(edit);
    chain
}

#[test]
fn every_rule_broken_by_a_re_signed_chain_is_a_finding_at_its_position() {
    let first_event = |chain: &TestChain| chain.entries()[2].event_id;
    let cases: Vec<(TestChain, &str)> = vec![
        (
            chain_with(|d| d.payload = serde_json::json!({ "text": "x".repeat(65_536) }).to_string()),
            "entry cannot be canonicalised: the payload is 65547 bytes once canonical; the limit is 65536",
        ),
        (
            chain_with(|d| {
                d.stream_id = "patient:a".into();
                d.stream_version = 3;
            }),
            "stream version: expected version 2 of stream patient:a, found 3",
        ),
        (chain_with(|d| d.stream_id = "Patient:a".into()), "malformed entry: `stream_id`: invalid stream id"),
        (chain_with(|d| d.event_type = "note".into()), "malformed entry: `event_type`: invalid event type"),
        (chain_with(|d| d.event_id = uuid::Uuid::new_v4()), "malformed entry: `event_id`"),
        (
            chain_with(|d| d.payload = "{\"text\":\"\u{FFFF}\"}".into()),
            "entry cannot be canonicalised: the string at `$.text` holds the Unicode noncharacter U+FFFF",
        ),
        (chain_with(|d| d.payload = r#"{"n":9007199254740993}"#.into()), "entry cannot be canonicalised"),
    ];
    for (chain, words) in &cases {
        let run = verify(chain, chain.export().as_bytes());
        assert_finding(&run, 4, 4, words);
    }

    let mut chain = TestChain::new();
    chain.note("patient:a");
    let first = first_event(&chain);
    chain.push(|d| d.event_id = first);
    assert_finding(&verify(&chain, chain.export().as_bytes()), 4, 4, &format!("duplicate event id {first}"));
}

#[test]
fn a_second_spelling_of_an_entry_is_malformed_even_when_re_signed() {
    let chain = chain_with(|_| {});
    let export = chain.export();
    let mut lines: Vec<String> = export.lines().map(str::to_owned).collect();
    let mut value: serde_json::Value = serde_json::from_str(&lines[3]).unwrap();
    value["event_id"] = value["event_id"].as_str().unwrap().to_uppercase().into();
    lines[3] = reseal_line(&value.to_string(), chain.node());
    let run = verify(&chain, (lines.join("\n") + "\n").as_bytes());
    assert_finding(&run, 4, 4, "malformed entry: `event_id` is not a UUID written in lower case with hyphens");
}

#[test]
fn a_small_order_r_is_a_bad_signature() {
    let mut chain = chain_with(|_| {});
    chain.resign_last(small_order_r_signature);
    let run = verify(&chain, chain.export().as_bytes());
    assert_finding(&run, 4, 4, &format!("bad signature for key {}", chain.node().id()));
}

#[test]
fn invalid_utf8_is_a_finding_at_its_line_not_a_failure_to_run() {
    let chain = chain_with(|_| {});
    let export = chain.export();
    let mut bytes = export.into_bytes();
    // A blank line before the third entry: lines and positions differ from there on.
    let third = bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').nth(1).map(|(i, _)| i + 1).unwrap();
    bytes.insert(third, b'\n');
    bytes[third + 30] = 0xc3;
    bytes[third + 31] = 0x28;
    let run = verify(&chain, &bytes);
    assert_finding(&run, 3, 4, "malformed entry: not UTF-8 text");
}

#[test]
fn crlf_line_endings_and_a_missing_final_line_feed_are_accepted() {
    let chain = chain_with(|_| {});
    let export = chain.export().trim_end().replace('\n', "\r\n");
    let run = verify(&chain, export.as_bytes());
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("ledger verified: 4 entries"), "{}", run.stdout);
    let run = verify(&chain, (export + "\r\n\r\n").as_bytes());
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}
