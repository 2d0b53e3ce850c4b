//! Disclosure control, checked on generated tables: nothing small is shown, everything shown is true, and
//! no suppressed figure can be worked out from what is shown.
//!
//! The check is the audit's: every suppressed figure's range, solved as linear programmes over the
//! suppressed cells, is at least two wide, holds the true count, and for a small count reaches the
//! threshold. For small general tables the ranges are also found by trying every whole-number filling
//! of the suppressed cells, which checks the audit itself.

use domain::statistics::disclosure::{
    intervals, protect, Interval, Item, Publication, Published, Sum, Table, Threshold,
};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

/// A fixed number of cases keeps CI's time bounded; `PROPTEST_CASES` raises it for a longer search.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|cases| cases.parse().ok()).unwrap_or(256);
    ProptestConfig { cases, ..ProptestConfig::default() }
}

/// Counts as health statistics have them: mostly small, some zero, a few large.
fn count() -> impl Strategy<Value = u64> {
    prop_oneof![2 => Just(0u64), 8 => 1u64..=12, 1 => 13u64..=400]
}

fn threshold() -> impl Strategy<Value = Threshold> {
    (2u64..=11).prop_map(|k| Threshold::new(k).unwrap())
}

fn grid() -> impl Strategy<Value = Table> {
    (1usize..=8, 1usize..=8)
        .prop_flat_map(|(rows, cols)| (Just(rows), Just(cols), prop::collection::vec(count(), rows * cols)))
        .prop_map(|(rows, cols, values)| Table::grid(rows, cols, values).unwrap())
}

/// Two grids over the same rows (regions by antigen, regions by sex), made to agree on their row totals
/// by adding each row's shortfall to its last cell in the grid that falls short.
fn joined() -> impl Strategy<Value = Table> {
    (1usize..=6, 1usize..=5, 1usize..=5)
        .prop_flat_map(|(rows, left, right)| {
            let cells = |cols: usize| prop::collection::vec(count(), rows * cols);
            (Just((rows, left, right)), cells(left), cells(right))
        })
        .prop_map(|((rows, left, right), mut left_cells, mut right_cells)| {
            for row in 0..rows {
                let left_total: u64 = left_cells[row * left..(row + 1) * left].iter().sum();
                let right_total: u64 = right_cells[row * right..(row + 1) * right].iter().sum();
                if left_total < right_total {
                    left_cells[(row + 1) * left - 1] += right_total - left_total;
                } else {
                    right_cells[(row + 1) * right - 1] += left_total - right_total;
                }
            }
            let left = Table::grid(rows, left, left_cells).unwrap();
            let right = Table::grid(rows, right, right_cells).unwrap();
            Table::join(&left, &right).unwrap()
        })
}

/// A few cells and sums over any subsets of them, overlapping as they please.
fn general() -> impl Strategy<Value = Table> {
    (2usize..=5)
        .prop_flat_map(|cells| {
            let subset = prop::sample::subsequence((0..cells).collect::<Vec<_>>(), 1..=cells);
            (prop::collection::vec(0u64..=9, cells), prop::collection::vec(subset, 1..=5))
        })
        .prop_map(|(cells, sums)| Table::new(cells, sums.into_iter().map(Sum::of).collect()).unwrap())
}

fn items(table: &Table) -> impl Iterator<Item = Item> {
    (0..table.cells().len()).map(Item::Cell).chain((0..table.sums().len()).map(Item::Sum))
}

/// Protects `table` and checks the publication: (1) no shown figure counts 1 to k − 1, (2) every shown
/// figure is the true count, (3) every suppressed figure's range holds its true count, is at least two
/// wide, and reaches k when the count is small.
fn protected(table: &Table, k: Threshold) -> Result<(Publication, Vec<(Item, Interval)>), TestCaseError> {
    let publication = protect(table, k);
    let mut suppressed = Vec::new();
    for item in items(table) {
        let count = table.count(item).unwrap();
        match publication.get(item).unwrap() {
            Published::Shown(shown) => {
                prop_assert!(!k.is_small(shown), "{item:?} shown as {shown} under k = {}", k.get());
                prop_assert_eq!(shown, count, "{:?} shown untrue", item);
            }
            Published::Suppressed => suppressed.push(item),
        }
    }
    let ranges = intervals(table, &publication).unwrap();
    prop_assert_eq!(ranges.iter().map(|(item, _)| *item).collect::<Vec<_>>(), suppressed);
    for &(item, interval) in &ranges {
        let count = table.count(item).unwrap();
        prop_assert!(interval.contains(count), "{item:?} counts {count}, outside {interval:?}");
        prop_assert!(interval.width().is_none_or(|width| width >= 2), "{item:?} pinned to {interval:?}");
        if k.is_small(count) {
            prop_assert!(
                interval.max.is_none_or(|max| max >= k.get()),
                "{item:?} counts {count} and is known to be below {}: {interval:?}",
                k.get()
            );
        }
    }
    Ok((publication, ranges))
}

