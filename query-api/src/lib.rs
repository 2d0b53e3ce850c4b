//! The GraphQL schema and resolvers over the read models. It does not depend on axum.
//!
//! Empty until the read side is built.
