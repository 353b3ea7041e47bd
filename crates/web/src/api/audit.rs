//! `GET /api/v1/audit/verify`: walks the whole hash chain and checks every current record
//! against its last event, as `riskreg audit verify` does. For the secretariat and admins.

use axum::Json;
use axum::extract::State;
use riskreg_domain::{RecordRef, RegisterCode};
use riskreg_store::{ChainReport, verify_chain};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::schema::ChainReportSchema;
use super::visible_registers;
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(verify))
}

/// Verifies the tamper-evident history. `problem` is absent when every event and record
/// checks out; otherwise it names the first bad event. A problem in a register the caller
/// cannot see is reported without naming the record.
#[utoipa::path(get, path = "/audit/verify", tag = "audit",
    responses((status = 200, body = ChainReportSchema), (status = 401, body = Problem), (status = 403, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn verify(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<ChainReport>> {
    caller.require_editor()?;
    let mut report = verify_chain(state.store.as_ref()).await?;
    if let Some(problem) = report.problem.as_mut()
        && let Some(record) = &problem.record
    {
        let register = RecordRef::parse(record)
            .map(|r| r.register)
            .or_else(|_| RegisterCode::parse(record));
        let visible = visible_registers(&state, &caller).await?;
        if let Ok(code) = register
            && !visible.contains_key(&code)
        {
            problem.record = None;
            problem.message = "a record in a register you cannot see does not match the history".into();
        }
    }
    Ok(Json(report))
}
