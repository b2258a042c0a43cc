//! The contract every [`Store`] must honour, as plain async functions over a fresh, migrated,
//! empty store. A backend runs them all with [`contract_tests!`](crate::contract_tests).

use chrono::NaiveDate;
use futures::future::join_all;

use crate::{
    Availability, AvailabilityProblem, DateId, DateRange, DaySet, Location, Meeting, ParticipantDate, ParticipantName,
    Store, StoreError, Title, Toggle, UrlCode,
};

/// Instantiates every contract test for one backend. `$fresh` is an async expression giving
/// `Some` value that derefs to a fresh `dyn Store`-compatible store, evaluated once per test,
/// or `None` when the backend cannot be tested here (the test then passes without running).
#[macro_export]
macro_rules! contract_tests {
    ($fresh:expr) => {
        $crate::contract_tests!(@each $fresh;
            a_new_meeting_is_empty,
            a_duplicate_url_code_is_refused,
            an_unknown_meeting_is_not_found,
            the_date_range_is_stored,
            the_date_range_can_be_set_only_once,
            the_date_range_of_an_unknown_meeting_is_not_found,
            racing_date_ranges_apply_exactly_one,
            title_and_location_are_stored,
            writing_the_same_title_again_succeeds,
            title_and_location_of_an_unknown_meeting_are_not_found,
            text_round_trips_unchanged,
            creating_a_participant_creates_one_free_date_per_day,
            a_63_day_range_gives_63_dates,
            a_participant_needs_a_date_range,
            a_participant_needs_a_meeting,
            participants_are_listed_in_creation_order,
            deleting_a_participant_removes_its_dates,
            deleting_an_unknown_participant_is_not_found,
            ids_are_not_reused_after_a_delete,
            toggles_set_the_documented_flags,
            toggles_are_idempotent,
            a_date_of_another_meeting_is_not_toggled,
            a_toggle_naming_an_unknown_meeting_changes_nothing,
            an_unknown_date_is_not_found,
            concurrent_participant_creations_lose_nothing,
            concurrent_toggles_end_in_the_last_written_state,
            meetings_are_counted_and_listed_in_code_order,
            a_participant_is_marked_required_and_back_with_the_version,
            an_imported_meeting_reads_back_identical_with_its_ids,
            ids_created_after_an_import_continue_after_it,
            importing_an_existing_code_is_refused,
            every_write_bumps_the_version_and_a_failed_one_does_not,
            date_ids_name_a_participant_and_a_day_below_2_pow_53,
            a_toggle_of_a_day_outside_the_range_is_not_found,
            an_answer_replaces_the_whole_availability,
            an_answer_with_days_outside_the_range_changes_nothing,
            an_answer_for_an_unknown_or_foreign_participant_is_not_found,
            a_slow_query_takes_its_time_in_the_database,
            the_organiser_key_is_stored_as_its_hash,
            a_replaced_range_keeps_answers_on_the_days_that_remain,
            a_replaced_range_clears_a_final_date_outside_it,
            a_range_can_be_replaced_before_it_was_set,
            replacing_the_range_of_an_unknown_meeting_is_not_found,
            a_deleted_meeting_is_gone_with_its_participants,
            the_final_date_is_a_day_of_the_range_or_nothing,
            a_participant_may_be_protected_by_a_password_hash,
            a_range_replaced_while_toggles_run_never_shifts_an_answer,
            the_version_alone_is_the_one_find_meeting_shows,
            a_time_meeting_reads_back_its_grid_across_a_dst_change,
            a_time_participant_starts_free_in_no_slot,
            a_slot_answer_replaces_the_whole_answer_and_bumps_the_version,
            slot_answers_need_a_time_meeting_and_its_own_participant,
            day_routes_leave_a_time_meeting_alone,
            concurrent_slot_answers_end_in_the_state_they_define,
            an_imported_time_meeting_reads_back_identical,
            a_time_meeting_settles_on_a_window_and_a_day_meeting_cannot,
            a_duplicate_has_the_names_and_moved_days_but_no_answers,
            a_duplicated_time_meeting_has_its_grid_in_the_new_week,
            a_deadline_is_stored_and_cleared_with_the_version,
        );
    };
    (@each $fresh:expr; $($name:ident),+ $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                // `None`: this backend's server is not available here (said once, on stderr).
                let Some(store) = $fresh.await else { return };
                $crate::contract::$name(&*store).await;
            }
        )+
    };
}

fn d(s: &str) -> NaiveDate {
    s.parse().expect("test date")
}

fn range(start: &str, end: &str) -> DateRange {
    DateRange::new(d(start), d(end)).expect("test range")
}

fn name(s: &str) -> ParticipantName {
    ParticipantName::parse(s).expect("test name")
}

async fn meeting(store: &dyn Store) -> UrlCode {
    crate::create_meeting(store).await.expect("create meeting").0
}

async fn meeting_with_range(store: &dyn Store, start: &str, end: &str) -> UrlCode {
    let code = meeting(store).await;
    store
        .update_date_range(&code, range(start, end))
        .await
        .expect("set range");
    code
}

/// Every participant's dates, as GET lists them.
fn all_dates(m: &Meeting) -> Vec<ParticipantDate> {
    m.participants.iter().flat_map(|p| m.dates(p)).collect()
}

/// The dates of one participant.
fn dates_of(m: &Meeting, participant: i64) -> Vec<ParticipantDate> {
    let p = m
        .participants
        .iter()
        .find(|p| p.id == participant)
        .expect("participant exists");
    m.dates(p).collect()
}

/// The (enabled, starred) flags of one date, read back through `find_meeting`.
async fn flags(store: &dyn Store, code: &UrlCode, date_id: i64) -> (bool, bool) {
    let m = store.find_meeting(code).await.unwrap().expect("meeting exists");
    all_dates(&m)
        .iter()
        .find(|pd| pd.id == date_id)
        .map(|pd| (pd.enabled, pd.starred))
        .expect("date exists")
}

async fn version(store: &dyn Store, code: &UrlCode) -> i64 {
    store.find_meeting(code).await.unwrap().expect("meeting exists").version
}

pub async fn a_new_meeting_is_empty(store: &dyn Store) {
    // When
    let code = meeting(store).await;
    // Then
    let m = store.find_meeting(&code).await.unwrap().expect("found");
    assert_eq!(m.url_code, code);
    assert_eq!((m.title.as_str(), m.location.as_str()), ("", ""));
    assert_eq!(m.grid, crate::Grid::Days(None));
    assert!(m.participants.is_empty());
}

pub async fn a_duplicate_url_code_is_refused(store: &dyn Store) {
    let code = meeting(store).await;
    let err = store.insert_meeting(&code, None).await.unwrap_err();
    assert!(matches!(err, StoreError::DuplicateUrlCode), "{err:?}");
}

pub async fn an_unknown_meeting_is_not_found(store: &dyn Store) {
    meeting(store).await;
    let unknown = UrlCode::parse("nosuchcode").unwrap();
    assert!(store.find_meeting(&unknown).await.unwrap().is_none());
}

pub async fn the_date_range_is_stored(store: &dyn Store) {
    let code = meeting(store).await;
    store
        .update_date_range(&code, range("2025-12-01", "2025-12-31"))
        .await
        .unwrap();
    let m = store.find_meeting(&code).await.unwrap().unwrap();
    assert_eq!(m.grid, crate::Grid::Days(Some(range("2025-12-01", "2025-12-31"))));
}

pub async fn the_date_range_can_be_set_only_once(store: &dyn Store) {
    // Given
    let code = meeting_with_range(store, "2025-12-01", "2025-12-07").await;
    // When
    let err = store
        .update_date_range(&code, range("2026-01-01", "2026-01-02"))
        .await
        .unwrap_err();
    // Then
    assert_eq!(
        err.to_string(),
        format!("meeting: {code} start: 2025-12-01 end: 2025-12-07 are already set")
    );
    let m = store.find_meeting(&code).await.unwrap().unwrap();
    assert_eq!(m.grid, crate::Grid::Days(Some(range("2025-12-01", "2025-12-07"))));
    // An identical second request is refused too.
    let again = store.update_date_range(&code, range("2025-12-01", "2025-12-07")).await;
    assert!(matches!(again, Err(StoreError::DateRangeAlreadySet { .. })));
}

