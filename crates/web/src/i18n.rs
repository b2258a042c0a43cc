//! The page's words in Korean and English, written by hand. Chosen by a `lang` cookie (set by
//! the switch), else by `Accept-Language`.

use axum::http::{HeaderMap, header};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Ko,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ko => "ko",
            Lang::En => "en",
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Ko => Lang::En,
            Lang::En => Lang::Ko,
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "ko" => Some(Lang::Ko),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The `lang` cookie, else the first of Korean or English in `Accept-Language` by quality;
    /// English when neither is asked for.
    pub fn of(headers: &HeaderMap) -> Lang {
        if let Some(lang) = crate::cookies::cookie(headers, "lang").and_then(|v| Lang::parse(&v)) {
            return lang;
        }
        let accept = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let mut best: Option<(f32, Lang)> = None;
        for part in accept.split(',') {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q=").map(|q| q.parse::<f32>().unwrap_or(0.0)))
                .unwrap_or(1.0);
            // `q=0` means "not this one" (RFC 9110 §12.4.2), and so does a quality we cannot read.
            if q.is_nan() || q <= 0.0 {
                continue;
            }
            let lang = match tag.split('-').next() {
                Some("ko") => Lang::Ko,
                Some("en") => Lang::En,
                _ => continue,
            };
            if best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map_or(Lang::En, |(_, lang)| lang)
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::Ko => &KO,
            Lang::En => &EN,
        }
    }

    /// Column headers of a month, in the order of its weeks: Korean weeks start on Sunday,
    /// English ones on Monday.
    pub fn weekdays(self) -> [&'static str; 7] {
        match self {
            Lang::Ko => ["일", "월", "화", "수", "목", "금", "토"],
            Lang::En => ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
        }
    }

    /// The weekdays' full names, in the order of [`Lang::weekdays`] (headers' `abbr`).
    pub fn weekday_names(self) -> [&'static str; 7] {
        match self {
            Lang::Ko => ["일요일", "월요일", "화요일", "수요일", "목요일", "금요일", "토요일"],
            Lang::En => [
                "Monday",
                "Tuesday",
                "Wednesday",
                "Thursday",
                "Friday",
                "Saturday",
                "Sunday",
            ],
        }
    }

    /// Header cells of a month's columns: short name and full name.
    pub fn weekday_headers(self) -> impl Iterator<Item = (&'static str, &'static str)> {
        self.weekdays().into_iter().zip(self.weekday_names())
    }

    /// Days from the week's first column to Monday (0 for Monday-first weeks).
    pub fn monday_offset(self) -> u32 {
        match self {
            Lang::Ko => 1,
            Lang::En => 0,
        }
    }

    pub fn month(self, year: i32, month: u32) -> String {
        const EN: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        match self {
            Lang::Ko => format!("{year}년 {month}월"),
            Lang::En => format!("{} {year}", EN[(month - 1) as usize]),
        }
    }

    /// How [`Lang::day`] writes a day: `{wd}` its short weekday, `{mon}` its short month,
    /// `{m}` the month's number, `{d}` the day's. The create page's script writes days with it.
    pub fn day_format(self) -> &'static str {
        match self {
            Lang::Ko => "{m}월 {d}일 ({wd})",
            Lang::En => "{wd}, {mon} {d}",
        }
    }

    /// Short weekday names from Monday.
    pub fn short_days(self) -> [&'static str; 7] {
        match self {
            Lang::Ko => ["월", "화", "수", "목", "금", "토", "일"],
            Lang::En => ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
        }
    }

    pub fn short_months(self) -> [&'static str; 12] {
        [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ]
    }

    /// A day for people: `1월 5일 (월)`, `Mon, Jan 5`.
    pub fn day(self, date: chrono::NaiveDate) -> String {
        use chrono::Datelike;
        let weekday = date.weekday().num_days_from_monday() as usize;
        self.day_format()
            .replace("{wd}", self.short_days()[weekday])
            .replace("{mon}", self.short_months()[date.month0() as usize])
            .replace("{m}", &date.month().to_string())
            .replace("{d}", &date.day().to_string())
    }
}

