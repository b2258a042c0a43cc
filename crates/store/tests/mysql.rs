//! The storage contract on MySQL/MariaDB, each test on its own fresh database: once as an
//! account that may create routines (participants join through a stored procedure) and once
//! as one that may not (they join through a transaction).

use meetifyr_core::{DateRange, ParticipantName, Store, StoreError, UrlCode};
use meetifyr_store::{
    StoreOptions,
    mysql::{JoinPath, MySqlStore},
    testing::{Backend, TestDatabase, available, fresh_plain_mysql_database, fresh_plain_mysql_store, fresh_store},
};

meetifyr_core::contract_tests!(fresh_store(Backend::MySql));

mod without_routines {
    use super::*;
    meetifyr_core::contract_tests!(fresh_plain_mysql_store());
}

fn date(s: &str) -> chrono::NaiveDate {
    s.parse().unwrap()
}

/// Joins one participant to a fresh meeting of `days` days; answers the participant's free days
/// and how much the version grew.
async fn join_once(store: &MySqlStore, days: i64) -> (usize, i64) {
    let code = UrlCode::generate();
    store.insert_meeting(&code, None).await.unwrap();
    let start = date("2025-02-26");
    let range = DateRange::new(start, start + chrono::Duration::days(days - 1)).unwrap();
    store.update_date_range(&code, range).await.unwrap();
    let before = store.find_meeting(&code).await.unwrap().unwrap().version;
    let created = store
        .insert_participant(&code, &ParticipantName::parse("Dana").unwrap(), None)
        .await
        .unwrap();
    let meeting = store.find_meeting(&code).await.unwrap().unwrap();
    let joined = meeting.participants.iter().find(|p| p.id == created.id).unwrap();
    let free = meeting.dates(joined).filter(|d| d.enabled).count();
    (free, meeting.version - before)
}

#[tokio::test]
async fn an_account_that_may_create_routines_joins_through_the_procedure() {
    // Given an account with every privilege on its database
    if !available(Backend::MySql) {
        return;
    }
    let database = TestDatabase::create(Backend::MySql).await;
    // When the store starts, twice (the second finds the procedure made by the first)
    let first = MySqlStore::connect(&database.url, &StoreOptions::default())
        .await
        .unwrap();
    let second = MySqlStore::connect(&database.url, &StoreOptions::default())
        .await
        .unwrap();
    // Then both join through it, free on every day of the range, the version bumped once
    assert_eq!(first.join_path(), JoinPath::Procedure);
    assert_eq!(second.join_path(), JoinPath::Procedure);
    assert_eq!(join_once(&second, 1).await, (1, 1));
    assert_eq!(join_once(&second, 63).await, (63, 1));
    // And a meeting without a range or an unknown code writes nothing
    let bare = UrlCode::generate();
    second.insert_meeting(&bare, None).await.unwrap();
    let name = ParticipantName::parse("Eun").unwrap();
    let err = second.insert_participant(&bare, &name, None).await.unwrap_err();
    assert!(matches!(err, StoreError::DateRangeNotSet), "{err:?}");
    let err = second
        .insert_participant(&UrlCode::generate(), &name, None)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::MeetingNotFound(_)), "{err:?}");
    assert_eq!(second.find_meeting(&bare).await.unwrap().unwrap().participants.len(), 0);
}

#[tokio::test]
async fn an_account_that_may_not_create_routines_joins_through_a_transaction() {
    // Given an account without CREATE ROUTINE or EXECUTE
    let Some((_database, url)) = fresh_plain_mysql_database().await else {
        return;
    };
    // When the store starts
    let store = MySqlStore::connect(&url, &StoreOptions::default()).await.unwrap();
    // Then it says so and joins the same way the procedure does
    assert_eq!(store.join_path(), JoinPath::Transaction);
    assert_eq!(join_once(&store, 1).await, (1, 1));
    assert_eq!(join_once(&store, 63).await, (63, 1));
}