pub async fn the_date_range_of_an_unknown_meeting_is_not_found(store: &dyn Store) {
    let unknown = UrlCode::parse("nosuchcode").unwrap();
    let err = store
        .update_date_range(&unknown, range("2025-12-01", "2025-12-02"))
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "meeting with url_code: nosuchcode not found");
}

pub async fn racing_date_ranges_apply_exactly_one(store: &dyn Store) {
    // Given ten different ranges sent at once
    let code = meeting(store).await;
    let ranges: Vec<DateRange> = (1..=10)
        .map(|i| DateRange::new(d("2025-01-01"), d("2025-01-01") + chrono::Days::new(i)).unwrap())
        .collect();
    // When
    let results = join_all(ranges.iter().map(|r| store.update_date_range(&code, *r))).await;
    // Then exactly one wins and it is the one stored
    let winners: Vec<&DateRange> = results
        .iter()
        .zip(&ranges)
        .filter(|(r, _)| r.is_ok())
        .map(|(_, range)| range)
        .collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    for r in &results {
        assert!(
            matches!(r, Ok(()) | Err(StoreError::DateRangeAlreadySet { .. })),
            "{r:?}"
        );
    }
    let m = store.find_meeting(&code).await.unwrap().unwrap();
    assert_eq!(m.end_date(), Some(winners[0].end()));
}

pub async fn title_and_location_are_stored(store: &dyn Store) {
    let code = meeting(store).await;
    store
        .update_title(&code, &Title::parse("Team dinner").unwrap())
        .await
        .unwrap();
    store
        .update_location(&code, &Location::parse("Seoul").unwrap())
        .await
        .unwrap();
    let m = store.find_meeting(&code).await.unwrap().unwrap();
    assert_eq!((m.title.as_str(), m.location.as_str()), ("Team dinner", "Seoul"));
    // Back to empty is allowed.
    store.update_title(&code, &Title::parse("").unwrap()).await.unwrap();
    assert_eq!(store.find_meeting(&code).await.unwrap().unwrap().title, "");
}

pub async fn writing_the_same_title_again_succeeds(store: &dyn Store) {
    // The original answered 404 here (MySQL counts changed rows); we must not.
    let code = meeting(store).await;
    store.update_title(&code, &Title::parse("").unwrap()).await.unwrap();
    store
        .update_location(&code, &Location::parse("").unwrap())
        .await
        .unwrap();
    store.update_title(&code, &Title::parse("x").unwrap()).await.unwrap();
    store.update_title(&code, &Title::parse("x").unwrap()).await.unwrap();
}

pub async fn title_and_location_of_an_unknown_meeting_are_not_found(store: &dyn Store) {
    let unknown = UrlCode::parse("nosuchcode").unwrap();
    let t = store.update_title(&unknown, &Title::parse("x").unwrap()).await;
    assert!(
        matches!(t, Err(StoreError::MeetingNotFound(ref c)) if c == "nosuchcode"),
        "{t:?}"
    );
    let l = store.update_location(&unknown, &Location::parse("x").unwrap()).await;
    assert!(matches!(l, Err(StoreError::MeetingNotFound(_))), "{l:?}");
}

pub async fn text_round_trips_unchanged(store: &dyn Store) {
    let code = meeting_with_range(store, "2025-01-01", "2025-01-01").await;
    let tricky = "Kim \"the\" O'Brien \\ 김민수 😀 \t; drop table meetings; --";
    store.update_title(&code, &Title::parse(tricky).unwrap()).await.unwrap();
    let long = "가".repeat(255);
    store
        .update_location(&code, &Location::parse(&long).unwrap())
        .await
        .unwrap();
    store.insert_participant(&code, &name(tricky), None).await.unwrap();
    store.insert_participant(&code, &name(&long), None).await.unwrap();
    let m = store.find_meeting(&code).await.unwrap().unwrap();
    assert_eq!(m.title, tricky);
    assert_eq!(m.location, long);
    assert_eq!(m.participants[0].name, tricky);
    assert_eq!(m.participants[1].name, long);
}

pub async fn creating_a_participant_creates_one_free_date_per_day(store: &dyn Store) {
    // Given
    let code = meeting_with_range(store, "2025-10-10", "2025-10-12").await;
    // When
    let created = store.insert_participant(&code, &name("test"), None).await.unwrap();
    // Then
    let days: Vec<NaiveDate> = created.dates.iter().map(|(_, day)| *day).collect();
    assert_eq!(days, vec![d("2025-10-10"), d("2025-10-11"), d("2025-10-12")]);
    let m = store.find_meeting(&code).await.unwrap().unwrap();
    assert_eq!(m.participants.len(), 1);
    let p = &m.participants[0];
    assert_eq!((p.id, p.name.as_str()), (created.id, "test"));
    let listed: Vec<(i64, NaiveDate)> = m.dates(p).map(|pd| (pd.id, pd.date)).collect();
    assert_eq!(listed, created.dates);
    assert!(m.dates(p).all(|pd| pd.enabled && !pd.starred));
}

pub async fn a_63_day_range_gives_63_dates(store: &dyn Store) {
    // The original listed only 62 of them.
    let code = meeting_with_range(store, "2025-01-01", "2025-03-04").await;
    let created = store.insert_participant(&code, &name("all"), None).await.unwrap();
    assert_eq!(created.dates.len(), 63);
    assert_eq!(created.dates.last().unwrap().1, d("2025-03-04"));
    let ids: std::collections::HashSet<i64> = created.dates.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids.len(), 63);
    let m = store.find_meeting(&code).await.unwrap().unwrap();
    let crate::Answer::Days { free, .. } = m.participants[0].answer else {
        panic!("a day answer")
    };
    assert_eq!(free, DaySet::first(63));
    assert_eq!(dates_of(&m, created.id).len(), 63);
}

pub async fn a_participant_needs_a_date_range(store: &dyn Store) {
    let code = meeting(store).await;
    let err = store.insert_participant(&code, &name("early"), None).await.unwrap_err();
    assert_eq!(err.to_string(), "start and end should be set.");
    assert!(
        store
            .find_meeting(&code)
            .await
            .unwrap()
            .unwrap()
            .participants
            .is_empty()
    );
}

pub async fn a_participant_needs_a_meeting(store: &dyn Store) {
    let unknown = UrlCode::parse("not_exist").unwrap();
    let err = store
        .insert_participant(&unknown, &name("test"), None)
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "meeting with url_code: not_exist not found");
}

pub async fn participants_are_listed_in_creation_order(store: &dyn Store) {
    let code = meeting_with_range(store, "2025-01-01", "2025-01-05").await;
    let other = meeting_with_range(store, "2025-01-01", "2025-01-05").await;
    let mut expected = Vec::new();
    for n in ["zed", "amy", "kim", "bob"] {
        expected.push(store.insert_participant(&code, &name(n), None).await.unwrap().id);
        store.insert_participant(&other, &name(n), None).await.unwrap();
    }
    let m = store.find_meeting(&code).await.unwrap().unwrap();
    let ids: Vec<i64> = m.participants.iter().map(|p| p.id).collect();
    assert_eq!(ids, expected);
    let names: Vec<&str> = m.participants.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["zed", "amy", "kim", "bob"]);
    for p in &m.participants {
        let days: Vec<NaiveDate> = m.dates(p).map(|pd| pd.date).collect();
        assert_eq!(days, range("2025-01-01", "2025-01-05").days().collect::<Vec<_>>());
    }
}

pub async fn deleting_a_participant_removes_its_dates(store: &dyn Store) {
    // Given
    let code = meeting_with_range(store, "2025-01-01", "2025-01-03").await;
    let gone = store.insert_participant(&code, &name("gone"), None).await.unwrap();
    let kept = store.insert_participant(&code, &name("kept"), None).await.unwrap();
    // When
    let of = store.delete_participant(gone.id).await.unwrap();
    assert_eq!(of, code, "it names the meeting it left");
    // Then
    let m = store.find_meeting(&code).await.unwrap().unwrap();
    assert_eq!(m.participants.iter().map(|p| p.id).collect::<Vec<_>>(), vec![kept.id]);
    let err = store
        .update_participant_date(&code, gone.dates[0].0, Toggle::Off)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::ParticipantDateNotFound { .. }), "{err:?}");
    let again = store.delete_participant(gone.id).await.unwrap_err();
    assert!(matches!(again, StoreError::ParticipantNotFound(id) if id == gone.id));
}

