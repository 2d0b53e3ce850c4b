//! Statistical disclosure control: what may be published of a table of counts of people.
//!
//! A cell that counts a few people could point at them, so a cell counting 1 to k − 1 people is never
//! shown (primary suppression; zero may be shown, since it points at nobody). A table also publishes
//! its totals, and a hidden cell is then worth no more than its row total less the row's shown cells;
//! so further figures are hidden with it (complementary suppression) until no hidden figure can be
//! worked out from what is shown.
//!
//! # The model
//!
//! A [`Table`] holds interior cells (counts, never negative) and sums, each sum published as the total
//! of a set of interior cells: row and column totals, subtotals, the grand total. Two tables that share
//! a margin (coverage by region × antigen and by region × sex share the region totals) are one `Table`:
//! a shared total is one published figure with two ways of adding it up ([`Sum::shared`]), so what is
//! decided for it holds in both tables, and the reader's knowledge that both ways agree is part of the
//! model even when the total itself is hidden. [`Table::join`] builds this for two grids.
//!
//! # What is guaranteed
//!
//! A reader of a [`Publication`] knows every shown figure, how every sum adds up, and that counts are
//! whole and never negative. For each suppressed figure the values consistent with all of that run
//! from some `min` to some `max`, and [`protect`] makes sure that
//!
//! - `max − min ≥ 2`, for every suppressed figure: it is never pinned down, nor narrowed to two
//!   neighbouring values;
//! - `max ≥ k` as well, for a figure counting 1 to k − 1 people: the reader cannot even tell that it is
//!   a small count. Width alone would not do: a 3 hidden beside a hidden 0 in a row whose total is 3
//!   ranges over [0, 3], yet anyone sees that fewer than five people are counted there.
//!
//! No lower bound is asked of a small figure's `min`: whether a cell might be empty is not protected,
//! as zeros are shown anyway. No shown figure counts 1 to k − 1 people, and every shown figure is the
//! true count. A rate or percentage is shown only when both of its parts are ([`rate`]), so it adds
//! nothing a reader could not compute from the shown counts.
//!
//! # How
//!
//! Suppressing more only widens the hidden figures' ranges, so [`protect`] starts from the small
//! figures, checks each hidden figure's range, and while one falls short hides more figures beside it,
//! until every hidden figure passes. Choices of what to hide change how much is hidden, never whether
//! the result is safe, since every figure is checked again after them. Each step hides at least one
//! more figure, so it ends; at worst with every figure hidden, when every range is unbounded above
//! (except a figure that the table's own sums fix at zero, as two ways of adding up a shared total
//! can, which is then shown).
//!
//! - Grids, lists and two joined grids have the equations of a flow network: every figure is an edge
//!   and every row and column a node at which what flows in flows out. A hidden figure's room to grow
//!   is then a maximum flow in the network of hidden figures, computed exactly in whole numbers, and
//!   its complements are the shown figures on the cheapest cycle through it (each costs its count plus
//!   one, so small cells are preferred to large cells and totals, and a zero is cheap but not free).
//!   A zero cannot give way, so the search never counts on one to shrink.
//! - Any other table is checked with linear programmes (see [`intervals`]), and its complements are the
//!   cheapest shown figures in a sum with the failing one. This is slower, and meant for small tables.

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, VecDeque};
use std::num::NonZeroU64;
use std::panic::{catch_unwind, AssertUnwindSafe};

use microlp::{ComparisonOp, OptimizationDirection, Problem};

/// The largest count a table may hold, cell or sum. The audit's whole-number programmes take 32-bit
/// bounds, and no count of Cameroon's people comes near it.
pub const MAX_COUNT: u64 = i32::MAX as u64;

/// The smallest count of people that may be shown, `k`. Zero is shown too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Threshold(u64);

impl Threshold {
    /// The default: counts of 1 to 4 people are never shown.
    pub const DEFAULT: Threshold = Threshold(5);

    /// A threshold of `k` people. Below 2 nothing would ever be suppressed, which is a mistake in a
    /// setting rather than a policy, so it is refused.
    pub fn new(k: u64) -> Result<Threshold, DisclosureError> {
        if k < 2 {
            Err(DisclosureError::ThresholdTooSmall(k))
        } else {
            Ok(Threshold(k))
        }
    }

    pub fn get(self) -> u64 {
        self.0
    }

    /// Whether a count is too small to be shown: 1 to k − 1.
    pub fn is_small(self, count: u64) -> bool {
        count != 0 && count < self.0
    }
}

impl Default for Threshold {
    fn default() -> Self {
        Threshold::DEFAULT
    }
}

/// Why a table, a threshold or a publication was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DisclosureError {
    #[error("the threshold must be at least 2, not {0}: below that no count is ever suppressed")]
    ThresholdTooSmall(u64),
    #[error("a table needs at least one cell")]
    Empty,
    #[error("a grid of {rows} × {cols} needs {expected} cells, not {actual}")]
    GridShape { rows: usize, cols: usize, expected: usize, actual: usize },
    #[error("sum {sum} names cell {cell}, but the table has {cells} cells")]
    NoSuchCell { sum: usize, cell: usize, cells: usize },
    #[error("sum {sum} adds up no cells")]
    EmptySum { sum: usize },
    #[error("sum {sum} names cell {cell} twice")]
    RepeatedCell { sum: usize, cell: usize },
    #[error("the ways of adding up sum {sum} disagree: {first} and {other}")]
    WaysDisagree { sum: usize, first: u64, other: u64 },
    #[error("{item:?} counts {count}, more than a table may hold ({MAX_COUNT})")]
    CountTooLarge { item: Item, count: u64 },
    #[error("only two grids with the same number of rows can be joined")]
    NotJoinable,
    #[error("row {row} totals {left} in one grid and {right} in the other")]
    MarginsDiffer { row: usize, left: u64, right: u64 },
    #[error("the publication is not one of this table")]
    ForeignPublication,
}

/// A figure of a table: an interior cell or a sum, by its position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Item {
    Cell(usize),
    Sum(usize),
}

/// A published sum: the total of a set of interior cells. A total two tables share is one figure that
/// adds up two ways (the same people counted by two breakdowns), and both ways are known to agree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sum {
    ways: Vec<Vec<usize>>,
}

impl Sum {
    /// The total of `cells`.
    pub fn of(cells: Vec<usize>) -> Sum {
        Sum { ways: vec![cells] }
    }

    /// One figure that is the total of each of `ways`, e.g. a region's total, both the sum of its
    /// antigens' cells and the sum of its sexes' cells.
    pub fn shared(ways: Vec<Vec<usize>>) -> Sum {
        Sum { ways }
    }

    pub fn ways(&self) -> &[Vec<usize>] {
        &self.ways
    }
}

/// A table of counts with its published sums. Its figures are numbered cells first, then sums, in the
/// order given; [`Table::grid`], [`Table::list`] and [`Table::join`] state their layouts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    cells: Vec<u64>,
    sums: Vec<Sum>,
    /// Every figure's count: the cells', then the sums'.
    counts: Vec<u64>,
    shape: Shape,
}

