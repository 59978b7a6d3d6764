//! The OpenAPI document (`/openapi.json`) and Swagger UI (`/docs`, served from the binary).

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::{ErrorBody, ErrorDetail};
use crate::routes;

#[derive(OpenApi)]
#[openapi(
    info(title = "boxoffice", description = "A fair waiting queue, five-minute seat holds and prepaid-point payment for ticket openings. Every error has the body `{\"error\": {\"code\", \"message\"}}`."),
    paths(
        routes::health::get_health,
        routes::health::get_readiness,
        routes::health::get_metrics,
        routes::admin::create_user,
        routes::admin::create_concert,
        routes::points::get_balance,
        routes::points::charge_points,
        routes::points::get_point_history,
        routes::queue::get_queue_status,
        routes::queue::get_queue_overview,
        routes::queue::update_queue_dials,
        routes::booking::list_bookable_schedules,
        routes::booking::get_seat_map,
        routes::booking::hold_seat,
        routes::booking::release_hold,
        routes::reservations::get_reservation,
        routes::reservations::refund_reservation,
        routes::payments::pay_for_seat,
    ),
    components(schemas(ErrorBody, ErrorDetail)),
    modifiers(&SecuritySchemes),
)]
pub struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let bearer = |description: &str| {
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(description.to_owned()))
                    .build(),
            )
        };
        components.add_security_scheme("admin_key", bearer("APP_ADMIN__API_KEY"));
        components.add_security_scheme(
            "queue_token",
            bearer("queue token (JWT) from GET /api/queue/{userId}, status working"),
        );
        components.add_security_scheme(
            "identity",
            bearer("identity JWT when APP_AUTH__IDENTITY=jwt; not needed with trust"),
        );
    }
}