pub async fn deleting_an_unknown_participant_is_not_found(store: &dyn Store) {
    let err = store.delete_participant(987_654).await.unwrap_err();
    assert_eq!(err.to_string(), "participant with id: 987654 not found");
}

pub async fn ids_are_not_reused_after_a_delete(store: &dyn Store) {
    // A client holding an old id must never reach somebody else's row.
    let code = meeting_with_range(store, "2025-01-01", "2025-01-02").await;
    let first = store.insert_participant(&code, &name("a"), None).await.unwrap();
    store.delete_participant(first.id).await.unwrap();
    let second = store.insert_participant(&code, &name("b"), None).await.unwrap();
    assert!(second.id > first.id);
    assert!(second.dates[0].0 > first.dates[1].0);
}

pub async fn toggles_set_the_documented_flags(store: &dyn Store) {
    let code = meeting_with_range(store, "2025-01-01", "2025-01-01").await;
    let p = store.insert_participant(&code, &name("p"), None).await.unwrap();
    let id = p.dates[0].0;
    let steps = [
        (Toggle::Off, (false, false)),
        (Toggle::Star, (true, true)),
        (Toggle::Unstar, (true, false)),
        (Toggle::Star, (true, true)),
        (Toggle::Off, (false, false)),
        (Toggle::Unstar, (false, false)),
        (Toggle::On, (true, false)),
    ];
    for (toggle, expected) in steps {
        store.update_participant_date(&code, id, toggle).await.unwrap();
        assert_eq!(flags(store, &code, id).await, expected, "after {toggle:?}");
    }
}

pub async fn toggles_are_idempotent(store: &dyn Store) {
    let code = meeting_with_range(store, "2025-01-01", "2025-01-01").await;
    let id = store.insert_participant(&code, &name("p"), None).await.unwrap().dates[0].0;
    for toggle in [Toggle::On, Toggle::Off, Toggle::Star, Toggle::Unstar] {
        store.update_participant_date(&code, id, toggle).await.unwrap();
        let once = flags(store, &code, id).await;
        store.update_participant_date(&code, id, toggle).await.unwrap();
        assert_eq!(flags(store, &code, id).await, once, "{toggle:?} twice");
    }
}

pub async fn a_date_of_another_meeting_is_not_toggled(store: &dyn Store) {
    // Given a date that belongs to meeting B
    let a = meeting_with_range(store, "2025-01-01", "2025-01-02").await;
    let b = meeting_with_range(store, "2025-01-01", "2025-01-02").await;
    store.insert_participant(&a, &name("in a"), None).await.unwrap();
    let b_date = store.insert_participant(&b, &name("in b"), None).await.unwrap().dates[0].0;
    // When it is toggled through meeting A
    let err = store
        .update_participant_date(&a, b_date, Toggle::Off)
        .await
        .unwrap_err();
    // Then it is refused and the date is unchanged
    assert!(
        matches!(err, StoreError::ParticipantDateNotFound { id, .. } if id == b_date),
        "{err:?}"
    );
    assert_eq!(flags(store, &b, b_date).await, (true, false));
}

pub async fn a_toggle_naming_an_unknown_meeting_changes_nothing(store: &dyn Store) {
    let code = meeting_with_range(store, "2025-01-01", "2025-01-01").await;
    let id = store.insert_participant(&code, &name("p"), None).await.unwrap().dates[0].0;
    let unknown = UrlCode::parse("nosuchcode").unwrap();
    let err = store
        .update_participant_date(&unknown, id, Toggle::Off)
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "meeting with url_code: nosuchcode not found");
    assert_eq!(flags(store, &code, id).await, (true, false));
}

pub async fn an_unknown_date_is_not_found(store: &dyn Store) {
    let code = meeting_with_range(store, "2025-01-01", "2025-01-01").await;
    let err = store
        .update_participant_date(&code, 424_242, Toggle::On)
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::ParticipantDateNotFound { id: 424_242, .. }),
        "{err:?}"
    );
}

pub async fn concurrent_participant_creations_lose_nothing(store: &dyn Store) {
    // Given
    let code = meeting_with_range(store, "2025-01-01", "2025-01-31").await;
    let names: Vec<ParticipantName> = (0..200).map(|i| name(&format!("p{i}"))).collect();
    // When 200 participants join at once
    let created = join_all(names.iter().map(|n| store.insert_participant(&code, n, None))).await;
    // Then every one of them is there with all 31 dates
    let created: Vec<_> = created.into_iter().map(|r| r.expect("created")).collect();
    let m = store.find_meeting(&code).await.unwrap().unwrap();
    assert_eq!(m.participants.len(), 200);
    assert!(m.participants.iter().all(|p| m.dates(p).count() == 31));
    let mut ids: Vec<i64> = created.iter().map(|c| c.id).collect();
    ids.sort_unstable();
    assert_eq!(m.participants.iter().map(|p| p.id).collect::<Vec<_>>(), ids);
    let date_ids: std::collections::HashSet<i64> = all_dates(&m).iter().map(|pd| pd.id).collect();
    assert_eq!(date_ids.len(), 200 * 31);
}

pub async fn concurrent_toggles_end_in_the_last_written_state(store: &dyn Store) {
    // Given one participant of a 63-day meeting: all its days live in one row
    let code = meeting_with_range(store, "2025-01-01", "2025-03-04").await;
    let other = store.insert_participant(&code, &name("bystander"), None).await.unwrap();
    let p = store.insert_participant(&code, &name("busy bee"), None).await.unwrap();
    let all = [Toggle::On, Toggle::Off, Toggle::Star, Toggle::Unstar];
    // 63 days, 7 or 8 toggles each: 500 toggles in all
    let plans: Vec<(i64, Vec<Toggle>)> = p
        .dates
        .iter()
        .enumerate()
        .map(|(i, (id, _))| {
            let n = if i < 500 - 7 * 63 { 8 } else { 7 };
            (*id, (0..n).map(|k| all[(i * 7 + k * 3) % 4]).collect())
        })
        .collect();
    assert_eq!(plans.iter().map(|(_, t)| t.len()).sum::<usize>(), 500);
    let before = version(store, &code).await;
    // When every day's toggles run in order, all days at once
    join_all(plans.iter().map(|(id, toggles)| {
        let code = &code;
        async move {
            for t in toggles {
                store.update_participant_date(code, *id, *t).await.expect("toggle");
            }
        }
    }))
    .await;
    // Then every day holds what its own writes define, nothing else moved, and each write
    // bumped the version once
    let m = store.find_meeting(&code).await.unwrap().unwrap();
    let dates = dates_of(&m, p.id);
    for (id, toggles) in &plans {
        let expected = toggles.iter().fold((true, false), |(e, s), t| t.apply(e, s));
        let pd = dates.iter().find(|pd| pd.id == *id).unwrap();
        assert_eq!((pd.enabled, pd.starred), expected, "date {id}");
    }
    assert!(dates_of(&m, other.id).iter().all(|pd| pd.enabled && !pd.starred));
    assert_eq!(m.version, before + 500);
}