/// What a table was built as, which says whether its equations are those of a flow network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Grid { rows: usize, cols: usize },
    List { len: usize },
    Joined { rows: usize, left: usize, right: usize },
    General,
}

impl Table {
    /// A table of `cells` and `sums`, each sum naming the interior cells it adds up. Refuses a sum that
    /// names no cell, a cell that does not exist or a cell twice, a shared sum whose ways disagree, and
    /// counts above [`MAX_COUNT`].
    ///
    /// [`protect`] checks such a table with linear programmes, which is much slower than the flow
    /// network it uses for tables built by [`Table::grid`], [`Table::list`] and [`Table::join`]; build
    /// those shapes with their own constructors.
    pub fn new(cells: Vec<u64>, sums: Vec<Sum>) -> Result<Table, DisclosureError> {
        Table::build(cells, sums, Shape::General)
    }

    /// A grid of `rows` × `cols` cells given row by row, with every row total, every column total and
    /// the grand total. Cell (i, j) is cell `i * cols + j`; sums `0..rows` are the row totals, sums
    /// `rows..rows + cols` the column totals, and sum `rows + cols` the grand total.
    pub fn grid(rows: usize, cols: usize, values: Vec<u64>) -> Result<Table, DisclosureError> {
        if rows == 0 || cols == 0 {
            return Err(DisclosureError::Empty);
        }
        let expected = rows.saturating_mul(cols);
        if values.len() != expected {
            return Err(DisclosureError::GridShape { rows, cols, expected, actual: values.len() });
        }
        let mut sums: Vec<Sum> = (0..rows).map(|i| Sum::of((0..cols).map(|j| i * cols + j).collect())).collect();
        sums.extend((0..cols).map(|j| Sum::of((0..rows).map(|i| i * cols + j).collect())));
        sums.push(Sum::of((0..expected).collect()));
        Table::build(values, sums, Shape::Grid { rows, cols })
    }

    /// A single breakdown and its total, which is sum 0.
    pub fn list(values: Vec<u64>) -> Result<Table, DisclosureError> {
        let len = values.len();
        Table::build(values, vec![Sum::of((0..len).collect())], Shape::List { len })
    }

    /// Two grids with the same rows and the same row totals, published together: e.g. coverage by region
    /// × antigen and by region × sex. Cells are the left grid's, then the right grid's (each row by
    /// row); sums `0..rows` are the shared row totals, then come the left grid's column totals, the
    /// right grid's column totals, and last the shared grand total.
    pub fn join(left: &Table, right: &Table) -> Result<Table, DisclosureError> {
        let (Shape::Grid { rows, cols: left_cols }, Shape::Grid { rows: right_rows, cols: right_cols }) =
            (left.shape, right.shape)
        else {
            return Err(DisclosureError::NotJoinable);
        };
        if rows != right_rows {
            return Err(DisclosureError::NotJoinable);
        }
        let (left_count, right_count) = (left.cells.len(), right.cells.len());
        for row in 0..rows {
            let (left_total, right_total) = (left.counts[left_count + row], right.counts[right_count + row]);
            if left_total != right_total {
                return Err(DisclosureError::MarginsDiffer { row, left: left_total, right: right_total });
            }
        }
        let right_cell = |i: usize, l: usize| left_count + i * right_cols + l;
        let mut sums: Vec<Sum> = (0..rows)
            .map(|i| {
                Sum::shared(vec![
                    (0..left_cols).map(|j| i * left_cols + j).collect(),
                    (0..right_cols).map(|l| right_cell(i, l)).collect(),
                ])
            })
            .collect();
        sums.extend((0..left_cols).map(|j| Sum::of((0..rows).map(|i| i * left_cols + j).collect())));
        sums.extend((0..right_cols).map(|l| Sum::of((0..rows).map(|i| right_cell(i, l)).collect())));
        sums.push(Sum::shared(vec![(0..left_count).collect(), (left_count..left_count + right_count).collect()]));
        let cells = left.cells.iter().chain(&right.cells).copied().collect();
        Table::build(cells, sums, Shape::Joined { rows, left: left_cols, right: right_cols })
    }

    fn build(cells: Vec<u64>, sums: Vec<Sum>, shape: Shape) -> Result<Table, DisclosureError> {
        if cells.is_empty() {
            return Err(DisclosureError::Empty);
        }
        if let Some((cell, &count)) = cells.iter().enumerate().find(|(_, &count)| count > MAX_COUNT) {
            return Err(DisclosureError::CountTooLarge { item: Item::Cell(cell), count });
        }
        let mut counts = cells.clone();
        for (index, sum) in sums.iter().enumerate() {
            let mut total = None;
            for way in &sum.ways {
                let value = way_total(&cells, index, way)?;
                match total {
                    None => total = Some(value),
                    Some(first) if first != value => {
                        return Err(DisclosureError::WaysDisagree { sum: index, first, other: value })
                    }
                    Some(_) => {}
                }
            }
            let total = total.ok_or(DisclosureError::EmptySum { sum: index })?;
            if total > MAX_COUNT {
                return Err(DisclosureError::CountTooLarge { item: Item::Sum(index), count: total });
            }
            counts.push(total);
        }
        Ok(Table { cells, sums, counts, shape })
    }

    pub fn cells(&self) -> &[u64] {
        &self.cells
    }

    pub fn sums(&self) -> &[Sum] {
        &self.sums
    }

    /// The true count of a figure, if the table has it.
    pub fn count(&self, item: Item) -> Option<u64> {
        self.position(item).map(|position| self.counts[position])
    }

    fn position(&self, item: Item) -> Option<usize> {
        match item {
            Item::Cell(cell) if cell < self.cells.len() => Some(cell),
            Item::Sum(sum) if sum < self.sums.len() => Some(self.cells.len() + sum),
            _ => None,
        }
    }

    fn item(&self, position: usize) -> Item {
        if position < self.cells.len() {
            Item::Cell(position)
        } else {
            Item::Sum(position - self.cells.len())
        }
    }

    /// The figures linked by sums, as one representative per figure: hiding a figure in one part never
    /// changes what can be worked out in another.
    fn parts(&self) -> Vec<usize> {
        let mut links = UnionFind::new(self.counts.len());
        for (index, sum) in self.sums.iter().enumerate() {
            for &cell in sum.ways.iter().flatten() {
                links.join(self.cells.len() + index, cell);
            }
        }
        (0..self.counts.len()).map(|position| links.root(position)).collect()
    }

