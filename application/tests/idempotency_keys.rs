//! The idempotency keys on a real database, on both backends: a key is bound to the first request it
//! came with, a retry holds it too, another request under it is refused; a refused command releases
//! the binding it made, and a retry that ran binds the key again.

mod support;

use application::idempotency::{Claim, Claimed, IdempotencyKeys, KeyHash, Settlement};
use support::world;
use uuid::Uuid;

async fn claim(keys: &IdempotencyKeys, account: Uuid, key: &str, fingerprint: &str) -> Option<Claim> {
    match keys.claim(account, KeyHash::of(key), fingerprint).await.expect("claim") {
        Claimed::Held(claim) => Some(claim),
        Claimed::UsedForAnother => None,
    }
}

async fn a_key_belongs_to_its_first_request(postgres: bool) {
    let world = world(postgres).await;
    let keys = world.application.idempotency_keys();
    let (account, other_account) = (Uuid::now_v7(), Uuid::now_v7());

    let first = claim(keys, account, "key-1", "aaaa").await.expect("a new key is bound");
    let retry = claim(keys, account, "key-1", "aaaa").await.expect("the same request holds it too");
    assert!(claim(keys, account, "key-1", "bbbb").await.is_none(), "another request is refused");
    assert!(claim(keys, other_account, "key-1", "bbbb").await.is_some(), "keys are each account's own");

    // The first attempt ran; the retry ran too and binds nothing new.
    keys.settle(first, Settlement::Done).await.expect("settle");
    keys.settle(retry, Settlement::Done).await.expect("settle");
    assert!(claim(keys, account, "key-1", "bbbb").await.is_none(), "the key stays bound");
}

async fn a_refused_command_releases_its_key(postgres: bool) {
    let world = world(postgres).await;
    let keys = world.application.idempotency_keys();
    let account = Uuid::now_v7();

    let refused = claim(keys, account, "key-2", "aaaa").await.expect("bound");
    let retry = claim(keys, account, "key-2", "aaaa").await.expect("held by the retry");
    keys.settle(refused, Settlement::Refused).await.expect("settle");
    let corrected = claim(keys, account, "key-2", "bbbb").await.expect("a corrected request may use the key");
    keys.settle(corrected, Settlement::Refused).await.expect("settle");

    // A retry of the first request that ran meanwhile binds the key to it again.
    keys.settle(retry, Settlement::Done).await.expect("settle");
    assert!(claim(keys, account, "key-2", "bbbb").await.is_none(), "bound again to the request that ran");

    // A command that failed otherwise may have been recorded: its binding stays.
    let failed = claim(keys, account, "key-3", "aaaa").await.expect("bound");
    keys.settle(failed, Settlement::Failed).await.expect("settle");
    assert!(claim(keys, account, "key-3", "bbbb").await.is_none(), "the binding stays");
}

on_both_backends!(a_key_belongs_to_its_first_request, a_refused_command_releases_its_key);