/// A meeting as another store would hand it over: odd ids, a version of its own, one day busy
/// and one starred.
fn foreign_meeting(code: &str, id_base: i64) -> Meeting {
    let range = range("2025-06-01", "2025-06-03");
    Meeting {
        url_code: UrlCode::parse(code).unwrap(),
        title: "Imported \"title\"".into(),
        location: "Busan".into(),
        grid: crate::Grid::Days(Some(range)),
        version: 41,
        participants: (0..2)
            .map(|p| crate::Participant {
                id: id_base + 10 * p,
                name: format!("guest {p}"),
                answer: crate::Answer::Days {
                    free: DaySet::from_bits(0b101).unwrap(),
                    starred: DaySet::from_bits(0b100).unwrap(),
                },
                password_hash: (p == 1).then(|| "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned()),
                required: true,
            })
            .collect(),
        final_date: Some(d("2025-06-02")),
        organiser_key_hash: Some(crate::KeyHash::of("organiser")),
        final_slots: None,
        deadline: crate::Deadline {
            at: Some(chrono::DateTime::from_timestamp(1_748_768_400, 0).unwrap()),
            zone: Some(chrono_tz::Asia::Seoul),
            after_last_day: true,
        },
    }
}

pub async fn meetings_are_counted_and_listed_in_code_order(store: &dyn Store) {
    assert_eq!(store.count_meetings().await.unwrap(), 0);
    let mut codes = Vec::new();
    for _ in 0..5 {
        codes.push(meeting(store).await);
    }
    codes.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    assert_eq!(store.count_meetings().await.unwrap(), 5);
    let first = store.list_meeting_codes(None, 3).await.unwrap();
    let rest = store.list_meeting_codes(first.last(), 3).await.unwrap();
    assert_eq!([first, rest].concat(), codes);
}

pub async fn a_participant_is_marked_required_and_back_with_the_version(store: &dyn Store) {
    // Given a meeting with two participants, and another meeting
    let code = meeting_with_range(store, "2025-01-01", "2025-01-03").await;
    let a = store.insert_participant(&code, &name("a"), None).await.unwrap();
    let b = store.insert_participant(&code, &name("b"), None).await.unwrap();
    let other = meeting_with_range(store, "2025-01-01", "2025-01-03").await;
    let before = version(store, &code).await;
    let m = store.find_meeting(&code).await.unwrap().unwrap();
    assert!(
        m.participants.iter().all(|p| !p.required),
        "nobody is required at first"
    );
    // When b is marked required
    store.set_required(&code, b.id, true).await.unwrap();
    // Then only b is, and the version grew
    let m = store.find_meeting(&code).await.unwrap().unwrap();
    assert_eq!(
        m.participants.iter().map(|p| (p.id, p.required)).collect::<Vec<_>>(),
        [(a.id, false), (b.id, true)]
    );
    assert!(m.version > before);
    // And marking it under another meeting's code, or an unknown id, is not found and changes nothing
    for (code_used, id) in [(&other, b.id), (&code, b.id + 1_000)] {
        let err = store.set_required(code_used, id, false).await.unwrap_err();
        assert!(matches!(err, StoreError::ParticipantNotFound(_)), "{err:?}");
    }
    assert!(store.find_meeting(&code).await.unwrap().unwrap().participants[1].required);
    // And it can be taken back
    store.set_required(&code, b.id, false).await.unwrap();
    assert!(!store.find_meeting(&code).await.unwrap().unwrap().participants[1].required);
}

pub async fn an_imported_meeting_reads_back_identical_with_its_ids(store: &dyn Store) {
    // Given a meeting from elsewhere
    let original = foreign_meeting("ImportedCode1", 5_000);
    // When it is imported
    store.import_meeting(&original).await.unwrap();
    // Then it reads back exactly, ids and flags included, and works like any other
    assert_eq!(store.find_meeting(&original.url_code).await.unwrap().unwrap(), original);
    let date = DateId::encode(original.participants[1].id, d("2025-06-02"));
    store
        .update_participant_date(&original.url_code, date, Toggle::Star)
        .await
        .unwrap();
    assert_eq!(flags(store, &original.url_code, date).await, (true, true));
}

pub async fn ids_created_after_an_import_continue_after_it(store: &dyn Store) {
    let original = foreign_meeting("ImportedCode2", 7_000);
    store.import_meeting(&original).await.unwrap();
    let code = meeting_with_range(store, "2025-01-01", "2025-01-02").await;
    let created = store.insert_participant(&code, &name("after"), None).await.unwrap();
    let max_participant = original.participants.iter().map(|p| p.id).max().unwrap();
    assert!(created.id > max_participant, "{} <= {max_participant}", created.id);
}

pub async fn importing_an_existing_code_is_refused(store: &dyn Store) {
    let code = meeting(store).await;
    let mut clash = foreign_meeting("placeholder", 9_000);
    clash.url_code = code.clone();
    let err = store.import_meeting(&clash).await.unwrap_err();
    assert!(matches!(err, StoreError::DuplicateUrlCode), "{err:?}");
    let m = store.find_meeting(&code).await.unwrap().unwrap();
    assert!(m.participants.is_empty(), "nothing half-written");
}

pub async fn every_write_bumps_the_version_and_a_failed_one_does_not(store: &dyn Store) {
    // Given a new meeting
    let code = meeting(store).await;
    let mut last = version(store, &code).await;
    let mut bumped = |now: i64, what: &str| {
        assert!(now > last, "{what}: version {now} did not grow past {last}");
        last = now;
    };
    // When each kind of write happens, Then the version grows
    store
        .update_date_range(&code, range("2025-01-01", "2025-01-03"))
        .await
        .unwrap();
    bumped(version(store, &code).await, "range");
    store.update_title(&code, &Title::parse("t").unwrap()).await.unwrap();
    bumped(version(store, &code).await, "title");
    store
        .update_location(&code, &Location::parse("l").unwrap())
        .await
        .unwrap();
    bumped(version(store, &code).await, "location");
    let p = store.insert_participant(&code, &name("p"), None).await.unwrap();
    bumped(version(store, &code).await, "participant created");
    store
        .update_participant_date(&code, p.dates[0].0, Toggle::Off)
        .await
        .unwrap();
    bumped(version(store, &code).await, "toggle");
    let answer = Availability::new(vec![d("2025-01-02")], vec![d("2025-01-02")]).unwrap();
    store.replace_availability(&code, p.id, &answer).await.unwrap();
    bumped(version(store, &code).await, "answer");
    store.delete_participant(p.id).await.unwrap();
    bumped(version(store, &code).await, "participant deleted");
    // And writes that fail leave it alone
    let _ = store.update_date_range(&code, range("2025-02-01", "2025-02-02")).await;
    let _ = store.update_participant_date(&code, p.dates[0].0, Toggle::On).await;
    let _ = store.delete_participant(p.id).await;
    assert_eq!(version(store, &code).await, last);
    // Versions are per meeting
    let other = meeting(store).await;
    store.update_title(&other, &Title::parse("x").unwrap()).await.unwrap();
    assert_eq!(version(store, &code).await, last);
}

pub async fn date_ids_name_a_participant_and_a_day_below_2_pow_53(store: &dyn Store) {
    let code = meeting_with_range(store, "2025-12-30", "2026-01-02").await;
    let p = store.insert_participant(&code, &name("p"), None).await.unwrap();
    for (id, day) in &p.dates {
        assert!(*id > 0 && *id < 1 << 53, "{id}");
        assert_eq!(DateId::decode(*id), Some((p.id, *day)));
    }
}

pub async fn a_toggle_of_a_day_outside_the_range_is_not_found(store: &dyn Store) {
    // Given a participant of a 3-day meeting
    let code = meeting_with_range(store, "2025-01-02", "2025-01-04").await;
    let p = store.insert_participant(&code, &name("p"), None).await.unwrap();
    let before = store.find_meeting(&code).await.unwrap().unwrap();
    // When days just outside the range, or garbage, are toggled
    for id in [
        DateId::encode(p.id, d("2025-01-01")),
        DateId::encode(p.id, d("2025-01-05")),
        DateId::encode(p.id + 1000, d("2025-01-02")),
        -1,
        i64::MAX,
    ] {
        let err = store
            .update_participant_date(&code, id, Toggle::Star)
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::ParticipantDateNotFound { .. }),
            "{id}: {err:?}"
        );
    }
    // Then nothing changed
    assert_eq!(store.find_meeting(&code).await.unwrap().unwrap(), before);
}