    /// The flow network whose conservation laws are this table's equations, for the shapes that have one.
    fn network(&self) -> Option<Network> {
        match self.shape {
            // Nodes: 0 and 1 for the grand total's ends, then rows, then columns. A cell runs from its row
            // to its column, a row total into its row, a column total out of its column, and the grand
            // total closes the circuit.
            Shape::Grid { rows, cols } => {
                let row = |i: usize| 2 + i;
                let col = |j: usize| 2 + rows + j;
                let mut ends: Vec<(usize, usize)> =
                    (0..rows).flat_map(|i| (0..cols).map(move |j| (row(i), col(j)))).collect();
                ends.extend((0..rows).map(|i| (0, row(i))));
                ends.extend((0..cols).map(|j| (col(j), 1)));
                ends.push((1, 0));
                Some(Network::new(2 + rows + cols, ends))
            }
            Shape::List { len } => {
                let mut ends = vec![(0, 1); len];
                ends.push((1, 0));
                Some(Network::new(2, ends))
            }
            // Nodes: 0 and 1 for the grand total's ends, then each row twice (before and after its total),
            // then the left grid's columns, then the right grid's. The right grid's cells flow into the
            // rows, each row total carries them across, and the left grid's cells flow out.
            Shape::Joined { rows, left, right } => {
                let row_in = |i: usize| 2 + i;
                let row_out = |i: usize| 2 + rows + i;
                let left_col = |j: usize| 2 + 2 * rows + j;
                let right_col = |l: usize| 2 + 2 * rows + left + l;
                let mut ends: Vec<(usize, usize)> =
                    (0..rows).flat_map(|i| (0..left).map(move |j| (row_out(i), left_col(j)))).collect();
                ends.extend((0..rows).flat_map(|i| (0..right).map(move |l| (right_col(l), row_in(i)))));
                ends.extend((0..rows).map(|i| (row_in(i), row_out(i))));
                ends.extend((0..left).map(|j| (left_col(j), 1)));
                ends.extend((0..right).map(|l| (0, right_col(l))));
                ends.push((1, 0));
                Some(Network::new(2 + 2 * rows + left + right, ends))
            }
            Shape::General => None,
        }
    }
}

fn way_total(cells: &[u64], sum: usize, way: &[usize]) -> Result<u64, DisclosureError> {
    if way.is_empty() {
        return Err(DisclosureError::EmptySum { sum });
    }
    let mut seen = BTreeSet::new();
    let mut total: u64 = 0;
    for &cell in way {
        let count = *cells.get(cell).ok_or(DisclosureError::NoSuchCell { sum, cell, cells: cells.len() })?;
        if !seen.insert(cell) {
            return Err(DisclosureError::RepeatedCell { sum, cell });
        }
        // Cells are at most MAX_COUNT each, so this cannot overflow for any table that fits in memory.
        total = total.saturating_add(count);
    }
    Ok(total)
}

/// What is published of one figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Published {
    Shown(u64),
    Suppressed,
}

impl Published {
    pub fn shown(self) -> Option<u64> {
        match self {
            Published::Shown(count) => Some(count),
            Published::Suppressed => None,
        }
    }
}

/// What is published of a table, figure by figure, in the table's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publication {
    cells: Vec<Published>,
    sums: Vec<Published>,
}

impl Publication {
    pub fn cells(&self) -> &[Published] {
        &self.cells
    }

    pub fn sums(&self) -> &[Published] {
        &self.sums
    }

    pub fn get(&self, item: Item) -> Option<Published> {
        match item {
            Item::Cell(cell) => self.cells.get(cell).copied(),
            Item::Sum(sum) => self.sums.get(sum).copied(),
        }
    }

    fn from_table(table: &Table, suppressed: &[bool]) -> Publication {
        let published: Vec<Published> = table
            .counts
            .iter()
            .zip(suppressed)
            .map(|(&count, &hidden)| if hidden { Published::Suppressed } else { Published::Shown(count) })
            .collect();
        let (cells, sums) = published.split_at(table.cells.len());
        Publication { cells: cells.to_vec(), sums: sums.to_vec() }
    }
}

/// A published rate or percentage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PublishedRate {
    /// Both parts are shown; they are kept whole so the caller chooses how to scale and round.
    Shown { numerator: u64, denominator: NonZeroU64 },
    /// A part is suppressed, and the rate would give it away.
    Suppressed,
    /// The denominator is shown and is zero.
    Undefined,
}

impl PublishedRate {
    /// The rate as a fraction (0.25 for a quarter), for display.
    pub fn value(self) -> Option<f64> {
        match self {
            // Counts are at most MAX_COUNT, well inside the integers f64 holds exactly.
            PublishedRate::Shown { numerator, denominator } => Some(numerator as f64 / denominator.get() as f64),
            PublishedRate::Suppressed | PublishedRate::Undefined => None,
        }
    }
}

/// A rate of two published figures: suppressed when either part is (a rate and one of its parts give
/// the other away), undefined when the denominator is a shown zero.
pub fn rate(numerator: Published, denominator: Published) -> PublishedRate {
    match (numerator, denominator) {
        (Published::Shown(numerator), Published::Shown(denominator)) => match NonZeroU64::new(denominator) {
            Some(denominator) => PublishedRate::Shown { numerator, denominator },
            None => PublishedRate::Undefined,
        },
        _ => PublishedRate::Suppressed,
    }
}

/// The values a suppressed figure can take given a publication: every whole number from `min` to `max`
/// for tables with a flow network's equations, and at least `min` and `max` for others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interval {
    pub min: u64,
    /// `None` when nothing shown bounds the figure.
    pub max: Option<u64>,
}

impl Interval {
    pub fn contains(&self, count: u64) -> bool {
        self.min <= count && self.max.is_none_or(|max| count <= max)
    }

    /// `max − min`, or `None` when unbounded.
    pub fn width(&self) -> Option<u64> {
        self.max.map(|max| max.saturating_sub(self.min))
    }
}

/// Decides what of `table` may be published under threshold `k`, so that no shown figure counts 1 to
/// k − 1 people and every suppressed figure meets the criterion in the module's documentation.
pub fn protect(table: &Table, k: Threshold) -> Publication {
    let counts = &table.counts;
    let method = match table.network() {
        Some(network) => Method::Flow(network),
        None => Method::Programme,
    };
    let parts = table.parts();
    let mut suppressed: Vec<bool> = counts.iter().map(|&count| k.is_small(count)).collect();
    // The smallest counts need the most room, so they choose their complements first.
    let mut primaries: Vec<usize> = (0..counts.len()).filter(|&position| suppressed[position]).collect();
    primaries.sort_by_key(|&position| (counts[position], position));
    let mut pending = VecDeque::from(primaries);
    let mut stuck = Vec::new();
    while let Some(position) = pending.pop_front() {
        // A figure that passes keeps passing: hiding more only widens ranges.
        if method.protects(table, &suppressed, position, k) {
            continue;
        }
        let mut more = method.complements(table, &suppressed, position, k);
        if more.is_empty() {
            // Nothing beside it helps: hide its whole part of the table, which leaves it unbounded
            // unless the table's own structure fixes it.
            more = (0..counts.len()).filter(|&other| !suppressed[other] && parts[other] == parts[position]).collect();
        }
        if more.is_empty() {
            stuck.push(position);
            continue;
        }
        for other in more {
            suppressed[other] = true;
            pending.push_back(other);
        }
        pending.push_front(position);
    }
    // A figure still pinned with its whole part hidden is fixed by the table's structure alone (two ways
    // of adding up a shared sum that leave it nothing), and such a figure is a zero: with every figure of
    // its part hidden, any figure counting someone can be scaled up without bound. Showing it tells the
    // reader nothing new.
    for position in stuck {
        if counts[position] == 0 && method.pinned_at_zero(table, &suppressed, position) {
            suppressed[position] = false;
        }
    }
    Publication::from_table(table, &suppressed)
}