/// Every word on the pages. `{n}`-style holes are filled in by the view.
pub struct Texts {
    pub skip: &'static str,
    pub settings: &'static str,
    pub tagline: &'static str,
    pub switch_language: &'static str,
    pub theme: &'static str,
    pub create_heading: &'static str,
    pub title_label: &'static str,
    pub title_placeholder: &'static str,
    pub location_label: &'static str,
    pub location_placeholder: &'static str,
    pub dates_label: &'static str,
    pub next_4_weeks: &'static str,
    pub this_month: &'static str,
    pub next_month: &'static str,
    pub start_label: &'static str,
    pub end_label: &'static str,
    pub range_fixed: &'static str,
    pub end_before_start: &'static str,
    pub too_long: &'static str,
    pub days_chosen: &'static str,
    /// `days_chosen` for exactly one day (English has a singular).
    pub day_chosen: &'static str,
    pub create_button: &'static str,
    pub share_heading: &'static str,
    pub copy: &'static str,
    pub copied: &'static str,
    pub share: &'static str,
    pub qr_label: &'static str,
    pub open_meeting: &'static str,
    pub no_range: &'static str,
    pub best_heading: &'static str,
    pub best_none: &'static str,
    pub free_of: &'static str,
    pub group_heading: &'static str,
    pub legend_count: &'static str,
    pub legend_all: &'static str,
    pub legend_star: &'static str,
    pub people_heading: &'static str,
    pub everyone: &'static str,
    pub only_me: &'static str,
    pub nobody_yet: &'static str,
    pub free: &'static str,
    pub busy: &'static str,
    pub starred: &'static str,
    pub close: &'static str,
    pub join_heading: &'static str,
    pub name_label: &'static str,
    pub join_button: &'static str,
    pub answering_as: &'static str,
    pub not_you: &'static str,
    pub answer_heading: &'static str,
    pub mode_label: &'static str,
    pub mode_free: &'static str,
    pub mode_star: &'static str,
    pub paint_hint: &'static str,
    pub free_on: &'static str,
    pub star_on: &'static str,
    pub save: &'static str,
    pub saved: &'static str,
    pub save_failed: &'static str,
    pub offline: &'static str,
    pub online: &'static str,
    pub not_found: &'static str,
    pub not_found_hint: &'static str,
    pub home: &'static str,
    pub organiser_heading: &'static str,
    pub organiser_link_label: &'static str,
    pub copy_organiser: &'static str,
    pub organiser_hint: &'static str,
    pub change_dates: &'static str,
    pub change_dates_confirm: &'static str,
    pub finalize_label: &'static str,
    pub finalize_button: &'static str,
    pub unfinalize: &'static str,
    pub delete_meeting: &'static str,
    pub delete_confirm: &'static str,
    pub deleted: &'static str,
    pub final_heading: &'static str,
    pub add_to_calendar: &'static str,
    pub download_csv: &'static str,
    pub subscribe: &'static str,
    pub all_days: &'static str,
    pub trip_heading: &'static str,
    pub trip_days: &'static str,
    pub trip_start: &'static str,
    pub any_day: &'static str,
    pub trip_skip_weekends: &'static str,
    pub trip_min_free: &'static str,
    pub trip_find: &'static str,
    pub trip_none: &'static str,
    pub trip_free: &'static str,
    pub required_mark: &'static str,
    pub required_missing: &'static str,
    pub required_heading: &'static str,
    pub required_hint: &'static str,
    pub answers_close: &'static str,
    pub answers_closed: &'static str,
    pub reopen_hint: &'static str,
    pub deadline_heading: &'static str,
    pub deadline_label: &'static str,
    pub deadline_hint: &'static str,
    pub close_after_days: &'static str,
    pub deadline_set: &'static str,
    pub close_now: &'static str,
    pub reopen: &'static str,
    pub import_link: &'static str,
    pub import_label: &'static str,
    pub import_hint: &'static str,
    pub import_busy: &'static str,
    pub import_none: &'static str,
    pub import_needs_js: &'static str,
    pub duplicate_heading: &'static str,
    pub duplicate_hint: &'static str,
    pub duplicate_weeks: &'static str,
    pub duplicate_button: &'static str,
    pub password_label: &'static str,
    pub password_hint: &'static str,
    pub password_needed: &'static str,
    pub password_prompt: &'static str,
    pub wrong_password: &'static str,
    pub too_many_attempts: &'static str,
    pub already_answered: &'static str,
    pub thats_me: &'static str,
    pub kind_label: &'static str,
    pub kind_days: &'static str,
    pub kind_times: &'static str,
    pub weekdays_label: &'static str,
    pub pick_days_label: &'static str,
    pub pick_days_hint: &'static str,
    pub pick_days_button: &'static str,
    pub no_days_chosen: &'static str,
    pub day_start_label: &'static str,
    pub day_end_label: &'static str,
    pub slot_label: &'static str,
    pub minutes_unit: &'static str,
    pub zone_label: &'static str,
    pub zone_unknown: &'static str,
    pub hours_invalid: &'static str,
    pub times_in: &'static str,
    pub show_my_zone: &'static str,
    pub show_meeting_zone: &'static str,
    pub gap_label: &'static str,
    pub times_hint: &'static str,
    pub slot_free_of: &'static str,
    pub time_heading: &'static str,
    pub final_slot_heading: &'static str,
    pub best_times_heading: &'static str,
}

