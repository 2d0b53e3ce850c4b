//! How deep a query may nest, with introspection measured by its own shape.
//!
//! A data query may nest [`crate::MAX_DEPTH`] fields deep. Introspection does not count towards that
//! limit: the query every GraphQL tool sends first (`IntrospectionQuery`) follows a type reference
//! through seven or more `ofType` levels, deeper than any data query needs, and refusing it would leave
//! GraphiQL and generated clients unable to load the schema. It is bounded instead by what makes
//! introspection expensive: a list (`types`, `fields`, `args`...) expanded again below a type
//! reference (`type`, `ofType`, `interfaces`, `possibleTypes`), which multiplies the schema by itself
//! (`types { fields { type { fields { type { fields … } } } } }`). The standard query never does that,
//! so it passes whole, and the abusive shape is refused however it is spelled (fragments included).
//!
//! The check runs on the query text before the schema parses it ([`admit`]): the schema's own check of
//! nesting expands every fragment where it is spread, so fragments spreading each other a few times
//! over (a kilobyte of text) would keep a worker busy for minutes. Here the walk is bounded by a visit
//! budget, and such a document is refused in microseconds.

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Pos, ServerError};

/// Refuses a query nested too deep, or too large once its fragments are spread, before the schema
/// parses and validates it. A query that does not parse is left to the schema, which says why.
pub(crate) fn admit(query: &str, max_depth: usize) -> Result<(), ServerError> {
    let Ok(document) = async_graphql::parser::parse_query(query) else { return Ok(()) };
    // Refused as the schema's validation would refuse it: no code of ours, so it is labelled
    // GRAPHQL_VALIDATION_FAILED with the schema's own refusals.
    check(&document, max_depth).map_err(|too_deep| ServerError::new(too_deep.message, Some(too_deep.pos)))
}

/// Why a document was refused, and where.
struct TooDeep {
    message: String,
    pos: Pos,
}

/// Introspection fields that answer a list of schema elements.
const INTROSPECTION_LISTS: &[&str] =
    &["types", "fields", "args", "inputFields", "enumValues", "directives", "interfaces", "possibleTypes"];
/// Introspection fields that point at a type.
const TYPE_REFERENCES: &[&str] = &["type", "ofType", "interfaces", "possibleTypes"];
/// Fragments spreading fragments: the validator refuses cycles, but this runs before it.
const MAX_SPREADS: usize = 64;
/// How many selections one check may visit, fragments expanded where they are spread: fragments that
/// spread each other twice over would otherwise make the walk exponential in the document's size.
/// Any query the complexity limit accepts stays far below it.
const MAX_VISITS: usize = 100_000;

/// Checks every operation of `document` against `max_depth` for data and the introspection rule.
fn check(document: &ExecutableDocument, max_depth: usize) -> Result<(), TooDeep> {
    for (_, operation) in document.operations.iter() {
        let walk = Walk { document, max_depth, visits: std::cell::Cell::new(0) };
        walk.data(&operation.node.selection_set.node, 0, 0)?;
    }
    Ok(())
}

struct Walk<'a> {
    document: &'a ExecutableDocument,
    max_depth: usize,
    visits: std::cell::Cell<usize>,
}

impl Walk<'_> {
    /// Counts one visited selection, refusing the document once it has cost too much to walk.
    fn visit(&self, pos: Pos) -> Result<(), TooDeep> {
        self.visits.set(self.visits.get() + 1);
        if self.visits.get() > MAX_VISITS {
            return Err(TooDeep {
                message: "the query is too large once its fragments are spread / la requête est trop grande une \
                          fois ses fragments développés"
                    .into(),
                pos,
            });
        }
        Ok(())
    }

    /// The fields of a data selection at `depth` (the number of fields above them).
    fn data(&self, selections: &SelectionSet, depth: usize, spreads: usize) -> Result<(), TooDeep> {
        for selection in &selections.items {
            self.visit(selection.pos)?;
            match &selection.node {
                Selection::Field(field) => {
                    let name = field.node.name.node.as_str();
                    if matches!(name, "__schema" | "__type") {
                        self.introspection(&field.node.selection_set.node, false, spreads)?;
                        continue;
                    }
                    if depth + 1 > self.max_depth {
                        return Err(TooDeep {
                            message: format!(
                                "the query is nested too deep: at most {} levels of fields / la requête est trop \
                                 imbriquée : {} niveaux de champs au plus",
                                self.max_depth, self.max_depth
                            ),
                            pos: field.pos,
                        });
                    }
                    self.data(&field.node.selection_set.node, depth + 1, spreads)?;
                }
                Selection::InlineFragment(fragment) => {
                    self.data(&fragment.node.selection_set.node, depth, spreads)?;
                }
                Selection::FragmentSpread(spread) => {
                    if spreads >= MAX_SPREADS {
                        continue;
                    }
                    if let Some(fragment) = self.document.fragments.get(&spread.node.fragment_name.node) {
                        self.data(&fragment.node.selection_set.node, depth, spreads + 1)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// The fields below `__schema` or `__type`; `referenced` once the path went through a type
    /// reference.
    fn introspection(&self, selections: &SelectionSet, referenced: bool, spreads: usize) -> Result<(), TooDeep> {
        for selection in &selections.items {
            self.visit(selection.pos)?;
            match &selection.node {
                Selection::Field(field) => {
                    let name = field.node.name.node.as_str();
                    if referenced && INTROSPECTION_LISTS.contains(&name) {
                        return Err(TooDeep {
                            message: format!(
                                "introspection may not list `{name}` again below a type reference; ask for that \
                                 type by name with __type / l'introspection ne peut pas relister `{name}` sous une \
                                 référence de type ; demandez ce type par son nom avec __type"
                            ),
                            pos: field.pos,
                        });
                    }
                    let referenced = referenced || TYPE_REFERENCES.contains(&name);
                    self.introspection(&field.node.selection_set.node, referenced, spreads)?;
                }
                Selection::InlineFragment(fragment) => {
                    self.introspection(&fragment.node.selection_set.node, referenced, spreads)?;
                }
                Selection::FragmentSpread(spread) => {
                    if spreads >= MAX_SPREADS {
                        continue;
                    }
                    if let Some(fragment) = self.document.fragments.get(&spread.node.fragment_name.node) {
                        self.introspection(&fragment.node.selection_set.node, referenced, spreads + 1)?;
                    }
                }
            }
        }
        Ok(())
    }
}