/// For every suppressed figure of `publication`, the values a reader can work out it may take: the
/// minimum and maximum of the figure over whole, non-negative cells that agree with every shown figure
/// and every way of adding up a sum (shown or not).
///
/// Each bound is the optimum of a linear programme over the suppressed cells (microlp's simplex). For
/// grids, lists and joined grids the equations are those of a flow network, whose programmes have
/// whole-number optima, so the bounds are exact and every value between them is possible. For other
/// tables an optimum can be fractional; the figure is then optimised again over whole numbers. Every
/// bound reported is reached by a whole-number solution that was checked against every equation in
/// exact arithmetic, and where no such solution is found the true count stands in for the bound, so an
/// interval is never wider than what a reader could work out. `max` is `None` when the programme is
/// unbounded and a checked solution puts the figure at least two above the total of all the cells.
pub fn intervals(table: &Table, publication: &Publication) -> Result<Vec<(Item, Interval)>, DisclosureError> {
    if publication.cells.len() != table.cells.len() || publication.sums.len() != table.sums.len() {
        return Err(DisclosureError::ForeignPublication);
    }
    let published = publication.cells.iter().chain(&publication.sums);
    let mut suppressed = Vec::with_capacity(table.counts.len());
    for (&count, published) in table.counts.iter().zip(published) {
        match published {
            Published::Shown(shown) if *shown != count => return Err(DisclosureError::ForeignPublication),
            Published::Shown(_) => suppressed.push(false),
            Published::Suppressed => suppressed.push(true),
        }
    }
    let programme = Programme::new(table, &suppressed);
    let everyone: i128 = table.cells.iter().map(|&count| i128::from(count)).sum();
    let mut found = Vec::new();
    for (position, &count) in table.counts.iter().enumerate() {
        if !suppressed[position] {
            continue;
        }
        let count = i128::from(count);
        let objective = programme.expression(table, position);
        let min = match programme.reach(&objective, OptimizationDirection::Minimize, None) {
            Reach::Value(value) => value,
            Reach::Unbounded | Reach::Unknown => count,
        };
        let max = match programme.reach(&objective, OptimizationDirection::Maximize, None) {
            Reach::Value(value) => Some(value),
            Reach::Unknown => Some(count),
            Reach::Unbounded => {
                let beyond = count.max(everyone) + 2;
                match programme.reach(&objective, OptimizationDirection::Maximize, Some(beyond)) {
                    Reach::Value(value) if value >= beyond => None,
                    Reach::Value(value) => Some(value),
                    Reach::Unbounded | Reach::Unknown => Some(count),
                }
            }
        };
        let whole = |value: i128| u64::try_from(value.max(0)).unwrap_or(u64::MAX);
        found.push((table.item(position), Interval { min: whole(min), max: max.map(whole) }));
    }
    Ok(found)
}

/// How much a figure counting `count` people must be able to grow: to k for a small count, else nothing.
fn growth_needed(count: u64, k: Threshold) -> u64 {
    if k.is_small(count) {
        k.get() - count
    } else {
        0
    }
}

/// The criterion, given how far a suppressed figure can grow and shrink from its true count.
fn enough(count: u64, k: Threshold, grow: u64, shrink: u64) -> bool {
    grow >= growth_needed(count, k) && grow.saturating_add(shrink) >= 2
}

/// The ways one cycle can satisfy the criterion, as (room to grow, room to shrink) it must give; any
/// one of them suffices.
fn targets(count: u64, k: Threshold) -> Vec<(u64, u64)> {
    let options = match growth_needed(count, k) {
        needed @ 2.. => vec![(needed, 0)],
        1 => vec![(2, 0), (1, 1)],
        0 => vec![(2, 0), (1, 1), (0, 2)],
    };
    // A figure cannot shrink below zero, whatever its complements.
    options.into_iter().filter(|&(_, shrink)| shrink <= count).collect()
}

/// What hiding a shown figure costs the reader: its count, and one more so that hiding a zero is not free.
fn cost(count: u64) -> u64 {
    count.saturating_add(1)
}

enum Method {
    Flow(Network),
    Programme,
}

impl Method {
    fn protects(&self, table: &Table, suppressed: &[bool], position: usize, k: Threshold) -> bool {
        let count = table.counts[position];
        let needed = growth_needed(count, k);
        match self {
            Method::Flow(network) => {
                let grow = network.room(&table.counts, suppressed, position, true, needed.max(2));
                if grow < needed {
                    return false;
                }
                let shrink = if grow >= 2 { 0 } else { network.room(&table.counts, suppressed, position, false, 2) };
                enough(count, k, grow, shrink)
            }
            Method::Programme => {
                let programme = Programme::new(table, suppressed);
                let objective = programme.expression(table, position);
                let count = i128::from(count);
                let limit = count + i128::from(needed.max(2));
                let grow = match programme.reach(&objective, OptimizationDirection::Maximize, Some(limit)) {
                    Reach::Value(value) => value - count,
                    Reach::Unbounded | Reach::Unknown => 0,
                };
                let shrink = match programme.reach(&objective, OptimizationDirection::Minimize, None) {
                    Reach::Value(value) => count - value,
                    Reach::Unbounded | Reach::Unknown => 0,
                };
                let room = |value: i128| u64::try_from(value.max(0)).unwrap_or(u64::MAX);
                enough(table.counts[position], k, room(grow), room(shrink))
            }
        }
    }

    /// Shown figures to hide so that the figure at `position` gains room; empty when none is found.
    fn complements(&self, table: &Table, suppressed: &[bool], position: usize, k: Threshold) -> Vec<usize> {
        let count = table.counts[position];
        match self {
            Method::Flow(network) => {
                let cheapest = |options: &[(u64, u64)]| {
                    options
                        .iter()
                        .filter_map(|&(grow, shrink)| {
                            network.cheapest_cycle(&table.counts, suppressed, position, grow, shrink)
                        })
                        .min_by_key(|(cost, _)| *cost)
                        .map(|(_, shown)| shown)
                };
                // A cycle meeting a target fixes the figure at once. If none does (the room has to come
                // from several cycles together), any cycle through a shown figure adds room.
                let relaxed: Vec<(u64, u64)> =
                    [(1, 0), (0, 1), (0, 0)].into_iter().filter(|&(_, shrink)| shrink <= count).collect();
                cheapest(&targets(count, k)).or_else(|| cheapest(&relaxed)).unwrap_or_default()
            }
            Method::Programme => {
                let (grow, shrink) = targets(count, k).first().copied().unwrap_or((1, 0));
                let cells = table.cells.len();
                let mut best: Option<(bool, u64, usize)> = None;
                for (index, sum) in table.sums.iter().enumerate() {
                    for way in &sum.ways {
                        // The equation sum − Σ way = 0: the sum on one side, the cells on the other.
                        let side = |item: usize| {
                            if item == cells + index {
                                Some(true)
                            } else {
                                way.contains(&item).then_some(false)
                            }
                        };
                        let Some(own) = side(position) else { continue };
                        for other in std::iter::once(cells + index).chain(way.iter().copied()) {
                            if other == position || suppressed[other] {
                                continue;
                            }
                            // On the same side it must shrink as the figure grows; on the other side it
                            // shrinks as the figure shrinks.
                            let fits = if side(other) == Some(own) {
                                table.counts[other] >= grow
                            } else {
                                table.counts[other] >= shrink
                            };
                            let candidate = (!fits, cost(table.counts[other]), other);
                            if best.is_none_or(|best| candidate < best) {
                                best = Some(candidate);
                            }
                        }
                    }
                }
                best.map(|(_, _, other)| vec![other]).unwrap_or_default()
            }
        }
    }