pub static KO: Texts = Texts {
    skip: "본문으로 건너뛰기",
    settings: "설정",
    tagline: "모두가 되는 날을 찾아요",
    switch_language: "English",
    theme: "어두운 화면",
    create_heading: "새 모임 만들기",
    title_label: "모임 이름",
    title_placeholder: "예: 12월 송년회",
    location_label: "장소 (선택)",
    location_placeholder: "예: 강남역 근처",
    dates_label: "날짜 범위",
    next_4_weeks: "앞으로 4주",
    this_month: "이번 달",
    next_month: "다음 달",
    start_label: "시작일",
    end_label: "종료일",
    range_fixed: "만든 뒤에는 주최자 링크로만 날짜 범위를 바꿀 수 있어요.",
    end_before_start: "종료일은 시작일과 같거나 그 뒤여야 해요.",
    too_long: "최대 63일까지 고를 수 있어요 (종료일은 시작일부터 62일 뒤까지).",
    days_chosen: "{n}일 선택됨",
    day_chosen: "1일 선택됨",
    create_button: "모임 만들기",
    share_heading: "모임이 만들어졌어요! 아래 링크를 참여자에게 보내 주세요.",
    copy: "링크 복사",
    copied: "링크를 복사했어요",
    share: "공유하기",
    qr_label: "모임 링크 QR 코드",
    open_meeting: "모임 페이지로 가기",
    no_range: "아직 날짜 범위가 정해지지 않았어요.",
    best_heading: "가장 좋은 날짜",
    best_none: "아직 응답이 없어요.",
    free_of: "{free}/{total}명 가능 · ★{stars}",
    group_heading: "모두의 일정",
    legend_count: "숫자: 가능한 사람 수",
    legend_all: "모두 가능",
    legend_star: "선호한 사람 있음",
    people_heading: "참여자",
    everyone: "모두 보기",
    only_me: "나만 보기",
    nobody_yet: "아직 참여한 사람이 없어요. 첫 번째로 참여해 보세요!",
    free: "가능",
    busy: "불가능",
    starred: "선호",
    close: "닫기",
    join_heading: "참여하기",
    name_label: "이름",
    join_button: "참여",
    answering_as: "{name} 님으로 응답하는 중",
    not_you: "본인이 아닌가요?",
    answer_heading: "내 일정",
    mode_label: "칠하기",
    mode_free: "가능",
    mode_star: "★ 선호",
    paint_hint: "한 날짜에서 다른 날짜로 끌면 그 사이의 모든 날이 바뀌어요. Shift+클릭이나 Shift+Space는 마지막으로 바꾼 날부터 이어서 바꿔요. 키보드로는 체크 상자를 쓰세요.",
    free_on: "{day} 가능",
    star_on: "{day} 선호",
    save: "저장",
    saved: "저장했어요",
    save_failed: "저장하지 못했어요. 다시 시도해 주세요.",
    offline: "연결이 끊겼어요. 다시 연결하는 중…",
    online: "다시 연결됐어요",
    not_found: "모임을 찾을 수 없어요",
    not_found_hint: "링크가 정확한지 확인해 주세요.",
    home: "새 모임 만들기",
    organiser_heading: "주최자 메뉴",
    organiser_link_label: "주최자 링크 (다른 사람에게 보내지 마세요)",
    copy_organiser: "주최자 링크 복사",
    organiser_hint: "이 링크로 날짜를 바꾸거나, 날짜를 확정하거나, 모임을 삭제할 수 있어요. 이 브라우저는 기억해 둬요.",
    change_dates: "날짜 바꾸기",
    change_dates_confirm: "날짜 범위를 바꿀까요? 범위에서 빠지는 날의 응답은 사라지고, 새로 들어오는 날은 모두 '가능'으로 시작해요.",
    finalize_label: "확정할 날짜",
    finalize_button: "이 날로 확정",
    unfinalize: "확정 취소",
    delete_meeting: "모임 삭제",
    delete_confirm: "이 모임과 모든 응답을 삭제할까요? 되돌릴 수 없어요.",
    deleted: "모임을 삭제했어요.",
    final_heading: "확정된 날짜",
    add_to_calendar: "캘린더에 추가 (.ics)",
    download_csv: "응답 내려받기 (CSV)",
    subscribe: "캘린더에서 구독",
    all_days: "모든 날짜 순위 보기",
    trip_heading: "며칠 연속으로 모일 날 찾기",
    trip_days: "연속 일수",
    trip_start: "시작 요일",
    any_day: "아무 요일",
    trip_skip_weekends: "주말(토·일) 빼기",
    trip_min_free: "최소 가능 인원",
    trip_find: "찾기",
    trip_none: "조건에 맞는 날짜가 없어요.",
    trip_free: "{free}/{total}명이 모든 날 가능 · ★{stars}",
    required_mark: "필수",
    required_missing: "필수 참여자가 안 되는 날",
    required_heading: "꼭 와야 하는 사람",
    required_hint: "표시한 사람이 안 되는 날은 순위에서 뒤로 가요.",
    answers_close: "응답 마감:",
    answers_closed: "응답이 마감됐어요:",
    reopen_hint: "주최자가 다시 열 수 있어요.",
    deadline_heading: "응답 마감",
    deadline_label: "마감 일시",
    deadline_hint: "마감 뒤에는 다시 열기 전까지 아무도 참여하거나 응답을 바꿀 수 없어요.",
    close_after_days: "마지막 날이 지나면 자동으로 마감",
    deadline_set: "마감 설정",
    close_now: "지금 마감",
    reopen: "응답 다시 열기",
    import_link: "캘린더에서 바쁜 날 가져오기 (.ics)",
    import_label: "캘린더 파일 (.ics, Google·Apple·Outlook에서 내보내기)",
    import_hint: "파일은 저장하지 않아요. 일정이 있는 날을 안 됨으로 바꿔 보여 드리니, 확인한 뒤 저장을 누르세요.",
    import_busy: "일정이 있는 {n}곳을 안 됨으로 표시했어요(점선). 확인한 뒤 저장을 누르세요.",
    import_none: "캘린더에 이 모임 기간의 일정이 없어요.",
    import_needs_js: "캘린더 가져오기에는 JavaScript가 필요해요.",
    duplicate_heading: "이 모임 복제",
    duplicate_hint: "제목, 장소, 참가자 이름은 그대로 두고 응답은 비운 새 모임을 만들어요. 날짜는 주 단위로 옮겨요.",
    duplicate_weeks: "몇 주 뒤로",
    duplicate_button: "복제해서 열기",
    password_label: "비밀번호 (선택)",
    password_hint: "정해 두면 비밀번호를 아는 사람만 내 응답을 바꿀 수 있어요.",
    password_needed: "내 응답을 바꾸려면 비밀번호를 입력하세요.",
    password_prompt: "비밀번호",
    wrong_password: "비밀번호가 맞지 않아요.",
    too_many_attempts: "시도가 너무 많아요. 잠시 뒤에 다시 해 보세요.",
    already_answered: "이미 응답했나요? 누구인지 고르세요",
    thats_me: "나예요",
    kind_label: "무엇을 정하나요?",
    kind_days: "날짜 (하루 단위)",
    kind_times: "시간 (시각 단위)",
    weekdays_label: "이 요일만 (선택)",
    pick_days_label: "날짜",
    pick_days_hint: "필요 없는 날은 체크를 해제하세요. 위에서 요일을 고르면 그 요일만 체크돼요.",
    pick_days_button: "날짜 하나씩 고르기",
    no_days_chosen: "하루 이상 골라 주세요.",
    day_start_label: "가장 이른 시각",
    day_end_label: "가장 늦은 시각",
    slot_label: "칸 길이",
    minutes_unit: "분",
    zone_label: "시간대",
    zone_unknown: "알 수 없는 시간대예요 (예: Asia/Seoul)",
    hours_invalid: "가장 늦은 시각은 가장 이른 시각보다 뒤여야 해요.",
    times_in: "시간은 {zone} 기준이에요.",
    show_my_zone: "내 시간대({zone})로 보기",
    show_meeting_zone: "모임 시간대({zone})로 보기",
    gap_label: "없는 시각 (서머타임 전환)",
    times_hint: "비는 시간을 끌어서 칠하세요. 칠한 칸에서 시작하면 지워져요. 키보드로는 화살표로 움직이고 스페이스로 표시해요.",
    slot_free_of: "{when}: {total}명 중 {free}명 가능",
    time_heading: "시각",
    final_slot_heading: "정해진 시간",
    best_times_heading: "가장 좋은 시간",
};

