//! `/api/v1/settings`: the organisation's scoring settings (scales, severity bands, impact
//! classification). Anyone signed in may read them; only admins change them, with
//! `If-Match`. [`current`] and [`save`] are shared with the settings pages of the web UI.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use riskreg_domain::Settings;
use riskreg_store::engine::apply;
use riskreg_store::event::RecordType;
use riskreg_store::users::Role;
use riskreg_store::{Change, Write, WriteContext};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::tagged;
use crate::auth::Caller;
use crate::error::{ApiResult, Error, Problem};
use crate::etag::IfMatch;
use crate::extract::ApiJson;
use crate::state::AppState;

/// The ETag key of the settings (`"settings.v3"`), distinct from every record's.
pub const ETAG_KEY: &str = "settings";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_settings, put_settings))
}

/// The settings as they stand, with the version and the change that made them.
#[derive(Debug, Clone)]
pub struct CurrentSettings {
    pub settings: Settings,
    /// 0 while the defaults have never been written.
    pub version: u32,
    pub updated_at: Option<DateTime<Utc>>,
    pub updated_by: Option<String>,
}

/// The settings and their version, read from their last event: the body and the version
/// come from one row, so a change landing between two reads cannot pair one version's
/// tag with another's content.
pub async fn current(state: &AppState) -> ApiResult<CurrentSettings> {
    let events = state.store.history(RecordType::Settings, ETAG_KEY).await?;
    match events.last() {
        Some(last) => {
            let body = last
                .after
                .clone()
                .ok_or_else(|| Error::internal("the last settings event has no body"))?;
            let settings: Settings = serde_json::from_value(body).map_err(Error::internal)?;
            Ok(CurrentSettings {
                settings,
                version: last.version,
                updated_at: Some(last.at),
                updated_by: Some(last.actor.clone()),
            })
        }
        None => Ok(CurrentSettings {
            settings: state.store.settings().await?,
            version: 0,
            updated_at: None,
            updated_by: None,
        }),
    }
}

/// Replaces the settings (admins only) if they are still at `expected_version`: 412 when
/// they changed since, 422 naming the field when the new settings break a rule (the
/// domain's own validation, applied by the store), and nothing is written either way.
pub async fn save(
    state: &AppState,
    caller: &Caller,
    expected_version: u32,
    settings: Settings,
    reason: Option<String>,
) -> ApiResult<CurrentSettings> {
    caller.require(Role::Admin)?;
    // The version is checked inside the write transaction, which holds the chain's lock,
    // so no other change can land between the check and the write.
    let mut tx = state.store.begin().await?;
    let (stored, version) = match tx.settings().await? {
        Some((s, v)) => (s, v),
        None => (Settings::default(), 0),
    };
    if version != expected_version {
        return Err(Error::Stale(format!(
            "the settings are at version {version}, not version {expected_version} that you read; read them again and reapply your change"
        )));
    }
    if settings == stored {
        return Err(Error::invalid(
            "change",
            "changes nothing: the settings already read so",
        ));
    }
    let write = Write {
        change: Change::Settings(settings.clone()),
        ctx: WriteContext::new(caller.actor(), reason),
    };
    let now = Utc::now();
    apply(tx.as_mut(), vec![write], now).await?;
    tx.commit().await?;
    Ok(CurrentSettings {
        settings,
        version: version + 1,
        updated_at: Some(riskreg_store::event::truncate(now)),
        updated_by: Some(caller.actor()),
    })
}

/// One level of a scale: levels are numbered 1..N in order.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ScaleLevel)]
#[serde(deny_unknown_fields)]
pub struct ScaleLevelSchema {
    #[schema(minimum = 1, maximum = 10)]
    pub level: u8,
    pub label: String,
}

/// A severity band: severities `min..=max` (impact × likelihood), its name and colour.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Band)]
#[serde(deny_unknown_fields)]
pub struct BandSchema {
    pub name: String,
    #[schema(minimum = 1, maximum = 100)]
    pub min: u16,
    #[schema(minimum = 1, maximum = 100)]
    pub max: u16,
    /// `#rrggbb`.
    pub colour: String,
}

/// One category of the impact classification: a descriptor per impact level, lowest
/// first, `null` where the level has none.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ClassificationCategory)]
#[serde(deny_unknown_fields)]
pub struct ClassificationCategorySchema {
    pub name: String,
    pub cells: Vec<Option<String>>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Classification)]
#[serde(deny_unknown_fields)]
pub struct ClassificationSchema {
    pub categories: Vec<ClassificationCategorySchema>,
}

/// The scoring settings. Scales have 2 to 10 levels; the bands cover every severity from
/// 1 to impact levels × likelihood levels exactly once; every classification category has
/// one cell per impact level. The number of levels cannot change while risks or issues
/// are scored on the old scales.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Settings)]
#[serde(deny_unknown_fields)]
pub struct SettingsSchema {
    pub impact_scale: Vec<ScaleLevelSchema>,
    pub likelihood_scale: Vec<ScaleLevelSchema>,
    pub bands: Vec<BandSchema>,
    pub classification: ClassificationSchema,
}

/// The scoring settings, for anyone signed in.
#[utoipa::path(get, path = "/settings", tag = "settings",
    responses((status = 200, body = SettingsSchema, headers(("ETag" = String))), (status = 401, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn get_settings(State(state): State<AppState>, _caller: Caller) -> ApiResult<Response> {
    let c = current(&state).await?;
    Ok(tagged(StatusCode::OK, ETAG_KEY, c.version, &c.settings))
}

/// Replaces the scoring settings (admins only). Requires `If-Match`. The whole document is
/// sent, as read from `GET /settings` and changed.
#[utoipa::path(put, path = "/settings", tag = "settings", request_body = SettingsSchema,
    params(("If-Match" = String, Header, description = "The ETag of the settings you read")),
    responses((status = 200, body = SettingsSchema, headers(("ETag" = String))), (status = 403, body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn put_settings(
    State(state): State<AppState>,
    caller: Caller,
    if_match: IfMatch,
    ApiJson(settings): ApiJson<Settings>,
) -> ApiResult<Response> {
    caller.require(Role::Admin)?;
    let expected = if_match.version_of(ETAG_KEY)?;
    let saved = save(&state, &caller, expected, settings, None).await?;
    Ok(tagged(StatusCode::OK, ETAG_KEY, saved.version, &saved.settings))
}
