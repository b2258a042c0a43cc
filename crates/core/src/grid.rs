//! What a meeting asks about (its grid of cells) and what a participant answers over it.
//!
//! A day meeting's cells are the days of its range; a time meeting's are the slots of its
//! [`TimeGrid`]. What works on cells alone ([`Grid::len`], [`Answer::is_free`], the ranking's
//! tally) serves both; what is particular to one kind matches on it.

use crate::{CellSet, DateRange, DaySet, TimeGrid};

/// The cells a meeting's participants answer, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grid {
    /// Whole days of a range; `None` until the range is set (the original API creates a
    /// meeting first and sets its range after).
    Days(Option<DateRange>),
    /// Slots of chosen dates in a time zone, set when the meeting is created.
    Times(TimeGrid),
}

impl Grid {
    /// How many cells the grid has: 0 for a day meeting without a range.
    pub fn len(&self) -> usize {
        match self {
            Grid::Days(range) => range.map_or(0, |r| r.len()),
            Grid::Times(grid) => grid.len(),
        }
    }

    /// The day range, for a day meeting; `None` for one without a range or over times.
    pub fn range(&self) -> Option<DateRange> {
        match self {
            Grid::Days(range) => *range,
            Grid::Times(_) => None,
        }
    }

    /// `"days"` or `"times"`, as the API names the kinds.
    pub fn kind(&self) -> &'static str {
        match self {
            Grid::Days(_) => "days",
            Grid::Times(_) => "times",
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A participant's answer: the cells it is free in and, among them, those it prefers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Bit `k` stands for day `k` of the range; `starred ⊆ free` (the stores keep it so).
    Days { free: DaySet, starred: DaySet },
    /// Bit `k` stands for cell `k` of the time grid; `starred ⊆ free`.
    Times { free: CellSet, starred: CellSet },
}

impl Answer {
    /// Free in cell `k`.
    pub fn is_free(&self, k: usize) -> bool {
        match self {
            Answer::Days { free, .. } => free.contains(k),
            Answer::Times { free, .. } => free.contains(k),
        }
    }

    /// Free and starring cell `k`.
    pub fn is_starred(&self, k: usize) -> bool {
        match self {
            Answer::Days { free, starred } => free.contains(k) && starred.contains(k),
            Answer::Times { free, starred } => free.contains(k) && starred.contains(k),
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
