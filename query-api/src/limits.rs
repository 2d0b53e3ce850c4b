//! What one caller may cost the server: a cost budget per account, introspection only with a token
//! (unless a setting allows it), and a bounded error list.
//!
//! A query's cost is the complexity the schema computes before running it (each field 1, a list its
//! page size times its children; at most [`crate::MAX_COMPLEXITY`] per query). Each account has
//! `cost_per_minute` points, spent as its queries are accepted and given back continuously over the
//! minute (a token bucket, as `governor` keeps it), so a clinician's normal use never meets it and a
//! script pulling whole records in a loop is slowed to a known pace. Requests without a token are
//! limited per client address by the HTTP server instead, since they have no account to charge.

use crate::error::Code;
use crate::viewer::Viewer;
use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextValidation};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Pos, Positioned, Response, ServerError, ServerResult, ValidationResult, Value, Variables};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use uuid::Uuid;

/// The most errors one response carries; the rest are counted in one last error. A malformed query
/// can otherwise make an error per repeated directive or variable: 330 KB sent, megabytes back.
pub const MAX_ERRORS: usize = 20;

/// How the query API limits its callers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuerySettings {
    /// The complexity points each account may spend per minute. At least [`crate::MAX_COMPLEXITY`],
    /// so that every query the schema accepts can run.
    pub cost_per_minute: u32,
    /// Whether a caller without a token may introspect the schema (the SDL is published anyway; off
    /// by default so that an anonymous client learns nothing and costs little).
    pub anonymous_introspection: bool,
    /// The threshold statistics are published under (`k`).
    pub publication_threshold: domain::statistics::disclosure::Threshold,
}

impl QuerySettings {
    /// The default budget: four of the heaviest queries the schema accepts per minute, or about a
    /// hundred full records with every section's first page.
    pub const DEFAULT_COST_PER_MINUTE: u32 = 200_000;
}

impl Default for QuerySettings {
    fn default() -> Self {
        Self {
            cost_per_minute: Self::DEFAULT_COST_PER_MINUTE,
            anonymous_introspection: false,
            publication_threshold: domain::statistics::disclosure::Threshold::DEFAULT,
        }
    }
}

/// The accounts' budgets, shared by every request of the process.
pub(crate) struct CostBudget {
    limiter: DefaultKeyedRateLimiter<Uuid>,
    checks: AtomicU64,
}

impl CostBudget {
    pub(crate) fn new(cost_per_minute: u32) -> Self {
        let per_minute = NonZeroU32::new(cost_per_minute.max(crate::MAX_COMPLEXITY as u32)).unwrap_or(NonZeroU32::MIN);
        Self { limiter: DefaultKeyedRateLimiter::keyed(Quota::per_minute(per_minute)), checks: AtomicU64::new(0) }
    }

    /// Spends `cost` points of `account`'s budget, or answers how many seconds to wait.
    fn spend(&self, account: Uuid, cost: usize) -> Result<(), u64> {
        // Forget accounts whose budget is whole again, now and then, so memory follows active accounts.
        if self.checks.fetch_add(1, Ordering::Relaxed) % 4096 == 4095 {
            self.limiter.retain_recent();
        }
        let cost = NonZeroU32::new(u32::try_from(cost).unwrap_or(u32::MAX).max(1)).unwrap_or(NonZeroU32::MIN);
        match self.limiter.check_key_n(&account, cost) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(not_until)) => Err(not_until.wait_time_from(DefaultClock::default().now()).as_secs().max(1)),
            // More than a whole minute's budget: cannot happen while the budget is at least the
            // largest complexity the schema accepts, but refuse rather than run it.
            Err(_) => Err(60),
        }
    }
}

/// Charges each validated query's complexity to the viewer's account, and refuses introspection to a
/// caller without a token unless allowed.
pub(crate) struct Limits {
    pub(crate) budget: Arc<CostBudget>,
    pub(crate) anonymous_introspection: bool,
}

impl ExtensionFactory for Limits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(LimitsOfRequest { budget: self.budget.clone(), anonymous_introspection: self.anonymous_introspection })
    }
}

