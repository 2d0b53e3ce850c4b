//! Projectors that fold the ledger into read models, with their checkpoints and rebuilds.
//!
//! Empty until the read side is built; the ledger's `subscribe` is the feed it will consume.
