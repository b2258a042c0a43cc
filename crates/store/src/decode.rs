//! Meetings' and participants' rows as every backend stores them: a day meeting's answers as
//! two bit sets (`free_days`, `starred_days`), a time meeting's grid as JSON (`time_grid`) and
//! its answers as bytes (`free_slots`, `starred_slots`); and the participant list SQLite and
//! PostgreSQL build as one JSON value.

use meetifyr_core::{Answer, CellSet, DateRange, DaySet, Grid, Participant, StoreError, TimeGrid, TimeGridSpec};

fn corrupt(what: String) -> StoreError {
    StoreError::Backend(what.into())
}

/// A meeting's grid from its `start_date`/`end_date` (as a range) and `time_grid` columns.
/// Grids resolved from their stored text, shared by every read (resolving one looks up the
/// zone for each of its cells); forgotten together past [`GRIDS_KEPT`].
static GRIDS: std::sync::LazyLock<std::sync::Mutex<std::collections::HashMap<String, TimeGrid>>> =
    std::sync::LazyLock::new(Default::default);
const GRIDS_KEPT: usize = 4096;

pub(crate) fn grid(range: Option<DateRange>, time_grid: Option<&str>) -> Result<Grid, StoreError> {
    let Some(json) = time_grid else {
        return Ok(Grid::Days(range));
    };
    if let Some(grid) = GRIDS.lock().unwrap_or_else(|e| e.into_inner()).get(json) {
        return Ok(Grid::Times(grid.clone()));
    }
    let spec: TimeGridSpec = serde_json::from_str(json).map_err(|e| StoreError::Backend(Box::new(e)))?;
    let grid = TimeGrid::from_spec(&spec).map_err(|e| corrupt(format!("stored time grid {json}: {e}")))?;
    let mut grids = GRIDS.lock().unwrap_or_else(|e| e.into_inner());
    if grids.len() >= GRIDS_KEPT {
        grids.clear();
    }
    grids.insert(json.to_owned(), grid.clone());
    Ok(Grid::Times(grid))
}

/// The `time_grid` column of a meeting.
pub(crate) fn time_grid_column(grid: &Grid) -> Option<String> {
    match grid {
        Grid::Days(_) => None,
        Grid::Times(grid) => Some(serde_json::to_string(grid.spec()).expect("a spec serializes")),
    }
}

/// What a participant row holds of its answer.
pub(crate) struct AnswerRow<'a> {
    pub free_days: i64,
    pub starred_days: i64,
    /// Borrowed: SQLite's row lends its blobs, so a GET decodes them without a copy.
    pub free_slots: Option<&'a [u8]>,
    pub starred_slots: Option<&'a [u8]>,
}

/// `[[participant_id, name, free_days, starred_days, password_hash, free_slots_hex,
/// starred_slots_hex, required]…]` in any order; returned by id.
pub(crate) fn participants(grid: &Grid, json: &str) -> Result<Vec<Participant>, StoreError> {
    type Row = (
        i64,
        String,
        i64,
        i64,
        Option<String>,
        Option<String>,
        Option<String>,
        bool,
    );
    let rows: Vec<Row> = serde_json::from_str(json).map_err(|e| StoreError::Backend(Box::new(e)))?;
    let mut list = rows
        .into_iter()
        .map(|(id, name, free_days, starred_days, hash, free, starred, required)| {
            let bytes = |hex: Option<String>| hex.map(|h| from_hex(id, &h)).transpose();
            let (free, starred) = (bytes(free)?, bytes(starred)?);
            let row = AnswerRow {
                free_days,
                starred_days,
                free_slots: free.as_deref(),
                starred_slots: starred.as_deref(),
            };
            let mut p = participant(grid, id, name, row, hash)?;
            p.required = required;
            Ok(p)
        })
        .collect::<Result<Vec<_>, _>>()?;
    list.sort_unstable_by_key(|p| p.id);
    Ok(list)
}

fn from_hex(id: i64, hex: &str) -> Result<Vec<u8>, StoreError> {
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let bytes = hex.as_bytes();
    if !bytes.len().is_multiple_of(2) {
        return Err(corrupt(format!("participant {id} has slots {hex:?}")));
    }
    bytes
        .chunks(2)
        .map(|pair| match (digit(pair[0]), digit(pair[1])) {
            (Some(hi), Some(lo)) => Ok(hi << 4 | lo),
            _ => Err(corrupt(format!("participant {id} has slots {hex:?}"))),
        })
        .collect()
}

