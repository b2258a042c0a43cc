//! The OpenAPI 3 document at `/openapi.json` and Swagger UI at `/docs` (assets built into the
//! binary: nothing is fetched at build or run time).

use axum::Router;
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

use crate::{dto::*, handlers};

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

pub fn routes() -> Router {
    Router::new().merge(SwaggerUi::new("/docs").url("/openapi.json", ApiDoc::openapi()))
}
