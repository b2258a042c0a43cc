//! Decoding of the participant list that SQLite and PostgreSQL build as one JSON value.

use chrono::NaiveDate;
use meetifyr_core::{Participant, ParticipantDate, StoreError};

/// `[[participant_id, name, [[date_id, "YYYY-MM-DD", enabled 0|1, starred 0|1]…]]…]`,
/// participants by id, dates ascending.
pub(crate) fn participants(json: &str) -> Result<Vec<Participant>, StoreError> {
    type Row = (i64, String, Vec<(i64, NaiveDate, u8, u8)>);
    let rows: Vec<Row> = serde_json::from_str(json).map_err(|e| StoreError::Backend(Box::new(e)))?;
    Ok(rows
        .into_iter()
        .map(|(id, name, dates)| Participant {
            id,
            name,
            dates: dates
                .into_iter()
                .map(|(id, date, enabled, starred)| ParticipantDate {
                    id,
                    date,
                    enabled: enabled != 0,
                    starred: starred != 0,
                })
                .collect(),
        })
        .collect())
}

/// SQLite's cheaper encoding: participants as JSON `[[id, name]…]` (names need escaping) and
/// all their dates as one text of `participant_id code YYYY-MM-DD` items joined by `,`, in no
/// particular order, where `code = date_id * 4 + enabled + 2 * starred`.
pub(crate) fn participants_compact(participants: &str, dates: Option<&str>) -> Result<Vec<Participant>, StoreError> {
    let corrupt = |what: &str| StoreError::Backend(format!("undecodable participant date {what:?}").into());
    let mut heads: Vec<(i64, String)> =
        serde_json::from_str(participants).map_err(|e| StoreError::Backend(Box::new(e)))?;
    heads.sort_unstable_by_key(|(id, _)| *id);
    let mut list: Vec<Participant> = heads
        .into_iter()
        .map(|(id, name)| Participant {
            id,
            name,
            dates: Vec::new(),
        })
        .collect();
    let mut last = 0; // items of one participant come together: try the previous one first
    for item in dates.unwrap_or("").split(',').filter(|s| !s.is_empty()) {
        let (Some((participant, rest)), true) = (item.split_once(' '), item.len() > 11) else {
            return Err(corrupt(item));
        };
        let (code, date) = rest.split_at(rest.len() - 10);
        let participant: i64 = participant.parse().map_err(|_| corrupt(item))?;
        let code: i64 = code.trim_end().parse().map_err(|_| corrupt(item))?;
        let date = meetifyr_core::parse_iso_date(date).ok_or_else(|| corrupt(item))?;
        if list.get(last).is_none_or(|p| p.id != participant) {
            last = list
                .binary_search_by_key(&participant, |p| p.id)
                .map_err(|_| corrupt(item))?;
        }
        list[last].dates.push(ParticipantDate {
            id: code >> 2,
            date,
            enabled: code & 1 != 0,
            starred: code & 2 != 0,
        });
    }
    for p in &mut list {
        p.dates.sort_unstable_by_key(|d| d.date);
    }
    Ok(list)
}

/// `id YYYY-MM-DD` items joined by `,`, in any order; returned ascending by date.
pub(crate) fn id_date_pairs(text: &str) -> Result<Vec<(i64, NaiveDate)>, StoreError> {
    let corrupt = |what: &str| StoreError::Backend(format!("undecodable created date {what:?}").into());
    let mut dates = text
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|item| {
            let (id, date) = item.split_once(' ').ok_or_else(|| corrupt(item))?;
            let id = id.parse().map_err(|_| corrupt(item))?;
            let date = meetifyr_core::parse_iso_date(date).ok_or_else(|| corrupt(item))?;
            Ok((id, date))
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    dates.sort_unstable_by_key(|(_, date)| *date);
    Ok(dates)
}

/// `[[date_id, "YYYY-MM-DD"]…]`.
pub(crate) fn created_dates(json: &str) -> Result<Vec<(i64, NaiveDate)>, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError::Backend(Box::new(e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compact_encoding_decodes_in_order() {
        let p = participants_compact(
            r#"[[9,"b"],[7,"a \"q\""]]"#,
            Some("7 8 2025-01-02,9 23 2025-01-01,7 5 2025-01-01"),
        )
        .unwrap();
        assert_eq!(p.iter().map(|p| p.id).collect::<Vec<_>>(), vec![7, 9]);
        assert_eq!(p[0].name, "a \"q\"");
        assert_eq!(p[0].dates.iter().map(|d| d.id).collect::<Vec<_>>(), vec![1, 2]);
        assert!(p[0].dates[0].enabled && !p[0].dates[0].starred && !p[0].dates[1].enabled);
        assert!(p[1].dates[0].enabled && p[1].dates[0].starred);
        assert!(participants_compact("[]", None).unwrap().is_empty());
        assert!(participants_compact("[[1,\"a\"]]", Some("2 5 2025-01-01")).is_err());
        assert!(participants_compact("[[1,\"a\"]]", Some("1 5 2025-01-0")).is_err());
    }

    #[test]
    fn a_participant_list_decodes_with_escaped_names() {
        let p =
            participants(r#"[[7,"a \"b\" \\ 김",[[1,"2025-01-01",1,0],[2,"2025-01-02",0,0]]],[8,"c",[]]]"#).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].name, "a \"b\" \\ 김");
        assert!(p[0].dates[0].enabled && !p[0].dates[1].enabled);
        assert!(p[1].dates.is_empty());
    }
}
