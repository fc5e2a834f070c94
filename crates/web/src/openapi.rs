//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use crate::routes::partnerships::{api as papi, view};
use crate::routes::{api, health};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "CommonBeat API", description = "Police/community partnerships: accounts, partnerships, decisions, meetings, problems, surveys.", license(name = "AGPL-3.0-or-later")),
    paths(api::me, api::jurisdiction, health::healthz, papi::list_areas, papi::get_area, papi::list_partnerships, papi::create_partnership, papi::get_partnership, papi::get_representation, papi::get_members, papi::join, papi::change_status, papi::update_partnership, papi::invite, papi::member_action, papi::assign_seat, papi::leave, crate::routes::decisions::api::api_show, crate::routes::decisions::api::api_vote, crate::routes::decisions::api::api_list, crate::routes::decisions::api::api_create, crate::routes::decisions::common_ground::api_show, crate::routes::meetings::api::api_list, crate::routes::meetings::api::api_show, crate::routes::meetings::api::api_create, crate::routes::meetings::api::api_attendance, crate::routes::commitments::api::api_list, crate::routes::commitments::api::api_create, crate::routes::commitments::api::api_progress, crate::routes::crime::api::trend, crate::routes::crime::api::hotspots, crate::routes::crime::api::kde, crate::routes::crime::api::near_repeat, crate::routes::crime::api::places, crate::routes::crime::api::moran, crate::routes::crime::api::displacement, crate::routes::crime::api::incident, crate::routes::rake::rake_handler, crate::routes::problems::api::api_list, crate::routes::problems::api::api_create, crate::routes::problems::api::api_get, crate::routes::problems::api::api_stage, crate::routes::problems::api::api_assess, crate::routes::problems::api::api_location, crate::routes::surveys::results::api),
    components(schemas(api::Me, api::ApiError, api::JurisdictionInfo, papi::AreaOut, papi::AreaRef, papi::SeatOut, papi::PartnershipOut, papi::NewPartnership, papi::MemberOut, papi::JoinOut, papi::StatusChange, papi::InviteIn, papi::SeatIn, view::BalanceView, crate::routes::decisions::DecisionOut, crate::routes::decisions::BallotIn, crate::routes::decisions::results::Results, crate::routes::decisions::results::OptionRow, view::Representation, view::RepDimension, view::RepRow, crate::routes::meetings::api::MeetingOut, crate::routes::meetings::api::AgendaOut, crate::routes::meetings::api::AttendanceIn, crate::routes::meetings::MeetingForm, crate::routes::commitments::CommitmentForm, crate::routes::commitments::ProgressForm, crate::routes::commitments::api::CommitmentOut, crate::routes::commitments::api::RateOut, crate::routes::commitments::api::CommitmentsOut, crate::routes::rake::RakeIn, crate::routes::problems::ProblemForm, crate::routes::problems::edit::StageForm, crate::routes::problems::assess::AssessForm, crate::routes::problems::api::ProblemOut, crate::routes::problems::api::ProblemDetail, crate::routes::problems::api::EventOut, crate::routes::problems::api::StrategyOut, crate::routes::problems::api::LocationBody, crate::routes::surveys::results::ResultsOut, crate::routes::surveys::results::TrendPoint, crate::routes::surveys::results::GroupTrend, crate::routes::surveys::compute::Cell, crate::routes::surveys::compute::Gap, crate::routes::surveys::compute::AreaRaking)),
    modifiers(&Security),
    tags((name = "accounts", description = "Accounts and tokens"), (name = "public", description = "Public, unauthenticated"), (name = "partnerships", description = "Areas, partnerships, membership, representation"), (name = "decisions", description = "Decisions under the parity rule"), (name = "meetings", description = "Meetings, attendance by side, commitments and the promises-kept rate"), (name = "crime", description = "Crime analysis: trend, hotspots, density, near repeats, places, Moran's I, displacement; public variants are privacy-safe"), (name = "problems", description = "Problem solving (SARA): problems, stage changes, response strategies, assessment"), (name = "surveys", description = "Trust and safety surveys: weighted results with CIs and small-cell suppression"), (name = "operations", description = "Health"))
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("API token from account settings"))
                    .build(),
            ),
        );
        components
            .add_security_scheme("session", SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("cb_session"))));
    }
}

/// The document served at `/api/openapi.json`.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(crate::routes::reports::api::ReportsApi::openapi());
    doc.merge(crate::routes::recruiting::api::RecruitApi::openapi());
    doc.merge(crate::routes::sustaining::api::HealthApi::openapi());
    doc.merge(crate::routes::self_assessment::api::SelfAssessmentApi::openapi());
    doc.merge(crate::routes::transparency::export::TransparencyApi::openapi());
    doc
}