    fn pinned_at_zero(&self, table: &Table, suppressed: &[bool], position: usize) -> bool {
        match self {
            Method::Flow(network) => network.room(&table.counts, suppressed, position, true, 1) == 0,
            Method::Programme => {
                let programme = Programme::new(table, suppressed);
                let objective = programme.expression(table, position);
                matches!(programme.reach(&objective, OptimizationDirection::Maximize, None), Reach::Value(0))
            }
        }
    }
}

/// A table's equations as a flow network: every figure is an edge, and at every node what flows in
/// flows out. Changing a figure by δ then means sending δ round a cycle through its edge: the figures
/// along the cycle change by δ, and those it crosses against their direction by −δ.
struct Network {
    /// Every figure's edge, tail then head.
    ends: Vec<(usize, usize)>,
    /// The arcs leaving each node. Arc `2 e` goes along figure e's edge (e grows); arc `2 e + 1` goes
    /// against it (e shrinks).
    leaving: Vec<Vec<usize>>,
}

impl Network {
    fn new(nodes: usize, ends: Vec<(usize, usize)>) -> Network {
        let mut leaving = vec![Vec::new(); nodes];
        for (figure, &(tail, head)) in ends.iter().enumerate() {
            leaving[tail].push(2 * figure);
            leaving[head].push(2 * figure + 1);
        }
        Network { ends, leaving }
    }

    fn arc_ends(&self, arc: usize) -> (usize, usize) {
        let (tail, head) = self.ends[arc / 2];
        if arc % 2 == 0 {
            (tail, head)
        } else {
            (head, tail)
        }
    }

    /// How far the figure at `position` can grow (or shrink) with the suppressed figures free and the
    /// shown ones fixed, counted up to `cap`: a maximum flow back round from one end of its edge to the
    /// other, in which a free figure can grow without bound and shrink by its count.
    fn room(&self, counts: &[u64], suppressed: &[bool], position: usize, grow: bool, cap: u64) -> u64 {
        let (tail, head) = self.ends[position];
        let (source, target) = if grow { (head, tail) } else { (tail, head) };
        let cap = if grow { cap } else { cap.min(counts[position]) };
        let mut residual: Vec<u64> = (0..2 * self.ends.len())
            .map(|arc| {
                let figure = arc / 2;
                if figure == position || !suppressed[figure] {
                    0
                } else if arc % 2 == 0 {
                    u64::MAX
                } else {
                    counts[figure]
                }
            })
            .collect();
        let mut flow = 0;
        let mut via: Vec<Option<usize>> = vec![None; self.leaving.len()];
        while flow < cap {
            // The shortest augmenting path (Edmonds–Karp), so the number of rounds does not depend on counts.
            via.fill(None);
            let mut queue = VecDeque::from([source]);
            while let Some(node) = queue.pop_front() {
                if node == target {
                    break;
                }
                for &arc in &self.leaving[node] {
                    let (_, next) = self.arc_ends(arc);
                    if residual[arc] > 0 && next != source && via[next].is_none() {
                        via[next] = Some(arc);
                        queue.push_back(next);
                    }
                }
            }
            if via[target].is_none() {
                break;
            }
            let path = self.path_to(&via, source, target);
            let push = path.iter().map(|&arc| residual[arc]).fold(cap - flow, u64::min);
            for &arc in &path {
                residual[arc] -= push;
                residual[arc ^ 1] = residual[arc ^ 1].saturating_add(push);
            }
            flow += push;
        }
        flow
    }

    fn path_to(&self, via: &[Option<usize>], source: usize, target: usize) -> Vec<usize> {
        let mut path = Vec::new();
        let mut node = target;
        while node != source {
            let Some(arc) = via[node] else { break };
            path.push(arc);
            node = self.arc_ends(arc).0;
        }
        path
    }

    /// The cheapest cycle through the figure at `position` that contains a shown figure and, once its
    /// shown figures are hidden too, lets the figure grow by `grow` and shrink by `shrink`: the figures
    /// that shrink as it grows must count at least `grow`, and those that shrink as it shrinks at least
    /// `shrink`. Returns the cost and the shown figures on it.
    fn cheapest_cycle(
        &self,
        counts: &[u64],
        suppressed: &[bool],
        position: usize,
        grow: u64,
        shrink: u64,
    ) -> Option<(u64, Vec<usize>)> {
        let (tail, head) = self.ends[position];
        // Dijkstra's search from head back to tail over (node, whether a shown figure was crossed yet).
        let state = |node: usize, crossed: bool| 2 * node + usize::from(crossed);
        let (start, goal) = (state(head, false), state(tail, true));
        let mut distance = vec![u64::MAX; 2 * self.leaving.len()];
        let mut via: Vec<Option<(usize, usize)>> = vec![None; distance.len()];
        let mut heap = BinaryHeap::from([Reverse((0, start))]);
        distance[start] = 0;
        while let Some(Reverse((reached, current))) = heap.pop() {
            if current == goal {
                break;
            }
            if reached > distance[current] {
                continue;
            }
            let (node, crossed) = (current / 2, current % 2 == 1);
            for &arc in &self.leaving[node] {
                let figure = arc / 2;
                // Going along a figure's edge, it grows with the figure and shrinks with it; against,
                // it shrinks as the figure grows.
                let must_count = if arc % 2 == 0 { shrink } else { grow };
                if figure == position || counts[figure] < must_count {
                    continue;
                }
                let (step, crossed) = if suppressed[figure] { (0, crossed) } else { (cost(counts[figure]), true) };
                let next = state(self.arc_ends(arc).1, crossed);
                let distance_next = reached.saturating_add(step);
                if distance_next < distance[next] {
                    distance[next] = distance_next;
                    via[next] = Some((current, arc));
                    heap.push(Reverse((distance_next, next)));
                }
            }
        }
        if distance[goal] == u64::MAX {
            return None;
        }
        let mut shown = BTreeSet::new();
        let mut current = goal;
        while let Some((previous, arc)) = via[current] {
            if !suppressed[arc / 2] {
                shown.insert(arc / 2);
            }
            current = previous;
        }
        Some((distance[goal], shown.into_iter().collect()))
    }
}