pub async fn an_answer_replaces_the_whole_availability(store: &dyn Store) {
    // Given a participant free on all five days, and another one
    let code = meeting_with_range(store, "2025-01-01", "2025-01-05").await;
    let p = store.insert_participant(&code, &name("p"), None).await.unwrap();
    let q = store.insert_participant(&code, &name("q"), None).await.unwrap();
    // When its answer becomes: free on the 2nd, 4th and 5th, starring the 5th
    let answer = Availability::new(
        vec![d("2025-01-05"), d("2025-01-02"), d("2025-01-04")],
        vec![d("2025-01-05")],
    )
    .unwrap();
    store.replace_availability(&code, p.id, &answer).await.unwrap();
    // Then exactly that is stored, and the other participant is untouched
    let m = store.find_meeting(&code).await.unwrap().unwrap();
    let flags: Vec<(bool, bool)> = dates_of(&m, p.id).iter().map(|pd| (pd.enabled, pd.starred)).collect();
    assert_eq!(
        flags,
        vec![
            (false, false),
            (true, false),
            (false, false),
            (true, false),
            (true, true)
        ]
    );
    assert!(dates_of(&m, q.id).iter().all(|pd| pd.enabled && !pd.starred));
    // And an empty answer means busy every day
    let none = Availability::new(vec![], vec![]).unwrap();
    store.replace_availability(&code, p.id, &none).await.unwrap();
    let m = store.find_meeting(&code).await.unwrap().unwrap();
    assert!(dates_of(&m, p.id).iter().all(|pd| !pd.enabled && !pd.starred));
}

pub async fn an_answer_with_days_outside_the_range_changes_nothing(store: &dyn Store) {
    let code = meeting_with_range(store, "2025-01-01", "2025-01-03").await;
    let p = store.insert_participant(&code, &name("p"), None).await.unwrap();
    let before = store.find_meeting(&code).await.unwrap().unwrap();
    let answer = Availability::new(vec![d("2025-01-02"), d("2025-01-04")], vec![d("2025-01-04")]).unwrap();
    let err = store.replace_availability(&code, p.id, &answer).await.unwrap_err();
    let StoreError::Availability(problems) = err else {
        panic!("{err:?}");
    };
    let named: Vec<(&str, usize)> = problems.iter().map(|e| (e.field, e.index)).collect();
    assert_eq!(named, vec![("free", 1), ("starred", 0)]);
    assert!(problems.iter().all(|e| e.kind == AvailabilityProblem::OutsideRange));
    assert_eq!(store.find_meeting(&code).await.unwrap().unwrap(), before);
}

pub async fn an_answer_for_an_unknown_or_foreign_participant_is_not_found(store: &dyn Store) {
    let a = meeting_with_range(store, "2025-01-01", "2025-01-03").await;
    let b = meeting_with_range(store, "2025-01-01", "2025-01-03").await;
    let in_b = store.insert_participant(&b, &name("in b"), None).await.unwrap();
    let answer = Availability::new(vec![d("2025-01-01")], vec![]).unwrap();
    let foreign = store.replace_availability(&a, in_b.id, &answer).await.unwrap_err();
    assert!(
        matches!(foreign, StoreError::ParticipantNotFound(id) if id == in_b.id),
        "{foreign:?}"
    );
    let unknown = store.replace_availability(&a, 987_654, &answer).await.unwrap_err();
    assert!(
        matches!(unknown, StoreError::ParticipantNotFound(987_654)),
        "{unknown:?}"
    );
    let nowhere = UrlCode::parse("nosuchcode").unwrap();
    let missing = store
        .replace_availability(&nowhere, in_b.id, &answer)
        .await
        .unwrap_err();
    assert!(matches!(missing, StoreError::MeetingNotFound(_)), "{missing:?}");
    let m = store.find_meeting(&b).await.unwrap().unwrap();
    assert!(dates_of(&m, in_b.id).iter().all(|pd| pd.enabled));
}

pub async fn a_slow_query_takes_its_time_in_the_database(store: &dyn Store) {
    // Given a store with a meeting
    meeting(store).await;
    // When the profiling demo's slow query is asked for 150 ms
    let started = std::time::Instant::now();
    let counted = store.slow_query(std::time::Duration::from_millis(150)).await.unwrap();
    // Then it took at least about that long and computed something
    let took = started.elapsed();
    assert!(took >= std::time::Duration::from_millis(100), "{took:?}");
    assert!(counted >= 1, "{counted}");
}

pub async fn the_organiser_key_is_stored_as_its_hash(store: &dyn Store) {
    // Given a meeting created with a key
    let (code, key) = crate::create_meeting(store).await.unwrap();
    // Then the store holds the key's hash, which matches the key and nothing else
    let hash = store.organiser_key_hash(&code).await.unwrap().expect("a hash");
    assert_ne!(hash.as_str(), key.as_str());
    assert!(hash.matches(key.as_str()));
    assert!(!hash.matches("guess"));
    // And a meeting created without one has none; an unknown meeting is not found
    let old = UrlCode::generate();
    store.insert_meeting(&old, None).await.unwrap();
    assert_eq!(store.organiser_key_hash(&old).await.unwrap(), None);
    let err = store.organiser_key_hash(&UrlCode::generate()).await.unwrap_err();
    assert!(matches!(err, StoreError::MeetingNotFound(_)), "{err:?}");
}

/// The free and starred days of a participant, as dates.
fn answer_of(m: &Meeting, participant: i64) -> (Vec<NaiveDate>, Vec<NaiveDate>) {
    let dates = dates_of(m, participant);
    (
        dates.iter().filter(|pd| pd.enabled).map(|pd| pd.date).collect(),
        dates.iter().filter(|pd| pd.starred).map(|pd| pd.date).collect(),
    )
}

pub async fn a_replaced_range_keeps_answers_on_the_days_that_remain(store: &dyn Store) {
    // Given a participant free on the 2nd and 4th of Jan 1–5, starring the 4th
    let code = meeting_with_range(store, "2025-01-01", "2025-01-05").await;
    let p = store.insert_participant(&code, &name("p"), None).await.unwrap();
    let answer = Availability::new(vec![d("2025-01-02"), d("2025-01-04")], vec![d("2025-01-04")]).unwrap();
    store.replace_availability(&code, p.id, &answer).await.unwrap();
    let before = version(store, &code).await;
    // When the range moves to Jan 3–8
    store
        .replace_date_range(&code, range("2025-01-03", "2025-01-08"))
        .await
        .unwrap();
    // Then the 4th stays free and starred, the 3rd stays busy, the 5th stays busy, the added
    // 6th–8th are free and unstarred, and the 1st–2nd are gone; the version grew by one
    let m = store.find_meeting(&code).await.unwrap().unwrap();
    assert_eq!(
        (m.start_date(), m.end_date()),
        (Some(d("2025-01-03")), Some(d("2025-01-08")))
    );
    let (free, starred) = answer_of(&m, p.id);
    assert_eq!(
        free,
        vec![d("2025-01-04"), d("2025-01-06"), d("2025-01-07"), d("2025-01-08")]
    );
    assert_eq!(starred, vec![d("2025-01-04")]);
    assert_eq!(m.version, before + 1);
    // And date ids of remaining days still name the same day
    let id = DateId::encode(p.id, d("2025-01-04"));
    store.update_participant_date(&code, id, Toggle::Unstar).await.unwrap();
    assert_eq!(flags(store, &code, id).await, (true, false));
    // And shrinking to a single day keeps that day's answer
    store
        .replace_date_range(&code, range("2025-01-05", "2025-01-05"))
        .await
        .unwrap();
    let m = store.find_meeting(&code).await.unwrap().unwrap();
    assert_eq!(answer_of(&m, p.id), (vec![], vec![]), "the 5th was busy");
}

pub async fn a_replaced_range_clears_a_final_date_outside_it(store: &dyn Store) {
    let code = meeting_with_range(store, "2025-01-01", "2025-01-05").await;
    store.set_final_date(&code, Some(d("2025-01-02"))).await.unwrap();
    // When the range moves past the final date, Then the final date is cleared
    store
        .replace_date_range(&code, range("2025-01-02", "2025-01-09"))
        .await
        .unwrap();
    let m = store.find_meeting(&code).await.unwrap().unwrap();
    assert_eq!(m.final_date, Some(d("2025-01-02")), "still inside");
    store
        .replace_date_range(&code, range("2025-01-03", "2025-01-09"))
        .await
        .unwrap();
    let m = store.find_meeting(&code).await.unwrap().unwrap();
    assert_eq!(m.final_date, None);
}

