//! Checks the worked example of docs/ledger-format.md against this crate's own code: the entry is rebuilt
//! from the document's `entry-without-hash` block and `seed`, and every value the document states
//! (canonical bytes, hash, signature, public key, key id, exported line) must be exactly what the code
//! produces. A second test changes each character of those values in turn and checks that every change
//! is caught.

use event_schema::canonical::canonical_bytes;
use event_schema::keys::{parse_public_key, public_key_hex};
use event_schema::{
    Actor, CanonicalPayload, ChainVerifier, Digest, Entry, EntryBody, KeyId, KeyPair, Payload, SignatureBytes,
    Timestamp,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest as _, Sha256};
use std::collections::HashMap;
use uuid::Uuid;

const DOC_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/ledger-format.md");

/// The info strings of the blocks the worked example consists of.
const BLOCKS: [&str; 8] = [
    "text seed",
    "text public-key",
    "text key-id",
    "json entry-without-hash",
    "text canonical-bytes",
    "text hash",
    "text signature",
    "json exported-line",
];

/// Where the document states the size of the canonical bytes.
const SIZE_SUFFIX: &str = " bytes of UTF-8 with no trailing line feed";

/// The hashed fields of an entry, owned, as the document's `entry-without-hash` block states them.
#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct OwnedBody {
    position: u64,
    event_id: Uuid,
    stream_id: String,
    stream_version: u64,
    event_type: String,
    schema_version: u32,
    occurred_at: Timestamp,
    recorded_at: Timestamp,
    actor: Actor,
    command_id: Uuid,
    correlation_id: Uuid,
    causation_id: Option<Uuid>,
    payload: Value,
    prev_hash: Digest,
    key_id: KeyId,
}

impl OwnedBody {
    /// The payload as the ledger stores it: its RFC 8785 text.
    fn canonical_payload(&self) -> Result<Payload, String> {
        CanonicalPayload::from_value(self.payload.clone())
            .and_then(|payload| payload.to_payload())
            .map_err(|e| format!("payload: {e}"))
    }

    fn body<'a>(&'a self, payload: &'a Payload) -> EntryBody<'a> {
        EntryBody {
            position: self.position,
            event_id: &self.event_id,
            stream_id: &self.stream_id,
            stream_version: self.stream_version,
            event_type: &self.event_type,
            schema_version: self.schema_version,
            occurred_at: &self.occurred_at,
            recorded_at: &self.recorded_at,
            actor: &self.actor,
            command_id: &self.command_id,
            correlation_id: &self.correlation_id,
            causation_id: &self.causation_id,
            payload: payload.as_raw(),
            prev_hash: self.prev_hash,
            key_id: &self.key_id,
        }
    }
}

/// A fenced block: its content (between the fences, without the final line break) and where that
/// content lies in the document.
struct Block {
    content: String,
    start: usize,
    end: usize,
}

/// Every fenced block with an info string, by info string.
fn fenced_blocks(doc: &str) -> Result<HashMap<String, Vec<Block>>, String> {
    let mut blocks: HashMap<String, Vec<Block>> = HashMap::new();
    let mut open: Option<(String, usize)> = None;
    let mut offset = 0;
    for line in doc.split_inclusive('\n') {
        let text = line.trim_end_matches('\n');
        let line_start = offset;
        offset += line.len();
        match &open {
            None => {
                if let Some(info) = text.strip_prefix("```") {
                    open = Some((info.trim().to_owned(), offset));
                }
            }
            Some((info, start)) => {
                if text == "```" {
                    // The content excludes the line break just before the closing fence.
                    let end = line_start.saturating_sub(1).max(*start);
                    blocks.entry(info.clone()).or_default().push(Block {
                        content: doc[*start..end].to_owned(),
                        start: *start,
                        end,
                    });
                    open = None;
                }
            }
        }
    }
    if let Some((info, _)) = open {
        return Err(format!("the block `{info}` is not closed"));
    }
    Ok(blocks)
}

/// The one block with this info string.
fn block<'a>(blocks: &'a HashMap<String, Vec<Block>>, info: &str) -> Result<&'a Block, String> {
    match blocks.get(info).map(Vec::as_slice) {
        Some([block]) => Ok(block),
        Some(many) => Err(format!("{} blocks `{info}`, expected one", many.len())),
        None => Err(format!("no block `{info}`")),
    }
}

macro_rules! ensure {
    ($condition:expr, $($message:tt)+) => {
        if !$condition {
            return Err(format!($($message)+));
        }
    };
}

fn same(what: &str, documented: &str, computed: &str) -> Result<(), String> {
    ensure!(documented == computed, "{what}: the document says\n{documented}\nthe code computes\n{computed}");
    Ok(())
}

