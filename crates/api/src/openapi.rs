//! The OpenAPI 3 document at `/openapi.json` and Swagger UI at `/docs` (assets built into the
//! binary: nothing is fetched at build or run time).

use axum::Router;
use utoipa::{
    OpenApi,
    openapi::{
        self, Content, HttpMethod, Ref, RefOr, Response,
        header::Header,
        schema::{ObjectBuilder, Type},
    },
};
use utoipa_swagger_ui::SwaggerUi;

use crate::{ApiOptions, dto::*, handlers};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Meetifyr",
        description = "Group scheduling: create a meeting, set its dates, let participants mark \
            each day free or busy and star the ones they prefer, and read the best dates.\n\n\
            Every path below is also served under `/v1/{store}/…` for each configured store; \
            `/v1/…` is the first store."
    ),
    paths(
        handlers::create_meeting,
        handlers::get_meeting,
        handlers::delete_meeting,
        handlers::duplicate_meeting,
        handlers::set_deadline,
        handlers::calendar_busy,
        handlers::set_final_date,
        handlers::set_final_slot,
        handlers::set_required,
        handlers::event_ics,
        handlers::calendar_feed,
        handlers::ranking,
        handlers::export,
        handlers::update_date_range,
        handlers::update_title,
        handlers::update_location,
        handlers::create_participant,
        handlers::delete_participant,
        handlers::replace_availability,
        crate::stream::events,
        crate::stream::websocket,
        handlers::turn_on,
        handlers::turn_off,
        handlers::star,
        handlers::unstar,
        crate::health,
        crate::liveness,
        crate::readiness,
        crate::metrics::metrics,
    ),
    components(schemas(
        CreateMeetingResponse,
        CreateMeetingRequest,
        DuplicateMeetingRequest,
        SetDeadlineRequest,
        CalendarBusyResponse,
        SetFinalSlotRequest,
        RankedWindowResponse,
        GetMeetingResponse,
        TimeGridResponse,
        FinalSlotResponse,
        SlotResponse,
        RankingResponse,
        RankedDayResponse,
        RankedDayWindowResponse,
        RankedParticipant,
        ParticipantResponse,
        ParticipantDateResponse,
        UpdateMeetingDateRangeRequest,
        UpdateMeetingTitleRequest,
        UpdateMeetingLocationRequest,
        CreateParticipantRequest,
        CreateParticipantResponse,
        CreatedParticipantDate,
        TurnOnOffStarParticipantDateRequest,
        ReplaceAvailabilityRequest,
        SetFinalDateRequest,
        SetRequiredRequest,
        ErrorResponse,
        Detail,
        ValidationError,
        LocItem,
    )),
    modifiers(&OrganiserKey)
)]
pub struct ApiDoc;

/// The `organiser_key` scheme: `Authorization: Bearer <organiser_key>`.
struct OrganiserKey;

impl utoipa::Modify for OrganiserKey {
    fn modify(&self, doc: &mut openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some(
                "The organiser key `POST /v1/meetings` returned once with the meeting.",
            ))
            .build();
        doc.components
            .get_or_insert_with(Default::default)
            .add_security_scheme("organiser_key", SecurityScheme::Http(scheme));
    }
}

/// The document of this server: the routes it mounts and the answers its layers add.
pub fn document(options: &ApiOptions) -> openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    if options.demo_endpoints {
        doc.merge(crate::demo::DemoDoc::openapi());
    }
    add_links(&mut doc);
    for (path, item) in &mut doc.paths.paths {
        for method in [
            HttpMethod::Get,
            HttpMethod::Put,
            HttpMethod::Post,
            HttpMethod::Patch,
            HttpMethod::Delete,
        ] {
            let operation = match method {
                HttpMethod::Get => item.get.as_mut(),
                HttpMethod::Put => item.put.as_mut(),
                HttpMethod::Post => item.post.as_mut(),
                HttpMethod::Patch => item.patch.as_mut(),
                HttpMethod::Delete => item.delete.as_mut(),
                _ => None,
            };
            let Some(operation) = operation else { continue };
            let responses = &mut operation.responses.responses;
            let mut add = |status: &str, response: Response| {
                responses.entry(status.to_owned()).or_insert(RefOr::T(response));
            };
            if operation.request_body.is_some() {
                add("413", error("the body is larger than --max-body-bytes"));
            }
            if path.starts_with("/v1/") && method != HttpMethod::Get && options.rate_limits.is_some() {
                let mut limited = error("this address sent too many writes of this kind (per-address rate limits)");
                limited.headers.insert(
                    "Retry-After".into(),
                    RefOr::T(header(Type::Integer, "seconds to wait before trying again")),
                );
                add("429", limited);
            }
            add(
                "503",
                error("the database is unavailable, or the request took longer than --request-timeout"),
            );
            // Every answer that is the meeting (after a range, a toggle or an answer) carries
            // its version, as GET does.
            if let Some(RefOr::T(ok)) = responses.get_mut("200") {
                let is_meeting = ok.content.values().any(|c| {
                    matches!(c, RefOr::T(c) if matches!(&c.schema,
                        Some(RefOr::Ref(r)) if r.ref_location.ends_with("/GetMeetingResponse")))
                });
                if is_meeting && !ok.headers.contains_key("ETag") {
                    ok.headers.insert(
                        "ETag".into(),
                        RefOr::T(header(
                            Type::String,
                            "the meeting's version after this write, e.g. `\"8\"`",
                        )),
                    );
                }
            }
            if options.profiling {
                for response in responses.values_mut() {
                    if let RefOr::T(response) = response {
                        response.headers.insert(
                            "X-Response-Time".into(),
                            RefOr::T(header(Type::String, "time the server spent, e.g. `1.234ms`")),
                        );
                    }
                }
            }
        }
    }
    doc
}