/// Every suppressed figure's least and greatest value (`None`: unbounded) over every whole-number
/// filling of the suppressed cells that agrees with the shown sums. Sums here have one way each, so a
/// suppressed cell in no shown sum is free and unbounded; the others are bounded by their shown sums.
fn by_enumeration(table: &Table, publication_of: impl Fn(Item) -> Option<u64>) -> Vec<(Item, u64, Option<u64>)> {
    let cells = table.cells().len();
    let shown_sums: Vec<(&[usize], u64)> = table
        .sums()
        .iter()
        .enumerate()
        .filter_map(|(index, sum)| publication_of(Item::Sum(index)).map(|value| (sum.ways()[0].as_slice(), value)))
        .collect();
    let mut bound: Vec<Option<u64>> = vec![None; cells];
    for &(way, value) in &shown_sums {
        for &cell in way {
            bound[cell] = Some(bound[cell].map_or(value, |bound| bound.min(value)));
        }
    }
    let mut filling: Vec<u64> = (0..cells).map(|cell| publication_of(Item::Cell(cell)).unwrap_or(0)).collect();
    let hidden: Vec<usize> = (0..cells).filter(|&cell| publication_of(Item::Cell(cell)).is_none()).collect();
    let constrained: Vec<usize> = hidden.iter().copied().filter(|&cell| bound[cell].is_some()).collect();
    let mut solutions = Vec::new();
    fill(&constrained, &bound, &shown_sums, &mut filling, &mut solutions);
    let figure = |item: Item, filling: &[u64]| match item {
        Item::Cell(cell) => filling[cell],
        Item::Sum(index) => table.sums()[index].ways()[0].iter().map(|&cell| filling[cell]).sum(),
    };
    let unbounded = |item: Item| match item {
        Item::Cell(cell) => hidden.contains(&cell) && bound[cell].is_none(),
        Item::Sum(index) => {
            table.sums()[index].ways()[0].iter().any(|&cell| hidden.contains(&cell) && bound[cell].is_none())
        }
    };
    items(table)
        .filter(|&item| publication_of(item).is_none())
        .map(|item| {
            let values = solutions.iter().map(|filling| figure(item, filling));
            let min = values.clone().min().unwrap();
            let max = if unbounded(item) { None } else { values.max() };
            (item, min, max)
        })
        .collect()
}

fn fill(
    cells: &[usize],
    bound: &[Option<u64>],
    sums: &[(&[usize], u64)],
    filling: &mut Vec<u64>,
    out: &mut Vec<Vec<u64>>,
) {
    let Some((&cell, rest)) = cells.split_first() else {
        if sums.iter().all(|&(way, value)| way.iter().map(|&cell| filling[cell]).sum::<u64>() == value) {
            out.push(filling.clone());
        }
        return;
    };
    for value in 0..=bound[cell].unwrap_or(0) {
        filling[cell] = value;
        // Cells not yet filled are zero, so a sum already over its value stays over.
        if sums.iter().all(|&(way, total)| way.iter().map(|&cell| filling[cell]).sum::<u64>() <= total) {
            fill(rest, bound, sums, filling, out);
        }
    }
    filling[cell] = 0;
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn grids_publish_nothing_small_and_nothing_that_can_be_worked_out(table in grid(), k in threshold()) {
        protected(&table, k)?;
    }

    #[test]
    fn grids_sharing_a_margin_are_protected_together(table in joined(), k in threshold()) {
        protected(&table, k)?;
    }

    #[test]
    fn general_tables_are_protected_and_the_audit_agrees_with_enumeration(table in general(), k in threshold()) {
        let (publication, ranges) = protected(&table, k)?;
        let shown = |item: Item| publication.get(item).and_then(Published::shown);
        let enumerated = by_enumeration(&table, shown);
        let audited: Vec<_> = ranges.iter().map(|&(item, interval)| (item, interval.min, interval.max)).collect();
        prop_assert_eq!(audited, enumerated);
    }
}
