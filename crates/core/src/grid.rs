//! What a meeting asks about (its grid of cells) and what a participant answers over it.
//!
//! A day meeting's cells are the days of its range. A meeting over times of day is to be
//! another variant of both enums: every place that takes a grid or an answer apart with
//! `let Grid::Days(…) = …` then fails to compile until it handles the new kind, and what
//! works on cells alone ([`Grid::len`], [`Answer::is_free`], the ranking's tally) serves both.

use crate::{DateRange, DaySet};

/// The cells a meeting's participants answer, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grid {
    /// Whole days of a range; `None` until the range is set (the original API creates a
    /// meeting first and sets its range after).
    Days(Option<DateRange>),
}

impl Grid {
    /// How many cells the grid has: 0 for a day meeting without a range.
    pub fn len(&self) -> usize {
        match self {
            Grid::Days(range) => range.map_or(0, |r| r.len()),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A participant's answer: the cells it is free in and, among them, those it prefers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Bit `k` stands for day `k` of the range; `starred ⊆ free` (the stores keep it so).
    Days { free: DaySet, starred: DaySet },
}

impl Answer {
    /// Free in cell `k`.
    pub fn is_free(&self, k: usize) -> bool {
        match self {
            Answer::Days { free, .. } => free.contains(k),
        }
    }

    /// Free and starring cell `k`.
    pub fn is_starred(&self, k: usize) -> bool {
        match self {
            Answer::Days { free, starred } => free.contains(k) && starred.contains(k),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_grid_has_a_cell_per_day_and_none_without_a_range() {
        let range = DateRange::new("2025-01-30".parse().unwrap(), "2025-02-02".parse().unwrap()).unwrap();
        assert_eq!(Grid::Days(Some(range)).len(), 4);
        assert!(Grid::Days(None).is_empty());
    }

    #[test]
    fn a_star_counts_only_on_a_free_cell() {
        let answer = Answer::Days {
            free: DaySet::from_bits(0b011).unwrap(),
            starred: DaySet::from_bits(0b110).unwrap(),
        };
        let cells: Vec<(bool, bool)> = (0..3).map(|k| (answer.is_free(k), answer.is_starred(k))).collect();
        assert_eq!(cells, vec![(true, false), (true, true), (false, false)]);
    }
}