struct LimitsOfRequest {
    budget: Arc<CostBudget>,
    anonymous_introspection: bool,
}

#[async_graphql::async_trait::async_trait]
impl Extension for LimitsOfRequest {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        if ctx.data_opt::<Viewer>().is_none() {
            let introspection = |name: &str| matches!(name, "__schema" | "__type");
            if !self.anonymous_introspection {
                if let Some(pos) = top_level_field(&document, introspection) {
                    // Execution would refuse it too (introspection is disabled for such a request); this
                    // says why.
                    return Err(coded(
                        "introspection needs a valid access token / l'introspection exige un jeton d'accès valide",
                        Code::Unauthenticated,
                        Some(pos),
                    ));
                }
            }
            // Every field of the schema needs a session. Refusing here, before the request is validated
            // and its arguments read, means an anonymous caller is told that and nothing else, whatever
            // the arguments hold.
            if let Some(pos) = top_level_field(&document, |name| name != "__typename" && !introspection(name)) {
                return Err(coded(
                    "a valid access token is required / un jeton d'accès valide est requis",
                    Code::Unauthenticated,
                    Some(pos),
                ));
            }
        }
        Ok(document)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        if let Some(viewer) = ctx.data_opt::<Viewer>() {
            if let Err(retry_after) = self.budget.spend(viewer.principal.account_id, result.complexity) {
                let mut error = coded(
                    &format!(
                        "this account's query budget for the minute is spent; retry in {retry_after} s / le \
                         budget de requêtes de ce compte pour la minute est épuisé ; réessayez dans {retry_after} s"
                    ),
                    Code::RateLimited,
                    None,
                );
                error.extensions.get_or_insert_with(Default::default).set("retryAfter", retry_after);
                return Err(vec![error]);
            }
        }
        Ok(result)
    }
}

fn coded(message: &str, code: Code, pos: Option<Pos>) -> ServerError {
    let mut error = ServerError::new(message, pos);
    error.extensions.get_or_insert_with(Default::default).set("code", code.as_str());
    error
}

/// Where the document asks, at the top of an operation (directly, or through fragments and inline
/// fragments), for a field whose name `wanted` picks.
fn top_level_field(document: &ExecutableDocument, wanted: impl Fn(&str) -> bool) -> Option<Pos> {
    fn walk(
        document: &ExecutableDocument,
        selections: &SelectionSet,
        depth: usize,
        wanted: &dyn Fn(&str) -> bool,
    ) -> Option<Pos> {
        // Fragments may spread each other; the validator refuses cycles, but this runs before it.
        if depth > 32 {
            return None;
        }
        selections.items.iter().find_map(|selection: &Positioned<Selection>| match &selection.node {
            Selection::Field(field) => wanted(field.node.name.node.as_str()).then_some(field.pos),
            Selection::InlineFragment(fragment) => walk(document, &fragment.node.selection_set.node, depth + 1, wanted),
            Selection::FragmentSpread(spread) => document
                .fragments
                .get(&spread.node.fragment_name.node)
                .and_then(|fragment| walk(document, &fragment.node.selection_set.node, depth + 1, wanted)),
        })
    }
    document.operations.iter().find_map(|(_, operation)| walk(document, &operation.node.selection_set.node, 0, &wanted))
}

/// Keeps the first [`MAX_ERRORS`] errors and replaces the rest with one that says how many there were.
pub(crate) fn cap_errors(response: &mut Response) {
    if response.errors.len() <= MAX_ERRORS {
        return;
    }
    let omitted = response.errors.len() - MAX_ERRORS;
    let code = response.errors[MAX_ERRORS]
        .extensions
        .as_ref()
        .and_then(|extensions| extensions.get("code").cloned())
        .unwrap_or(Value::from(Code::Internal.as_str()));
    response.errors.truncate(MAX_ERRORS);
    let mut error = ServerError::new(format!("{omitted} more errors omitted / {omitted} autres erreurs omises"), None);
    let extensions = error.extensions.get_or_insert_with(Default::default);
    extensions.set("code", code);
    extensions.set("omitted", omitted as u64);
    response.errors.push(error);
}