/// What a reader can set up from a publication: an unknown for every suppressed interior cell (never
/// negative), and an equation for every way of adding up a shown sum, and for every further way of
/// adding up a hidden shared sum (its ways agree even though its value is hidden).
struct Programme {
    /// The unknown standing for each interior cell, when the cell is suppressed.
    unknown: Vec<Option<usize>>,
    equations: Vec<Linear>,
    /// A representative of each unknown's part: the unknowns linked to it through equations.
    part: Vec<usize>,
}

/// `Σ coefficient × unknown + constant`; as an equation, that it is zero.
#[derive(Debug, Clone, Default)]
struct Linear {
    terms: Vec<(usize, i64)>,
    constant: i128,
}

enum Reach {
    Value(i128),
    Unbounded,
    /// No solution could be checked, so nothing beyond the true count is known.
    Unknown,
}

impl Programme {
    fn new(table: &Table, suppressed: &[bool]) -> Programme {
        let mut unknowns = 0;
        let unknown: Vec<Option<usize>> = (0..table.cells.len())
            .map(|cell| {
                suppressed[cell].then(|| {
                    unknowns += 1;
                    unknowns - 1
                })
            })
            .collect();
        let mut programme = Programme { unknown, equations: Vec::new(), part: Vec::new() };
        for (index, sum) in table.sums.iter().enumerate() {
            let position = table.cells.len() + index;
            let ways: Vec<Linear> = sum.ways.iter().map(|way| programme.total(table, way)).collect();
            let equations: Vec<Linear> = if suppressed[position] {
                // A hidden sum's value is unknown, but its ways of adding up still agree.
                match ways.split_first() {
                    Some((first, rest)) => rest.iter().map(|way| first.minus(way)).collect(),
                    None => Vec::new(),
                }
            } else {
                let value = Linear { terms: Vec::new(), constant: i128::from(table.counts[position]) };
                ways.iter().map(|way| way.minus(&value)).collect()
            };
            programme.equations.extend(equations.into_iter().filter(|equation| !equation.terms.is_empty()));
        }
        let mut links = UnionFind::new(unknowns);
        for equation in &programme.equations {
            for window in equation.terms.windows(2) {
                links.join(window[0].0, window[1].0);
            }
        }
        programme.part = (0..unknowns).map(|unknown| links.root(unknown)).collect();
        programme
    }

    /// The total of some cells in terms of the unknowns.
    fn total(&self, table: &Table, cells: &[usize]) -> Linear {
        let mut total = Linear::default();
        for &cell in cells {
            match self.unknown[cell] {
                Some(unknown) => total.terms.push((unknown, 1)),
                None => total.constant += i128::from(table.cells[cell]),
            }
        }
        total
    }

    /// A figure in terms of the unknowns (a sum by its first way; the others agree by the equations).
    fn expression(&self, table: &Table, position: usize) -> Linear {
        match position.checked_sub(table.cells.len()) {
            None => self.total(table, &[position]),
            Some(index) => table.sums[index].ways.first().map(|way| self.total(table, way)).unwrap_or_default(),
        }
    }

    /// The optimum of `objective`, capped at `limit` when given, as a checked whole number.
    fn reach(&self, objective: &Linear, direction: OptimizationDirection, limit: Option<i128>) -> Reach {
        if objective.terms.is_empty() {
            return Reach::Value(objective.constant);
        }
        // Only the parts the objective touches matter, which keeps each programme small.
        let parts: BTreeSet<usize> = objective.terms.iter().map(|&(unknown, _)| self.part[unknown]).collect();
        let mut local = vec![None; self.part.len()];
        let mut count = 0;
        for (unknown, part) in self.part.iter().enumerate() {
            if parts.contains(part) {
                local[unknown] = Some(count);
                count += 1;
            }
        }
        let relabel = |linear: &Linear| Linear {
            terms: linear.terms.iter().filter_map(|&(unknown, c)| local[unknown].map(|local| (local, c))).collect(),
            constant: linear.constant,
        };
        let equations: Vec<Linear> = self
            .equations
            .iter()
            .filter(|equation| equation.terms.first().is_some_and(|&(unknown, _)| parts.contains(&self.part[unknown])))
            .map(relabel)
            .collect();
        let objective = relabel(objective);
        let cap = limit.map(|limit| Linear { terms: objective.terms.clone(), constant: objective.constant - limit });
        let checked = |point: &[i128]| {
            point.iter().all(|&value| value >= 0)
                && equations.iter().all(|equation| equation.at(point) == 0)
                && cap.as_ref().is_none_or(|cap| cap.at(point) <= 0)
        };
        let relaxed = solve(count, &objective, &equations, cap.as_ref(), direction, false);
        let bound = match relaxed {
            Solved::Point(point, bound) => {
                let rounded: Vec<i128> = point.iter().map(|value| value.round() as i128).collect();
                let value = objective.at(&rounded);
                // The relaxation bounds every whole-number solution, so a checked one within half of it
                // is the whole-number optimum.
                if checked(&rounded) && (value as f64 - bound).abs() < 0.5 {
                    return Reach::Value(value);
                }
                bound
            }
            Solved::Unbounded => return Reach::Unbounded,
            Solved::Failed => return Reach::Unknown,
        };
        match solve(count, &objective, &equations, cap.as_ref(), direction, true) {
            Solved::Point(point, _) => {
                let rounded: Vec<i128> = point.iter().map(|value| value.round() as i128).collect();
                let value = objective.at(&rounded);
                let within = match direction {
                    OptimizationDirection::Maximize => value as f64 <= bound + 0.5,
                    OptimizationDirection::Minimize => value as f64 >= bound - 0.5,
                };
                if checked(&rounded) && within {
                    Reach::Value(value)
                } else {
                    Reach::Unknown
                }
            }
            Solved::Unbounded | Solved::Failed => Reach::Unknown,
        }
    }
}

impl Linear {
    fn minus(&self, other: &Linear) -> Linear {
        let mut terms = self.terms.clone();
        for &(unknown, coefficient) in &other.terms {
            match terms.iter_mut().find(|(existing, _)| *existing == unknown) {
                Some(term) => term.1 -= coefficient,
                None => terms.push((unknown, -coefficient)),
            }
        }
        terms.retain(|&(_, coefficient)| coefficient != 0);
        Linear { terms, constant: self.constant - other.constant }
    }

    fn at(&self, point: &[i128]) -> i128 {
        self.terms.iter().map(|&(unknown, coefficient)| i128::from(coefficient) * point[unknown]).sum::<i128>()
            + self.constant
    }
}

enum Solved {
    /// An optimal point of the programme, and the optimum (constant included).
    Point(Vec<f64>, f64),
    Unbounded,
    Failed,
}