/// Checks every value of the worked example; an error names the first that is wrong.
fn check(doc: &str) -> Result<(), String> {
    let blocks = fenced_blocks(doc)?;
    let text = |info: &str| block(&blocks, info).map(|b| b.content.as_str());

    // The key: seed, public key, key id.
    let seed_text = text("text seed")?;
    let seed: [u8; 32] = hex::decode(seed_text)
        .map_err(|e| format!("seed: {e}"))?
        .try_into()
        .map_err(|_| "seed: not 32 bytes".to_owned())?;
    same("seed", seed_text, &hex::encode(seed))?;
    let key = KeyPair::new(ed25519_dalek::SigningKey::from_bytes(&seed)).map_err(|e| format!("seed: {e}"))?;
    same("public key", text("text public-key")?, &public_key_hex(&key.public_key()))?;
    let public = parse_public_key(text("text public-key")?).map_err(|e| format!("public key: {e}"))?;
    ensure!(public == key.public_key(), "public key: does not parse back");
    same("key id", text("text key-id")?, key.id().as_str())?;
    ensure!(KeyId::of(&public) == *key.id(), "key id: not derived from the public key");

    // The entry before sealing, exactly as the code prints it.
    let body_text = text("json entry-without-hash")?;
    let body_value: Value = serde_json::from_str(body_text).map_err(|e| format!("entry-without-hash: {e}"))?;
    let owned: OwnedBody = serde_json::from_str(body_text).map_err(|e| format!("entry-without-hash: {e}"))?;
    let payload = owned.canonical_payload()?;
    let body = owned.body(&payload);
    let pretty = serde_json::to_string_pretty(&owned);
    same("entry-without-hash", body_text, &pretty.map_err(|e| e.to_string())?)?;

    // Canonical bytes: from the crate's entry body, and from the document's JSON as a plain value.
    let canonical = body.canonical_bytes().map_err(|e| e.to_string())?;
    let canonical_text = String::from_utf8(canonical.clone()).map_err(|e| e.to_string())?;
    same("canonical bytes", text("text canonical-bytes")?, &canonical_text)?;
    let from_value = canonical_bytes(&body_value).map_err(|e| e.to_string())?;
    ensure!(
        from_value == canonical,
        "canonical bytes: RFC 8785 over the documented JSON differs from the entry body's"
    );
    let size = format!("{}{SIZE_SUFFIX}", canonical.len());
    ensure!(doc.contains(&format!(" {size}")), "canonical bytes: the document does not state their size as `{size}`");

    // Hash: SHA-256 of the canonical bytes, computed both by the crate and directly.
    let hash = body.hash().map_err(|e| e.to_string())?;
    same("hash", text("text hash")?, &hash.to_string())?;
    same("hash", text("text hash")?, &hex::encode(Sha256::digest(text("text canonical-bytes")?.as_bytes())))?;

    // Signature: the crate's seal, and a strict check over the 32 raw bytes of the documented hash.
    let sealed = body.seal(&key).map_err(|e| e.to_string())?;
    same("signature", text("text signature")?, &String::from(sealed.signature))?;
    let signature = SignatureBytes::parse(text("text signature")?).map_err(|e| format!("signature: {e}"))?;
    let hash_bytes = hex::decode(text("text hash")?).map_err(|e| format!("hash: {e}"))?;
    ensure!(
        public.verify_strict(&hash_bytes, &signature.0).is_ok(),
        "signature: does not verify over the raw bytes of the hash"
    );

    // The exported line: parses as the sealed entry and is exactly its serialisation.
    let line = text("json exported-line")?;
    ensure!(!line.contains('\n'), "exported line: more than one line");
    let exported: Entry = serde_json::from_str(line).map_err(|e| format!("exported line: {e}"))?;
    ensure!(exported == sealed, "exported line: differs from the sealed entry");
    same("exported line", line, &serde_json::to_string(&sealed).map_err(|e| e.to_string())?)?;
    let mut line_value: Value = serde_json::from_str(line).map_err(|e| format!("exported line: {e}"))?;
    let members = line_value.as_object_mut().ok_or("exported line: not an object")?;
    ensure!(
        members.remove("hash").is_some() && members.remove("signature").is_some(),
        "exported line: no hash or signature"
    );
    ensure!(line_value == body_value, "exported line: without hash and signature, it is not the entry-without-hash");

    // A genesis entry at position 1 signed by the root key it names is a whole ledger that verifies.
    let mut verifier = ChainVerifier::new(public);
    verifier.verify(std::slice::from_ref(&exported)).map_err(|e| format!("verification: {e}"))?;
    let summary = verifier.finish().map_err(|e| format!("verification: {e}"))?;
    ensure!(
        summary.entries == 1 && summary.head_position == 1 && summary.node_keys == 0,
        "verification: unexpected summary {summary:?}"
    );
    ensure!(summary.head_hash == hash, "verification: the head hash is not the documented hash");
    Ok(())
}

fn read_doc() -> String {
    std::fs::read_to_string(DOC_PATH).unwrap_or_else(|e| panic!("cannot read {DOC_PATH}: {e}"))
}

#[test]
fn the_worked_example_is_what_the_code_computes() {
    if let Err(error) = check(&read_doc()) {
        panic!("docs/ledger-format.md, worked example: {error}");
    }
}

#[test]
fn every_one_character_change_to_the_example_is_caught() {
    let doc = read_doc();
    check(&doc).expect("the unchanged document passes");
    let blocks = fenced_blocks(&doc).unwrap();
    let mut ranges: Vec<(&str, usize, usize)> = BLOCKS
        .iter()
        .map(|info| {
            let block = block(&blocks, info).unwrap();
            (*info, block.start, block.end)
        })
        .collect();
    // The stated size of the canonical bytes is a value too.
    let size_end = doc.find(SIZE_SUFFIX).expect("the size of the canonical bytes is stated");
    let size_start = doc[..size_end].rfind(' ').unwrap() + 1;
    ranges.push(("canonical bytes size", size_start, size_end));

    let mut checked = 0;
    for (info, start, end) in ranges {
        for (index, original) in doc[start..end].char_indices() {
            let at = start + index;
            let replacement = if original == '0' { '1' } else { '0' };
            let mut changed = String::with_capacity(doc.len());
            changed.push_str(&doc[..at]);
            changed.push(replacement);
            changed.push_str(&doc[at + original.len_utf8()..]);
            assert!(
                check(&changed).is_err(),
                "changing {original:?} to {replacement:?} at byte {} of block `{info}` went unnoticed",
                index
            );
            checked += 1;
        }
    }
    assert!(checked > 2_000, "only {checked} characters were changed");
}