pub static EN: Texts = Texts {
    skip: "Skip to content",
    settings: "Settings",
    tagline: "Find the day that works for everyone",
    switch_language: "한국어",
    theme: "Dark mode",
    create_heading: "Create a meeting",
    title_label: "Title",
    title_placeholder: "e.g. December team dinner",
    location_label: "Location (optional)",
    location_placeholder: "e.g. near the station",
    dates_label: "Dates",
    next_4_weeks: "Next 4 weeks",
    this_month: "This month",
    next_month: "Next month",
    start_label: "Start",
    end_label: "End",
    range_fixed: "Once the meeting is created, only its organiser link can change the dates.",
    end_before_start: "The end must be on or after the start.",
    too_long: "Choose at most 63 days (the end at most 62 days after the start).",
    days_chosen: "{n} days chosen",
    day_chosen: "1 day chosen",
    create_button: "Create meeting",
    share_heading: "Your meeting is ready. Send this link to everyone:",
    copy: "Copy link",
    copied: "Link copied",
    share: "Share…",
    qr_label: "QR code of the meeting link",
    open_meeting: "Go to the meeting",
    no_range: "No dates have been set yet.",
    best_heading: "Best dates",
    best_none: "No answers yet.",
    free_of: "{free}/{total} free · {stars}★",
    group_heading: "Everyone's availability",
    legend_count: "Number: people free",
    legend_all: "Everyone free",
    legend_star: "Someone's favourite",
    people_heading: "People",
    everyone: "Everyone",
    only_me: "Only me",
    nobody_yet: "Nobody has answered yet. Be the first!",
    free: "Free",
    busy: "Busy",
    starred: "Starred",
    close: "Close",
    join_heading: "Join",
    name_label: "Your name",
    join_button: "Join",
    answering_as: "Answering as {name}",
    not_you: "Not you?",
    answer_heading: "My availability",
    mode_label: "Paint",
    mode_free: "Free",
    mode_star: "★ Star",
    paint_hint: "Drag from one day to another to change every day between them; Shift+click or Shift+Space extends from the last day you changed. With a keyboard, use the check boxes.",
    free_on: "Free on {day}",
    star_on: "Star {day}",
    save: "Save",
    saved: "Saved",
    save_failed: "Could not save. Please try again.",
    offline: "Connection lost. Reconnecting…",
    online: "Back online",
    not_found: "Meeting not found",
    not_found_hint: "Check that the link is complete.",
    home: "Create a meeting",
    organiser_heading: "Organiser",
    organiser_link_label: "Organiser link (do not share it)",
    copy_organiser: "Copy organiser link",
    organiser_hint: "With this link you can change the dates, settle on a date or delete the meeting. This browser remembers it.",
    change_dates: "Change dates",
    change_dates_confirm: "Change the dates? Answers on days that are removed are lost; days that are added start as free for everyone.",
    finalize_label: "Date to settle on",
    finalize_button: "Settle on this date",
    unfinalize: "Undo",
    delete_meeting: "Delete meeting",
    delete_confirm: "Delete this meeting and every answer in it? This cannot be undone.",
    deleted: "The meeting was deleted.",
    final_heading: "The date is set",
    add_to_calendar: "Add to calendar (.ics)",
    download_csv: "Download answers (CSV)",
    subscribe: "Subscribe in a calendar",
    all_days: "Every day, ranked",
    trip_heading: "Find days in a row",
    trip_days: "Days in a row",
    trip_start: "Starting on",
    any_day: "Any day",
    trip_skip_weekends: "Leave out weekends (Sat, Sun)",
    trip_min_free: "At least this many free",
    trip_find: "Find",
    trip_none: "No run of days matches.",
    trip_free: "{free}/{total} free on every day · {stars}★",
    required_mark: "required",
    required_missing: "a required person can’t come",
    required_heading: "People the meeting needs",
    required_hint: "Days they can’t come rank below the rest.",
    answers_close: "Answers close",
    answers_closed: "Answers closed",
    reopen_hint: "The organiser can reopen them.",
    deadline_heading: "Answer deadline",
    deadline_label: "Close answers at",
    deadline_hint: "After it, nobody can join or change an answer until you reopen.",
    close_after_days: "Also close once the last day has passed",
    deadline_set: "Set deadline",
    close_now: "Close answers now",
    reopen: "Reopen answers",
    import_link: "Import busy days from a calendar (.ics)",
    import_label: "Calendar file (.ics, exported from Google, Apple or Outlook)",
    import_hint: "The file is not stored. Days with events are shown as busy for you to check; nothing is saved until you press Save.",
    import_busy: "{n} marked busy from your calendar (outlined). Check them, then press Save.",
    import_none: "Your calendar has no events during this meeting.",
    import_needs_js: "Importing a calendar needs JavaScript.",
    duplicate_heading: "Duplicate this meeting",
    duplicate_hint: "A new meeting with the same title, place and people, without their answers, its days moved by whole weeks.",
    duplicate_weeks: "Weeks later",
    duplicate_button: "Duplicate and open",
    password_label: "Password (optional)",
    password_hint: "If you set one, only someone who knows it can change your answer.",
    password_needed: "Enter your password to change your answer.",
    password_prompt: "Password",
    wrong_password: "That password is not right.",
    too_many_attempts: "Too many attempts. Try again in a little while.",
    already_answered: "Already answered? Choose who you are",
    thats_me: "That's me",
    kind_label: "What are you choosing?",
    kind_days: "Days",
    kind_times: "Times of day",
    weekdays_label: "Only these weekdays (optional)",
    pick_days_label: "Days",
    pick_days_hint: "Untick the days you do not need. Choosing weekdays above ticks only those.",
    pick_days_button: "Choose days one by one",
    no_days_chosen: "Choose at least one day.",
    day_start_label: "Earliest",
    day_end_label: "Latest",
    slot_label: "Slot length",
    minutes_unit: "min",
    zone_label: "Time zone",
    zone_unknown: "Not a time zone we know (for example Asia/Seoul)",
    hours_invalid: "Latest must be after earliest.",
    times_in: "Times are in {zone}.",
    show_my_zone: "Show in my time zone ({zone})",
    show_meeting_zone: "Show in the meeting's time zone ({zone})",
    gap_label: "does not exist (clocks change)",
    times_hint: "Drag across the grid to mark when you are free; start on a marked slot to clear. By keyboard: arrow keys move, Space marks a slot.",
    slot_free_of: "{when}: {free} of {total} free",
    time_heading: "Time",
    final_slot_heading: "Settled time",
    best_times_heading: "Best times",
};

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(accept: &str, cookie: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_str(accept).unwrap());
        if let Some(c) = cookie {
            h.insert(header::COOKIE, HeaderValue::from_str(c).unwrap());
        }
        h
    }

    #[test]
    fn the_language_follows_the_cookie_then_accept_language() {
        assert_eq!(Lang::of(&headers("ko-KR,ko;q=0.9,en;q=0.8", None)), Lang::Ko);
        assert_eq!(Lang::of(&headers("en-US,en;q=0.9,ko;q=0.5", None)), Lang::En);
        assert_eq!(Lang::of(&headers("fr-FR,ko;q=0.3", None)), Lang::Ko);
        assert_eq!(Lang::of(&headers("fr-FR", None)), Lang::En);
        assert_eq!(Lang::of(&headers("ko", Some("a=b; lang=en"))), Lang::En);
    }

    #[test]
    fn a_language_refused_with_q_0_is_never_chosen() {
        assert_eq!(Lang::of(&headers("ko;q=0, en;q=0.1", None)), Lang::En);
        assert_eq!(Lang::of(&headers("ko;q=0.0", None)), Lang::En);
        assert_eq!(Lang::of(&headers("en;q=0, ko;q=0.2", None)), Lang::Ko);
        assert_eq!(Lang::of(&headers("ko;q=abc, en;q=0.5", None)), Lang::En);
    }
}