/// Optimises `objective` over non-negative unknowns (whole ones when `whole`) subject to every equation
/// being zero and `cap` being at most zero.
fn solve(
    unknowns: usize,
    objective: &Linear,
    equations: &[Linear],
    cap: Option<&Linear>,
    direction: OptimizationDirection,
    whole: bool,
) -> Solved {
    let mut weights = vec![0.0; unknowns];
    for &(unknown, coefficient) in &objective.terms {
        weights[unknown] += coefficient as f64;
    }
    let mut problem = Problem::new(direction);
    let variables: Vec<_> = weights
        .iter()
        .map(|&weight| {
            if whole {
                problem.add_integer_var(weight, (0, i32::MAX))
            } else {
                problem.add_var(weight, (0.0, f64::INFINITY))
            }
        })
        .collect();
    let terms = |linear: &Linear| -> Vec<_> {
        linear.terms.iter().map(|&(unknown, coefficient)| (variables[unknown], coefficient as f64)).collect()
    };
    for equation in equations {
        problem.add_constraint(terms(equation), ComparisonOp::Eq, (-equation.constant) as f64);
    }
    if let Some(cap) = cap {
        problem.add_constraint(terms(cap), ComparisonOp::Le, (-cap.constant) as f64);
    }
    // microlp documents that it can panic on numerically hard problems; such a panic must not take a
    // query down, and an unsolved programme only makes the caller suppress more.
    match catch_unwind(AssertUnwindSafe(|| problem.solve())) {
        Ok(Ok(solution)) => {
            let point = variables.iter().map(|&variable| *solution.var_value_raw(variable)).collect();
            Solved::Point(point, solution.objective() + objective.constant as f64)
        }
        Ok(Err(microlp::Error::Unbounded)) => Solved::Unbounded,
        Ok(Err(_)) | Err(_) => Solved::Failed,
    }
}

struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    fn new(size: usize) -> UnionFind {
        UnionFind { parent: (0..size).collect() }
    }

    fn root(&mut self, mut node: usize) -> usize {
        while self.parent[node] != node {
            self.parent[node] = self.parent[self.parent[node]];
            node = self.parent[node];
        }
        node
    }

    fn join(&mut self, a: usize, b: usize) {
        let (a, b) = (self.root(a), self.root(b));
        self.parent[a] = b;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Published::{Shown, Suppressed};

    /// Protects `table` under threshold `k`, checks the publication against the criterion with the
    /// audit, and returns it.
    fn publish(table: &Table, k: u64) -> Publication {
        let k = Threshold::new(k).unwrap();
        let publication = protect(table, k);
        for (item, interval) in intervals(table, &publication).unwrap() {
            let count = table.count(item).unwrap();
            assert!(interval.contains(count), "{item:?}: {interval:?} misses {count}");
            assert!(interval.width().is_none_or(|width| width >= 2), "{item:?} pinned to {interval:?}");
            if k.is_small(count) {
                assert!(interval.max.is_none_or(|max| max >= k.get()), "{item:?} known small: {interval:?}");
            }
        }
        publication
    }

    #[test]
    fn the_threshold_is_five_by_default_and_at_least_two() {
        assert_eq!(Threshold::default().get(), 5);
        assert_eq!(Threshold::new(1), Err(DisclosureError::ThresholdTooSmall(1)));
        assert_eq!(Threshold::new(0), Err(DisclosureError::ThresholdTooSmall(0)));
        assert_eq!(Threshold::new(2).map(Threshold::get), Ok(2));
        assert!(!Threshold::DEFAULT.is_small(0));
        assert!(Threshold::DEFAULT.is_small(4));
        assert!(!Threshold::DEFAULT.is_small(5));
    }

    #[test]
    fn a_small_cell_in_a_row_is_hidden_with_the_smallest_cell_that_covers_it() {
        let table = Table::list(vec![3, 10, 20, 40]).unwrap();
        let publication = publish(&table, 5);
        assert_eq!(publication.cells(), [Suppressed, Suppressed, Shown(20), Shown(40)]);
        assert_eq!(publication.sums(), [Shown(73)]);
    }

    #[test]
    fn zeros_are_shown_and_a_zero_never_covers_a_small_cell_alone() {
        assert_eq!(
            publish(&Table::list(vec![0, 0, 7, 9]).unwrap(), 5).cells(),
            [Shown(0), Shown(0), Shown(7), Shown(9)]
        );
        // Hidden beside a zero in a row of 3, the 3 would range over [0, 3]: visibly a small count.
        let publication = publish(&Table::list(vec![3, 0, 12]).unwrap(), 5);
        assert_eq!(publication.cells(), [Suppressed, Shown(0), Suppressed]);
    }

    #[test]
    fn a_total_below_the_threshold_is_hidden() {
        // A row of 1 + 2 + 0: both cells and the row total are small; the column totals 11, 14 and 9 and
        // the grand total are not.
        let table = Table::grid(2, 3, vec![1, 2, 0, 10, 12, 9]).unwrap();
        let publication = publish(&table, 5);
        assert_eq!(publication.sums()[0], Suppressed);
        assert_eq!(&publication.cells()[..3], [Suppressed, Suppressed, Shown(0)]);
        assert!(publication.cells().iter().chain(publication.sums()).all(|published| match published {
            Shown(count) => !Threshold::DEFAULT.is_small(*count),
            Suppressed => true,
        }));
    }

    #[test]
    fn a_grid_hides_a_rectangle_around_a_small_cell() {
        let table = Table::grid(3, 3, vec![2, 30, 40, 25, 6, 50, 35, 45, 55]).unwrap();
        let publication = publish(&table, 5);
        // The cheapest cover of the 2 is the rectangle through the 6: the 25 and the 30 with it.
        assert_eq!(
            publication.cells(),
            [Suppressed, Suppressed, Shown(40), Suppressed, Suppressed, Shown(50), Shown(35), Shown(45), Shown(55)]
        );
        assert!(publication.sums().iter().all(|published| published.shown().is_some()));
    }

    #[test]
    fn hiding_only_the_small_cells_would_give_them_away() {
        let table = Table::grid(2, 2, vec![2, 30, 40, 50]).unwrap();
        let naive = Publication {
            cells: vec![Suppressed, Shown(30), Shown(40), Shown(50)],
            sums: vec![Shown(32), Shown(90), Shown(42), Shown(80), Shown(122)],
        };
        assert_eq!(intervals(&table, &naive).unwrap(), [(Item::Cell(0), Interval { min: 2, max: Some(2) })]);
        let publication = publish(&table, 5);
        assert_eq!(publication.cells(), [Suppressed; 4]);
    }

    #[test]
    fn everything_hidden_leaves_every_figure_unbounded() {
        let table = Table::grid(1, 2, vec![1, 1]).unwrap();
        let publication = publish(&table, 5);
        assert!(publication.cells().iter().chain(publication.sums()).all(|published| *published == Suppressed));
        assert!(intervals(&table, &publication).unwrap().iter().all(|(_, interval)| interval.max.is_none()));
    }

    #[test]
    fn a_margin_shared_by_two_grids_is_decided_once() {
        // Region × antigen and region × sex; the regions' totals (45 and 47) are shared.
        let antigens = Table::grid(2, 3, vec![3, 20, 22, 15, 16, 16]).unwrap();
        let sexes = Table::grid(2, 2, vec![21, 24, 26, 21]).unwrap();
        let joined = Table::join(&antigens, &sexes).unwrap();
        assert_eq!(joined.count(Item::Sum(0)), Some(45));
        let publication = publish(&joined, 5);
        assert_eq!(publication.cells()[0], Suppressed);
        // The same through a general table with the same sums, checked with linear programmes.
        let general = Table::new(joined.cells().to_vec(), joined.sums().to_vec()).unwrap();
        publish(&general, 5);
    }

    #[test]
    fn grids_that_do_not_share_a_margin_are_not_joined() {
        let left = Table::grid(2, 2, vec![1, 2, 3, 4]).unwrap();
        let right = Table::grid(2, 2, vec![1, 2, 4, 3]).unwrap();
        assert_eq!(Table::join(&left, &right).map(|_| ()), Ok(()));
        let other = Table::grid(2, 2, vec![1, 2, 3, 5]).unwrap();
        assert_eq!(Table::join(&left, &other), Err(DisclosureError::MarginsDiffer { row: 1, left: 7, right: 8 }));
        let list = Table::list(vec![3, 7]).unwrap();
        assert_eq!(Table::join(&left, &list), Err(DisclosureError::NotJoinable));
    }

    #[test]
    fn overlapping_sums_are_protected_through_linear_programmes() {
        // Three cells, every pair's total and the grand total: no flow network has these equations.
        let sums = vec![Sum::of(vec![0, 1]), Sum::of(vec![1, 2]), Sum::of(vec![0, 2]), Sum::of(vec![0, 1, 2])];
        let table = Table::new(vec![2, 9, 14], sums).unwrap();
        let publication = publish(&table, 5);
        assert_eq!(publication.cells()[0], Suppressed);
        // Pairs' totals alone fix every cell: (a + b) + (a + c) − (b + c) = 2a.
        let pairs = vec![Sum::of(vec![0, 1]), Sum::of(vec![1, 2]), Sum::of(vec![0, 2])];
        let table = Table::new(vec![1, 1, 1], pairs).unwrap();
        let shown = Publication { cells: vec![Suppressed; 3], sums: vec![Shown(2); 3] };
        assert!(intervals(&table, &shown)
            .unwrap()
            .iter()
            .all(|(_, interval)| *interval == Interval { min: 1, max: Some(1) }));
        publish(&table, 5);
    }

    #[test]
    fn the_audit_finds_whole_number_bounds_where_the_linear_programme_has_fractions() {
        // a + b = 5, b + c = 7, a + c + d = 7: so d = 5 − 2a, and the programme's a reaches 2.5 while
        // d reaches 0, but in whole numbers a stops at 2 and d at 1.
        let sums = vec![Sum::of(vec![0, 1]), Sum::of(vec![1, 2]), Sum::of(vec![0, 2, 3])];
        let table = Table::new(vec![1, 4, 3, 3], sums).unwrap();
        let hidden = Publication { cells: vec![Suppressed; 4], sums: vec![Shown(5), Shown(7), Shown(7)] };
        let range = |min, max| Interval { min, max: Some(max) };
        assert_eq!(
            intervals(&table, &hidden).unwrap(),
            [
                (Item::Cell(0), range(0, 2)),
                (Item::Cell(1), range(3, 5)),
                (Item::Cell(2), range(2, 4)),
                (Item::Cell(3), range(1, 5))
            ]
        );
    }

    #[test]
    fn a_table_is_refused_when_its_sums_are_not_sums_of_its_cells() {
        assert_eq!(Table::new(vec![], vec![]), Err(DisclosureError::Empty));
        assert_eq!(
            Table::new(vec![1, 2], vec![Sum::of(vec![0, 2])]),
            Err(DisclosureError::NoSuchCell { sum: 0, cell: 2, cells: 2 })
        );
        assert_eq!(Table::new(vec![1, 2], vec![Sum::of(vec![])]), Err(DisclosureError::EmptySum { sum: 0 }));
        assert_eq!(Table::new(vec![1, 2], vec![Sum::shared(vec![])]), Err(DisclosureError::EmptySum { sum: 0 }));
        assert_eq!(
            Table::new(vec![1, 2], vec![Sum::of(vec![1, 1])]),
            Err(DisclosureError::RepeatedCell { sum: 0, cell: 1 })
        );
        assert_eq!(
            Table::new(vec![1, 2], vec![Sum::shared(vec![vec![0], vec![1]])]),
            Err(DisclosureError::WaysDisagree { sum: 0, first: 1, other: 2 })
        );
        assert_eq!(
            Table::new(vec![MAX_COUNT, 1], vec![Sum::of(vec![0, 1])]),
            Err(DisclosureError::CountTooLarge { item: Item::Sum(0), count: MAX_COUNT + 1 })
        );
        assert_eq!(
            Table::grid(2, 2, vec![1, 2, 3]),
            Err(DisclosureError::GridShape { rows: 2, cols: 2, expected: 4, actual: 3 })
        );
        assert_eq!(Table::grid(0, 2, vec![]), Err(DisclosureError::Empty));
    }

    #[test]
    fn a_structural_zero_is_shown() {
        // A shared total adding up {0, 1} one way and {0} the other: cell 1 can only be zero.
        let table = Table::new(vec![3, 0], vec![Sum::shared(vec![vec![0, 1], vec![0]])]).unwrap();
        let publication = publish(&table, 5);
        assert_eq!(publication.cells(), [Suppressed, Shown(0)]);
        assert_eq!(publication.sums(), [Suppressed]);
    }

    #[test]
    fn a_rate_is_suppressed_with_either_part_and_undefined_over_zero() {
        assert_eq!(rate(Suppressed, Shown(120)), PublishedRate::Suppressed);
        assert_eq!(rate(Shown(6), Suppressed), PublishedRate::Suppressed);
        assert_eq!(rate(Shown(0), Shown(0)), PublishedRate::Undefined);
        assert_eq!(rate(Suppressed, Shown(0)), PublishedRate::Suppressed);
        let quarter = rate(Shown(30), Shown(120));
        assert_eq!(quarter.value(), Some(0.25));
        assert_eq!(PublishedRate::Undefined.value(), None);
    }

    #[test]
    fn a_publication_of_another_table_is_refused_by_the_audit() {
        let table = Table::list(vec![7, 8]).unwrap();
        let other = protect(&Table::list(vec![7, 9]).unwrap(), Threshold::DEFAULT);
        assert_eq!(intervals(&table, &other), Err(DisclosureError::ForeignPublication));
        let shorter = protect(&Table::list(vec![7]).unwrap(), Threshold::DEFAULT);
        assert_eq!(intervals(&table, &shorter), Err(DisclosureError::ForeignPublication));
    }
}
