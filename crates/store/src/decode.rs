//! Decoding of the participant list that SQLite and PostgreSQL build as one JSON value.

use meetifyr_core::{DaySet, Participant, StoreError};

/// `[[participant_id, name, free_days, starred_days]…]` in any order; returned by id.
pub(crate) fn participants(json: &str) -> Result<Vec<Participant>, StoreError> {
    type Row = (i64, String, i64, i64);
    let rows: Vec<Row> = serde_json::from_str(json).map_err(|e| StoreError::Backend(Box::new(e)))?;
    let mut list = rows
        .into_iter()
        .map(|(id, name, free, starred)| participant(id, name, free, starred))
        .collect::<Result<Vec<_>, _>>()?;
    list.sort_unstable_by_key(|p| p.id);
    Ok(list)
}

/// One participant row.
pub(crate) fn participant(id: i64, name: String, free: i64, starred: i64) -> Result<Participant, StoreError> {
    let bits = |b: i64| {
        DaySet::from_bits(b).ok_or_else(|| StoreError::Backend(format!("participant {id} has bits {b}").into()))
    };
    Ok(Participant {
        id,
        name,
        free: bits(free)?,
        starred: bits(starred)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_participant_list_decodes_by_id_with_escaped_names() {
        let p = participants(r#"[[8,"c",0,0],[7,"a \"b\" \\ 김",5,4]]"#).unwrap();
        assert_eq!(p.iter().map(|p| p.id).collect::<Vec<_>>(), vec![7, 8]);
        assert_eq!(p[0].name, "a \"b\" \\ 김");
        assert_eq!((p[0].free.bits(), p[0].starred.bits()), (5, 4));
        assert!(participants("[]").unwrap().is_empty());
        assert!(participants(r#"[[1,"a",-1,0]]"#).is_err());
    }
}