pub async fn a_range_can_be_replaced_before_it_was_set(store: &dyn Store) {
    let code = meeting(store).await;
    store
        .replace_date_range(&code, range("2025-03-01", "2025-03-02"))
        .await
        .unwrap();
    let p = store.insert_participant(&code, &name("p"), None).await.unwrap();
    assert_eq!(p.dates.len(), 2);
}

pub async fn replacing_the_range_of_an_unknown_meeting_is_not_found(store: &dyn Store) {
    let err = store
        .replace_date_range(&UrlCode::generate(), range("2025-03-01", "2025-03-02"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::MeetingNotFound(_)), "{err:?}");
}

pub async fn a_deleted_meeting_is_gone_with_its_participants(store: &dyn Store) {
    // Given two meetings with participants
    let code = meeting_with_range(store, "2025-01-01", "2025-01-02").await;
    let kept = meeting_with_range(store, "2025-01-01", "2025-01-02").await;
    let p = store.insert_participant(&code, &name("p"), None).await.unwrap();
    let q = store.insert_participant(&kept, &name("q"), None).await.unwrap();
    // When one is deleted
    store.delete_meeting(&code).await.unwrap();
    // Then it, its participants and their dates are gone; the other stays whole
    assert!(store.find_meeting(&code).await.unwrap().is_none());
    assert!(store.participant_password_hash(p.id).await.unwrap().is_none());
    let err = store.delete_participant(p.id).await.unwrap_err();
    assert!(matches!(err, StoreError::ParticipantNotFound(_)), "{err:?}");
    let err = store
        .update_participant_date(&code, p.dates[0].0, Toggle::Off)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::MeetingNotFound(_)), "{err:?}");
    assert_eq!(
        store.find_meeting(&kept).await.unwrap().unwrap().participants[0].id,
        q.id
    );
    assert_eq!(store.count_meetings().await.unwrap(), 1);
    // And deleting it again is not found
    let err = store.delete_meeting(&code).await.unwrap_err();
    assert!(matches!(err, StoreError::MeetingNotFound(_)), "{err:?}");
}

pub async fn the_final_date_is_a_day_of_the_range_or_nothing(store: &dyn Store) {
    // Given a meeting without a range, a final date cannot be set
    let code = meeting(store).await;
    let err = store.set_final_date(&code, Some(d("2025-01-02"))).await.unwrap_err();
    assert!(matches!(err, StoreError::DateRangeNotSet), "{err:?}");
    store
        .update_date_range(&code, range("2025-01-01", "2025-01-03"))
        .await
        .unwrap();
    assert_eq!(store.find_meeting(&code).await.unwrap().unwrap().final_date, None);
    // When a day of the range is set, Then it is stored and the version grows
    let before = version(store, &code).await;
    store.set_final_date(&code, Some(d("2025-01-03"))).await.unwrap();
    let m = store.find_meeting(&code).await.unwrap().unwrap();
    assert_eq!((m.final_date, m.version), (Some(d("2025-01-03")), before + 1));
    // And a day outside is refused, leaving it unchanged
    for outside in ["2024-12-31", "2025-01-04"] {
        let err = store.set_final_date(&code, Some(d(outside))).await.unwrap_err();
        assert!(matches!(err, StoreError::FinalDateOutsideRange { .. }), "{err:?}");
    }
    assert_eq!(version(store, &code).await, before + 1);
    // And None clears it; unknown meetings are not found
    store.set_final_date(&code, None).await.unwrap();
    assert_eq!(store.find_meeting(&code).await.unwrap().unwrap().final_date, None);
    let err = store.set_final_date(&UrlCode::generate(), None).await.unwrap_err();
    assert!(matches!(err, StoreError::MeetingNotFound(_)), "{err:?}");
}

pub async fn a_participant_may_be_protected_by_a_password_hash(store: &dyn Store) {
    let code = meeting_with_range(store, "2025-01-01", "2025-01-02").await;
    let hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo";
    let open = store.insert_participant(&code, &name("open"), None).await.unwrap();
    let locked = store
        .insert_participant(&code, &name("locked"), Some(hash))
        .await
        .unwrap();
    assert_eq!(
        store.participant_password_hash(open.id).await.unwrap(),
        Some((code.clone(), None))
    );
    assert_eq!(
        store.participant_password_hash(locked.id).await.unwrap(),
        Some((code.clone(), Some(hash.to_owned())))
    );
    assert_eq!(store.participant_password_hash(locked.id + 1000).await.unwrap(), None);
    let m = store.find_meeting(&code).await.unwrap().unwrap();
    let hashes: Vec<Option<&str>> = m.participants.iter().map(|p| p.password_hash.as_deref()).collect();
    assert_eq!(hashes, vec![None, Some(hash)]);
}

pub async fn a_range_replaced_while_toggles_run_never_shifts_an_answer(store: &dyn Store) {
    // Given a participant busy on every day of Jan 1–20
    let code = meeting_with_range(store, "2025-01-01", "2025-01-20").await;
    let p = store.insert_participant(&code, &name("p"), None).await.unwrap();
    let busy = Availability::new(vec![], vec![]).unwrap();
    store.replace_availability(&code, p.id, &busy).await.unwrap();
    // When the range moves back and forth while the 10th is starred again and again
    let tenth = DateId::encode(p.id, d("2025-01-10"));
    let moves = async {
        for i in 0..20 {
            let r = if i % 2 == 0 {
                range("2025-01-05", "2025-01-24")
            } else {
                range("2025-01-01", "2025-01-20")
            };
            store.replace_date_range(&code, r).await.unwrap();
        }
    };
    let toggles = async {
        for _ in 0..60 {
            store.update_participant_date(&code, tenth, Toggle::Star).await.unwrap();
        }
    };
    futures::future::join(moves, toggles).await;
    // Then only the 10th is starred: a toggle never lands on a day it did not name
    let m = store.find_meeting(&code).await.unwrap().unwrap();
    assert_eq!(m.start_date(), Some(d("2025-01-01")));
    let (free, starred) = answer_of(&m, p.id);
    assert_eq!(starred, vec![d("2025-01-10")]);
    assert!(
        free.iter()
            .all(|day| *day == d("2025-01-10") || *day > d("2025-01-20") || *day < d("2025-01-05")),
        "{free:?}"
    );
}

pub async fn the_version_alone_is_the_one_find_meeting_shows(store: &dyn Store) {
    let code = meeting_with_range(store, "2025-01-01", "2025-01-02").await;
    assert_eq!(
        store.meeting_version(&code).await.unwrap(),
        Some(version(store, &code).await)
    );
    store.insert_participant(&code, &name("p"), None).await.unwrap();
    assert_eq!(
        store.meeting_version(&code).await.unwrap(),
        Some(version(store, &code).await)
    );
    assert_eq!(store.meeting_version(&UrlCode::generate()).await.unwrap(), None);
}

// ---------- time meetings ----------

/// Berlin's week of its autumn change (Sunday 2026-10-25, 03:00 back to 02:00), 01:00 to 04:00
/// in 30-minute slots on three chosen, not consecutive, days.
fn berlin_grid() -> crate::TimeGrid {
    crate::TimeGrid::new(
        vec![d("2026-10-23"), d("2026-10-25"), d("2026-10-27")],
        "01:00",
        "04:00",
        30,
        "Europe/Berlin",
    )
    .unwrap()
}

async fn time_meeting(store: &dyn Store, grid: &crate::TimeGrid) -> UrlCode {
    let code = UrlCode::generate();
    store.insert_time_meeting(&code, None, grid).await.unwrap();
    code
}

fn slots(grid: &crate::TimeGrid, free: &[usize], starred: &[usize]) -> crate::SlotAnswer {
    let at = |k: &usize| grid.cells()[*k].start.unwrap();
    let free: Vec<_> = free.iter().map(at).collect();
    let starred: Vec<_> = starred.iter().map(at).collect();
    crate::SlotAnswer::parse(grid, &free, &starred).unwrap()
}

