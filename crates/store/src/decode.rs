//! Participants' rows as every backend stores them (`free_days`, `starred_days`: a day
//! meeting's bit sets), and the participant list SQLite and PostgreSQL build as one JSON value.

use meetifyr_core::{Answer, DateRange, DaySet, Participant, StoreError};

/// `[[participant_id, name, free_days, starred_days, password_hash]…]` in any order; returned
/// by id.
pub(crate) fn participants(json: &str) -> Result<Vec<Participant>, StoreError> {
    type Row = (i64, String, i64, i64, Option<String>);
    let rows: Vec<Row> = serde_json::from_str(json).map_err(|e| StoreError::Backend(Box::new(e)))?;
    let mut list = rows
        .into_iter()
        .map(|(id, name, free, starred, hash)| participant(id, name, free, starred, hash))
        .collect::<Result<Vec<_>, _>>()?;
    list.sort_unstable_by_key(|p| p.id);
    Ok(list)
}

/// One participant row.
pub(crate) fn participant(
    id: i64,
    name: String,
    free: i64,
    starred: i64,
    password_hash: Option<String>,
) -> Result<Participant, StoreError> {
    let bits = |b: i64| {
        DaySet::from_bits(b).ok_or_else(|| StoreError::Backend(format!("participant {id} has bits {b}").into()))
    };
    Ok(Participant {
        id,
        name,
        answer: Answer::Days {
            free: bits(free)?,
            starred: bits(starred)?,
        },
        password_hash,
    })
}

/// The `(free_days, starred_days)` columns of an answer.
pub(crate) fn answer_columns(answer: Answer) -> (i64, i64) {
    let Answer::Days { free, starred } = answer;
    (free.bits(), starred.bits())
}

/// The columns of participant `id`'s stored answer once its meeting's range went from `from`
/// to `to` (see `meetifyr_core::remap_answer`).
pub(crate) fn remapped_columns(
    id: i64,
    (free, starred): (i64, i64),
    from: Option<DateRange>,
    to: DateRange,
) -> Result<(i64, i64), StoreError> {
    let Answer::Days { free, starred } = participant(id, String::new(), free, starred, None)?.answer;
    let (free, starred) = meetifyr_core::remap_answer(from, to, free, starred);
    Ok(answer_columns(Answer::Days { free, starred }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_participant_list_decodes_by_id_with_escaped_names() {
        let p = participants(r#"[[8,"c",0,0,"h"],[7,"a \"b\" \\ 김",5,4,null]]"#).unwrap();
        assert_eq!(p.iter().map(|p| p.id).collect::<Vec<_>>(), vec![7, 8]);
        assert_eq!(p[0].name, "a \"b\" \\ 김");
        assert_eq!(answer_columns(p[0].answer), (5, 4));
        assert_eq!(
            (p[0].password_hash.as_deref(), p[1].password_hash.as_deref()),
            (None, Some("h"))
        );
        assert!(participants("[]").unwrap().is_empty());
        assert!(participants(r#"[[1,"a",-1,0,null]]"#).is_err());
    }
}