/// One OpenAPI link: from a response of `path` to the operation `target`.
struct LinkSpec {
    path: &'static str,
    name: &'static str,
    target: &'static str,
    parameters: Vec<(&'static str, serde_json::Value)>,
    body: Option<serde_json::Value>,
}

/// OpenAPI links: how a client (or a stateful fuzzer) goes from a created meeting or participant
/// to the operations on it. Every link starts from a 200.
fn add_links(doc: &mut openapi::OpenApi) {
    use serde_json::json;
    let link = |path, name, target, parameters, body| LinkSpec {
        path,
        name,
        target,
        parameters,
        body,
    };
    let code = |from: &str| vec![("meeting_url_code", json!(from))];
    let created = "$response.body#/url_code";
    let ranged = "$request.path.meeting_url_code";
    let joined = "$request.body#/meeting_url_code";
    let id = || vec![("participant_id", json!("$response.body#/participant_id"))];
    let (meetings, range, participants) = (
        "/v1/meetings",
        "/v1/meetings/{meeting_url_code}/date_range",
        "/v1/participants",
    );
    // No links carry the organiser key: a fuzzer counts credentials it did not configure as
    // made up, and a success with them as ignored authentication. The end-to-end tests cover
    // the organiser's operations.
    let mut links = vec![
        link(meetings, "GetMeeting", "get_meeting", code(created), None),
        link(range, "GetEventFile", "event_ics", code(ranged), None),
        link(meetings, "SetTitle", "update_title", code(created), None),
        link(meetings, "SetLocation", "update_location", code(created), None),
        link(
            meetings,
            "SetDateRange",
            "update_date_range",
            code(created),
            Some(json!({"start_date": "2026-01-01", "end_date": "2026-01-31"})),
        ),
        link(range, "GetMeeting", "get_meeting", code(ranged), None),
        link(range, "GetRanking", "ranking", code(ranged), None),
        link(range, "GetCalendarFeed", "calendar_feed", code(ranged), None),
        link(
            range,
            "CreateParticipant",
            "create_participant",
            Vec::new(),
            Some(json!({"meeting_url_code": ranged, "name": "민지"})),
        ),
        link(participants, "GetMeeting", "get_meeting", code(joined), None),
        link(participants, "GetRanking", "ranking", code(joined), None),
        link(participants, "Export", "export", code(joined), None),
        link(participants, "GetCalendarFeed", "calendar_feed", code(joined), None),
        link(participants, "DeleteParticipant", "delete_participant", id(), None),
        link(
            participants,
            "ReplaceAvailability",
            "replace_availability",
            id(),
            Some(json!({"meeting_url_code": joined, "free": []})),
        ),
    ];
    for (name, target) in [
        ("TurnOn", "turn_on"),
        ("TurnOff", "turn_off"),
        ("Star", "star"),
        ("Unstar", "unstar"),
    ] {
        let body = json!({"meeting_url_code": joined, "participant_date_id": "$response.body#/participant_dates/0/id"});
        links.push(link(participants, name, target, Vec::new(), Some(body)));
    }
    for spec in links {
        let Some(operation) = doc
            .paths
            .paths
            .get_mut(spec.path)
            .and_then(|item| item.post.as_mut().or(item.patch.as_mut()))
        else {
            continue;
        };
        let Some(RefOr::T(response)) = operation.responses.responses.get_mut("200") else {
            continue;
        };
        let mut link = openapi::link::Link::default();
        link.operation_id = spec.target.to_owned();
        link.parameters = spec.parameters.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        link.request_body = spec.body;
        response.links.insert(spec.name.to_owned(), RefOr::T(link));
    }
}

/// A response with the `{"detail": text}` body.
fn error(description: &str) -> Response {
    let mut response = Response::new(description);
    response.content.insert(
        "application/json".into(),
        RefOr::T(Content::new(Some(Ref::from_schema_name("ErrorResponse")))),
    );
    response
}

fn header(kind: Type, description: &str) -> Header {
    let mut header = Header::new(ObjectBuilder::new().schema_type(kind));
    header.description = Some(description.into());
    header
}

pub fn routes(options: &ApiOptions) -> Router {
    Router::new().merge(SwaggerUi::new("/docs").url("/openapi.json", document(options)))
}
