//! The crate's one sort. The standard library compiles its sorting code once
//! per element type and comparison, about 5 KB of wasm each: nine sorts were
//! 8.6 KB of the browser build's 226 KB brotli. Here it runs once, over
//! positions, with the comparison behind `dyn`, and the items are moved into
//! the order found. Ties are broken by position, which makes the result
//! stable and lets the smaller unstable sort and selection do the work.

use std::cmp::Ordering;

/// Sorts `items` by `cmp`, keeping the given order of items that tie.
pub fn by<T>(items: &mut Vec<T>, cmp: impl FnMut(&T, &T) -> Ordering) {
    *items = first(std::mem::take(items), usize::MAX, cmp);
}

/// The first `keep` of `items` in `cmp` order (ties in their given order),
/// found without sorting the ones left out.
pub fn first<T>(items: Vec<T>, keep: usize, mut cmp: impl FnMut(&T, &T) -> Ordering) -> Vec<T> {
    let order = ranked(items.len(), keep, &mut |a, b| match (items.get(a), items.get(b)) {
        (Some(x), Some(y)) => cmp(x, y),
        // Unreachable: `ranked` only hands out positions below the length.
        _ => Ordering::Equal,
    });
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    order.into_iter().filter_map(|at| slots.get_mut(at).and_then(Option::take)).collect()
}

/// The positions `0..len` in `cmp` order, the first `keep` of them.
fn ranked(len: usize, keep: usize, cmp: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut by = |a: &usize, b: &usize| cmp(*a, *b).then(a.cmp(b));
    let mut positions: Vec<usize> = (0..len).collect();
    if keep < len {
        positions.select_nth_unstable_by(keep, &mut by);
        positions.truncate(keep);
    }
    positions.sort_unstable_by(&mut by);
    positions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_stably() {
        let mut pairs = vec![(2, 'a'), (1, 'b'), (2, 'c'), (0, 'd'), (1, 'e')];
        by(&mut pairs, |x, y| x.0.cmp(&y.0));
        assert_eq!(pairs, [(0, 'd'), (1, 'b'), (1, 'e'), (2, 'a'), (2, 'c')]);
    }

    #[test]
    fn keeps_the_first_in_order() {
        let items = vec![5, 3, 9, 1, 3, 7];
        assert_eq!(first(items.clone(), 3, Ord::cmp), [1, 3, 3]);
        assert_eq!(first(items.clone(), 0, Ord::cmp), Vec::<i32>::new());
        assert_eq!(first(items, 10, Ord::cmp), [1, 3, 3, 5, 7, 9]);
        assert_eq!(first(Vec::<i32>::new(), 2, Ord::cmp), Vec::<i32>::new());
    }

    #[test]
    fn ties_at_the_cut_keep_the_earlier() {
        let items = vec![(1, 'a'), (0, 'b'), (1, 'c'), (1, 'd')];
        assert_eq!(first(items, 2, |x, y| x.0.cmp(&y.0)), [(0, 'b'), (1, 'a')]);
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The same as the standard library's stable sort, cut at `keep`,
        /// with many ties (keys 0-7 carrying their first position).
        #[test]
        fn agrees_with_the_standard_sort(keys in proptest::collection::vec(0u8..8, 0..200), keep in 0usize..220) {
            let items: Vec<(u8, usize)> = keys.into_iter().enumerate().map(|(i, k)| (k, i)).collect();
            let mut expected = items.clone();
            expected.sort_by_key(|x| x.0);
            expected.truncate(keep);
            prop_assert_eq!(first(items, keep, |x, y| x.0.cmp(&y.0)), expected);
        }
    }
}