/// One participant row of a meeting with this grid.
pub(crate) fn participant(
    grid: &Grid,
    id: i64,
    name: String,
    row: AnswerRow<'_>,
    password_hash: Option<String>,
) -> Result<Participant, StoreError> {
    let answer = match grid {
        Grid::Days(_) => {
            let bits = |b: i64| DaySet::from_bits(b).ok_or_else(|| corrupt(format!("participant {id} has bits {b}")));
            Answer::Days {
                free: bits(row.free_days)?,
                starred: bits(row.starred_days)?,
            }
        }
        Grid::Times(grid) => {
            let cells = |b: Option<&[u8]>| {
                CellSet::from_bytes(b.unwrap_or_default(), grid.len())
                    .ok_or_else(|| corrupt(format!("participant {id} has slots {b:?} for {} cells", grid.len())))
            };
            Answer::Times {
                free: cells(row.free_slots)?,
                starred: cells(row.starred_slots)?,
            }
        }
    };
    Ok(Participant {
        id,
        name,
        answer,
        password_hash,
        required: false,
    })
}

/// The `(free_days, starred_days)` columns of a day answer (zeros for a time answer).
pub(crate) fn answer_columns(answer: &Answer) -> (i64, i64) {
    match answer {
        Answer::Days { free, starred } => (free.bits(), starred.bits()),
        Answer::Times { .. } => (0, 0),
    }
}

/// The `(free_slots, starred_slots)` columns of a time answer over `grid` (`None` for a day
/// answer).
pub(crate) fn slot_columns(grid: &Grid, answer: &Answer) -> (Option<Vec<u8>>, Option<Vec<u8>>) {
    match (grid, answer) {
        (Grid::Times(grid), Answer::Times { free, starred }) => {
            (Some(free.to_bytes(grid.len())), Some(starred.to_bytes(grid.len())))
        }
        _ => (None, None),
    }
}

/// The columns of participant `id`'s stored day answer once its meeting's range went from
/// `from` to `to` (see `meetifyr_core::remap_answer`).
pub(crate) fn remapped_columns(
    id: i64,
    (free, starred): (i64, i64),
    from: Option<DateRange>,
    to: DateRange,
) -> Result<(i64, i64), StoreError> {
    let bits = |b: i64| DaySet::from_bits(b).ok_or_else(|| corrupt(format!("participant {id} has bits {b}")));
    let (free, starred) = meetifyr_core::remap_answer(from, to, bits(free)?, bits(starred)?);
    Ok((free.bits(), starred.bits()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_participant_list_decodes_by_id_with_escaped_names() {
        let days = Grid::Days(None);
        let p = participants(
            &days,
            r#"[[8,"c",0,0,"h",null,null,true],[7,"a \"b\" \\ 김",5,4,null,null,null,false]]"#,
        )
        .unwrap();
        assert_eq!(p.iter().map(|p| p.id).collect::<Vec<_>>(), vec![7, 8]);
        assert_eq!(p[0].name, "a \"b\" \\ 김");
        assert_eq!(answer_columns(&p[0].answer), (5, 4));
        assert_eq!((p[0].required, p[1].required), (false, true));
        assert_eq!(
            (p[0].password_hash.as_deref(), p[1].password_hash.as_deref()),
            (None, Some("h"))
        );
        assert!(participants(&days, "[]").unwrap().is_empty());
        assert!(participants(&days, r#"[[1,"a",-1,0,null,null,null,false]]"#).is_err());
    }

    #[test]
    fn a_time_meetings_answers_decode_from_hex_bytes_of_its_cell_count() {
        let g = TimeGrid::new(vec!["2026-01-05".parse().unwrap()], "09:00", "12:00", 15, "Asia/Seoul").unwrap();
        let stored = time_grid_column(&Grid::Times(g.clone())).unwrap();
        let grid = grid(None, Some(&stored)).unwrap();
        assert_eq!(grid, Grid::Times(g));
        // 12 cells: two bytes; cells 0 and 9 free, 9 starred
        let p = participants(
            &grid,
            r#"[[1,"a",0,0,null,"0102","0002",false],[2,"b",0,0,null,null,null,false]]"#,
        )
        .unwrap();
        assert!(p[0].answer.is_free(0) && p[0].answer.is_starred(9) && !p[0].answer.is_free(8));
        assert_eq!(slot_columns(&grid, &p[0].answer), (Some(vec![1, 2]), Some(vec![0, 2])));
        assert!((0..12).all(|k| !p[1].answer.is_free(k)));
        assert!(participants(&grid, r#"[[1,"a",0,0,null,"010203",null,false]]"#).is_err());
        assert!(participants(&grid, r#"[[1,"a",0,0,null,"0x",null,false]]"#).is_err());
    }
}