fn cells_of(m: &Meeting, id: i64) -> (Vec<usize>, Vec<usize>) {
    let p = m.participants.iter().find(|p| p.id == id).unwrap();
    let n = m.grid.len();
    (
        (0..n).filter(|&k| p.answer.is_free(k)).collect(),
        (0..n).filter(|&k| p.answer.is_starred(k)).collect(),
    )
}

pub async fn a_time_meeting_reads_back_its_grid_across_a_dst_change(store: &dyn Store) {
    // Given a time meeting over Berlin's change of clocks
    let grid = berlin_grid();
    let code = time_meeting(store, &grid).await;
    // When it is read back
    let m = store.find_meeting(&code).await.unwrap().unwrap();
    // Then the grid is the one created: 6 cells a day, 8 on the Sunday (02:00 and 02:30 twice)
    assert_eq!(m.grid, crate::Grid::Times(grid.clone()));
    assert_eq!(m.grid.len(), 6 + 8 + 6);
    assert_eq!((m.start_date(), m.end_date()), (None, None));
    assert!(m.participants.is_empty() && m.title.is_empty());
    assert_eq!(store.count_meetings().await.unwrap(), 1);
}

pub async fn a_time_participant_starts_free_in_no_slot(store: &dyn Store) {
    let grid = berlin_grid();
    let code = time_meeting(store, &grid).await;
    let before = version(store, &code).await;
    // When someone joins
    let created = store.insert_participant(&code, &name("kim"), None).await.unwrap();
    // Then they have no day ids, are free nowhere, and the version grew
    assert!(created.dates.is_empty());
    let m = store.find_meeting(&code).await.unwrap().unwrap();
    assert_eq!(cells_of(&m, created.id), (vec![], vec![]));
    assert!(matches!(m.participants[0].answer, crate::Answer::Times { .. }));
    assert_eq!(m.version, before + 1);
}

pub async fn a_slot_answer_replaces_the_whole_answer_and_bumps_the_version(store: &dyn Store) {
    let grid = berlin_grid();
    let code = time_meeting(store, &grid).await;
    let a = store.insert_participant(&code, &name("a"), None).await.unwrap().id;
    let b = store.insert_participant(&code, &name("b"), None).await.unwrap().id;
    // When a answers twice, the second answer with the last cell of the grid
    store
        .replace_slots(&code, a, &grid, &slots(&grid, &[0, 1, 7, 8], &[7]))
        .await
        .unwrap();
    let before = version(store, &code).await;
    store
        .replace_slots(&code, a, &grid, &slots(&grid, &[8, 9, 19], &[9, 19]))
        .await
        .unwrap();
    // Then only the second answer remains, b is untouched, and the version grew by one
    let m = store.find_meeting(&code).await.unwrap().unwrap();
    assert_eq!(cells_of(&m, a), (vec![8, 9, 19], vec![9, 19]));
    assert_eq!(cells_of(&m, b), (vec![], vec![]));
    assert_eq!(m.version, before + 1);
    // And an empty answer clears it
    store
        .replace_slots(&code, a, &grid, &slots(&grid, &[], &[]))
        .await
        .unwrap();
    let m = store.find_meeting(&code).await.unwrap().unwrap();
    assert_eq!(cells_of(&m, a), (vec![], vec![]));
}

pub async fn slot_answers_need_a_time_meeting_and_its_own_participant(store: &dyn Store) {
    let grid = berlin_grid();
    let code = time_meeting(store, &grid).await;
    let other = time_meeting(store, &grid).await;
    let days = meeting_with_range(store, "2025-12-01", "2025-12-03").await;
    let mine = store.insert_participant(&code, &name("me"), None).await.unwrap().id;
    let foreign = store.insert_participant(&other, &name("them"), None).await.unwrap().id;
    let day_person = store.insert_participant(&days, &name("day"), None).await.unwrap().id;
    let answer = slots(&grid, &[3], &[]);
    let before = version(store, &code).await;
    // Another meeting's participant, an unknown one, an unknown meeting, a day meeting
    assert!(matches!(
        store.replace_slots(&code, foreign, &grid, &answer).await,
        Err(StoreError::ParticipantNotFound(id)) if id == foreign
    ));
    assert!(matches!(
        store.replace_slots(&code, i64::from(i32::MAX), &grid, &answer).await,
        Err(StoreError::ParticipantNotFound(_))
    ));
    assert!(matches!(
        store.replace_slots(&UrlCode::generate(), mine, &grid, &answer).await,
        Err(StoreError::MeetingNotFound(_))
    ));
    assert!(matches!(
        store.replace_slots(&days, day_person, &grid, &answer).await,
        Err(StoreError::WrongKind(_))
    ));
    // Changed nothing
    assert_eq!(version(store, &code).await, before);
    let m = store.find_meeting(&other).await.unwrap().unwrap();
    assert_eq!(cells_of(&m, foreign), (vec![], vec![]));
    let m = store.find_meeting(&days).await.unwrap().unwrap();
    assert_eq!(dates_of(&m, day_person).iter().filter(|d| d.enabled).count(), 3);
}

pub async fn day_routes_leave_a_time_meeting_alone(store: &dyn Store) {
    let grid = berlin_grid();
    let code = time_meeting(store, &grid).await;
    let before = version(store, &code).await;
    // A date range cannot be set on a time meeting, nor a day toggled
    assert!(
        store
            .update_date_range(&code, range("2026-10-23", "2026-10-27"))
            .await
            .is_err()
    );
    let id = store.insert_participant(&code, &name("p"), None).await.unwrap().id;
    let toggled = store
        .update_participant_date(&code, DateId::encode(id, d("2026-10-23")), Toggle::On)
        .await;
    assert!(toggled.is_err());
    let m = store.find_meeting(&code).await.unwrap().unwrap();
    assert_eq!(m.grid, crate::Grid::Times(grid));
    assert_eq!(m.version, before + 1, "only the participant's creation");
}

pub async fn concurrent_slot_answers_end_in_the_state_they_define(store: &dyn Store) {
    // Given 50 participants of a week of 15-minute slots from 09:00 to 18:00 in Seoul
    let dates: Vec<NaiveDate> = (0..7).map(|i| d("2026-06-01") + chrono::Days::new(i)).collect();
    let grid = crate::TimeGrid::new(dates, "09:00", "18:00", 15, "Asia/Seoul").unwrap();
    assert_eq!(grid.len(), 252);
    let code = time_meeting(store, &grid).await;
    let mut ids = Vec::new();
    for p in 0..50 {
        ids.push(
            store
                .insert_participant(&code, &name(&format!("p{p}")), None)
                .await
                .unwrap()
                .id,
        );
    }
    let before = version(store, &code).await;
    // When each sends 10 strokes in turn, all 50 at once (500 writes)
    let stroke = |p: usize, s: usize| {
        let free: Vec<usize> = (0..252).filter(|k| (k + p * 7 + s * 3) % 5 < 2).collect();
        let starred: Vec<usize> = free.iter().copied().filter(|k| k % 3 == 0).collect();
        (free, starred)
    };
    let grid = &grid;
    let code = &code;
    join_all(ids.iter().enumerate().map(|(p, &id)| async move {
        for s in 0..10 {
            let (free, starred) = stroke(p, s);
            store
                .replace_slots(code, id, grid, &slots(grid, &free, &starred))
                .await
                .unwrap();
        }
    }))
    .await;
    // Then each ends in its last stroke, and every write bumped the version
    let m = store.find_meeting(code).await.unwrap().unwrap();
    for (p, &id) in ids.iter().enumerate() {
        assert_eq!(cells_of(&m, id), stroke(p, 9), "participant {p}");
    }
    assert_eq!(m.version, before + 500);
}

