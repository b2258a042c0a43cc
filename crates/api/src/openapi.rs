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
        handlers::update_date_range,
        handlers::update_title,
        handlers::update_location,
        handlers::create_participant,
        handlers::delete_participant,
        handlers::replace_availability,
        crate::live::events,
        crate::live::websocket,
        handlers::turn_on,
        handlers::turn_off,
        handlers::star,
        handlers::unstar,
        crate::health,
        crate::metrics::metrics,
    ),
    components(schemas(
        CreateMeetingResponse,
        GetMeetingResponse,
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
        ErrorResponse,
        Detail,
        ValidationError,
        LocItem,
    ))
)]
pub struct ApiDoc;

/// The document of this server: the routes it mounts and the answers its layers add.
pub fn document(options: &ApiOptions) -> openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    if options.demo_endpoints {
        doc.merge(crate::demo::DemoDoc::openapi());
    }
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