pub async fn an_imported_time_meeting_reads_back_identical(store: &dyn Store) {
    // Given a time meeting as another store holds it
    let grid = berlin_grid();
    let answer = slots(&grid, &[1, 8, 9], &[9]).into_answer();
    let meeting = Meeting {
        url_code: UrlCode::generate(),
        title: "Call".into(),
        location: "online".into(),
        grid: crate::Grid::Times(grid),
        version: 17,
        participants: vec![
            crate::Participant {
                id: 901,
                name: "a".into(),
                answer,
                password_hash: None,
                required: false,
            },
            crate::Participant {
                id: 905,
                name: "b".into(),
                answer: crate::Answer::Times {
                    free: crate::CellSet::empty(20),
                    starred: crate::CellSet::empty(20),
                },
                password_hash: None,
                required: false,
            },
        ],
        final_date: None,
        organiser_key_hash: Some(crate::KeyHash::of("k")),
        final_slots: Some(crate::SlotWindow { start: 8, len: 2 }),
        deadline: crate::Deadline {
            after_last_day: true,
            ..crate::Deadline::NONE
        },
    };
    // When it is imported, it reads back as it was
    store.import_meeting(&meeting).await.unwrap();
    let back = store.find_meeting(&meeting.url_code).await.unwrap().unwrap();
    assert_eq!(back, meeting);
}

pub async fn a_time_meeting_settles_on_a_window_and_a_day_meeting_cannot(store: &dyn Store) {
    let grid = berlin_grid();
    let code = time_meeting(store, &grid).await;
    let before = version(store, &code).await;
    // When the organiser settles on the Sunday's second 02:00 and 02:30 (cells 10 and 11)
    let window = crate::SlotWindow { start: 10, len: 2 };
    store.set_final_slots(&code, Some(window)).await.unwrap();
    // Then it reads back, the version grew, and it can be undone
    let m = store.find_meeting(&code).await.unwrap().unwrap();
    assert_eq!(m.final_slots, Some(window));
    assert_eq!(m.final_date, None);
    assert_eq!(m.version, before + 1);
    store.set_final_slots(&code, None).await.unwrap();
    assert_eq!(store.find_meeting(&code).await.unwrap().unwrap().final_slots, None);
    // And a day meeting or an unknown one is refused
    let days = meeting_with_range(store, "2025-12-01", "2025-12-03").await;
    assert!(matches!(
        store.set_final_slots(&days, Some(window)).await,
        Err(StoreError::WrongKind(_))
    ));
    assert!(matches!(
        store.set_final_slots(&UrlCode::generate(), None).await,
        Err(StoreError::MeetingNotFound(_))
    ));
}

pub async fn a_duplicate_has_the_names_and_moved_days_but_no_answers(store: &dyn Store) {
    // Given a titled meeting over 2025-01-06..08, settled on the 7th, where a answered (free and
    // starred on the 6th only) and b is protected and required
    let (code, _) = crate::create_meeting(store).await.unwrap();
    store
        .update_date_range(&code, range("2025-01-06", "2025-01-08"))
        .await
        .unwrap();
    store
        .update_title(&code, &Title::parse("송년회").unwrap())
        .await
        .unwrap();
    store
        .update_location(&code, &Location::parse("Room 1").unwrap())
        .await
        .unwrap();
    let a = store.insert_participant(&code, &name("a"), None).await.unwrap();
    let answer = Availability::new(vec![d("2025-01-06")], vec![d("2025-01-06")]).unwrap();
    store.replace_availability(&code, a.id, &answer).await.unwrap();
    let b = store
        .insert_participant(&code, &name("b"), Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"))
        .await
        .unwrap();
    store.set_required(&code, b.id, true).await.unwrap();
    store.set_final_date(&code, Some(d("2025-01-07"))).await.unwrap();
    let source = store.find_meeting(&code).await.unwrap().unwrap();
    // When it is duplicated two weeks later
    let (copy, key) = crate::duplicate_meeting(store, &source, 2).await.unwrap();
    // Then the copy is another meeting over 2025-01-20..22 with the title, location and names
    assert_ne!(copy, code);
    let m = store.find_meeting(&copy).await.unwrap().unwrap();
    assert_eq!(
        (m.start_date(), m.end_date()),
        (Some(d("2025-01-20")), Some(d("2025-01-22")))
    );
    assert_eq!((m.title.as_str(), m.location.as_str()), ("송년회", "Room 1"));
    let people: Vec<_> = m
        .participants
        .iter()
        .map(|p| (p.name.as_str(), p.required, p.password_hash.clone()))
        .collect();
    assert_eq!(
        people,
        [
            ("a", false, None),
            ("b", true, source.participants[1].password_hash.clone())
        ]
    );
    // And new ids, and no answers: free on every day as someone who just joined, nothing starred
    assert!(m.participants.iter().all(|p| p.id != a.id && p.id != b.id));
    for p in &m.participants {
        assert!((0..3).all(|k| p.answer.is_free(k) && !p.answer.is_starred(k)), "{p:?}");
    }
    assert_eq!(m.final_date, None);
    // And its organiser key is its own
    assert_eq!(store.organiser_key_hash(&copy).await.unwrap(), Some(key.hash()));
    assert_ne!(store.organiser_key_hash(&code).await.unwrap(), Some(key.hash()));
    // And the original is unchanged
    assert_eq!(store.find_meeting(&code).await.unwrap().unwrap(), source);
    // And moving back a week works too
    let (earlier, _) = crate::duplicate_meeting(store, &source, -1).await.unwrap();
    let m = store.find_meeting(&earlier).await.unwrap().unwrap();
    assert_eq!(m.start_date(), Some(d("2024-12-30")));
}

pub async fn a_duplicated_time_meeting_has_its_grid_in_the_new_week(store: &dyn Store) {
    // Given a Berlin time meeting over its change of clocks, with someone's answer
    let grid = berlin_grid();
    let code = time_meeting(store, &grid).await;
    let kim = store.insert_participant(&code, &name("kim"), None).await.unwrap();
    store
        .replace_slots(&code, kim.id, &grid, &slots(&grid, &[0, 1], &[0]))
        .await
        .unwrap();
    let source = store.find_meeting(&code).await.unwrap().unwrap();
    // When it is duplicated a week later
    let (copy, _) = crate::duplicate_meeting(store, &source, 1).await.unwrap();
    // Then the copy's days are a week later with the same hours, slots and zone, and the
    // Sunday, no longer a change of clocks, has 6 slots like the others
    let m = store.find_meeting(&copy).await.unwrap().unwrap();
    let crate::Grid::Times(moved) = &m.grid else {
        panic!("{:?}", m.grid)
    };
    assert_eq!(moved.dates(), [d("2026-10-30"), d("2026-11-01"), d("2026-11-03")]);
    assert_eq!(
        (moved.spec().day_start.as_str(), moved.spec().day_end.as_str()),
        ("01:00", "04:00")
    );
    assert_eq!((moved.slot_minutes(), moved.zone().name()), (30, "Europe/Berlin"));
    assert_eq!(m.grid.len(), 18);
    // And kim is in it, free in no slot
    assert_eq!(m.participants.len(), 1);
    assert_eq!(m.participants[0].name, "kim");
    assert_eq!(cells_of(&m, m.participants[0].id), (vec![], vec![]));
}

pub async fn a_deadline_is_stored_and_cleared_with_the_version(store: &dyn Store) {
    // Given a meeting without a deadline
    let code = meeting_with_range(store, "2025-01-06", "2025-01-08").await;
    assert_eq!(
        store.find_meeting(&code).await.unwrap().unwrap().deadline,
        crate::Deadline::NONE
    );
    let before = version(store, &code).await;
    // When the organiser sets one in Seoul, closing after the last day too
    let deadline = crate::Deadline {
        at: Some(chrono::DateTime::from_timestamp(1_736_240_400, 0).unwrap()),
        zone: Some(chrono_tz::Asia::Seoul),
        after_last_day: true,
    };
    store.set_deadline(&code, &deadline).await.unwrap();
    // Then it reads back as set, with a new version
    let m = store.find_meeting(&code).await.unwrap().unwrap();
    assert_eq!(m.deadline, deadline);
    assert!(m.version > before);
    // And clearing it reopens the meeting
    store.set_deadline(&code, &crate::Deadline::NONE).await.unwrap();
    assert_eq!(
        store.find_meeting(&code).await.unwrap().unwrap().deadline,
        crate::Deadline::NONE
    );
    // And an unknown meeting is not found
    let err = store.set_deadline(&UrlCode::generate(), &deadline).await.unwrap_err();
    assert!(matches!(err, StoreError::MeetingNotFound(_)), "{err:?}");
}
