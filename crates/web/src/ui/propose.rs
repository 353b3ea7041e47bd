//! Drafting proposals from a risk's page (secretariat): an amendment — the edit form, whose
//! changes go to a meeting instead of the register — or closing the risk, or escalating it
//! to a register above. A proposal changes nothing until the committee agrees it; the
//! meeting's page then records the decision.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;
use riskreg_domain::review::MeetingRef;
use riskreg_domain::{RecordRef, RegisterCode, Risk, ValidationError};
use riskreg_store::{ProposalDraft, StoreError, WriteContext};
use serde::Deserialize;

use super::error::{PageError, PageResult, render, see_other};
use super::forms::{FieldErrors, optional_text};
use super::layout::{Layout, Section};
use super::meetings::{Choice, long_date, meeting_href};
use super::risk_edit::{Purpose, live_risk, open_form, submit};
use super::risk_form::Values;
use super::session::{CsrfForm, PageUser};
use crate::error::Error;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/risks/{reference}/propose", get(open).post(send))
}

/// The open meetings of a body, for choosing where a proposal goes: the coming ones
/// soonest first, then past ones still open (their decisions not yet all recorded).
pub async fn meeting_choices(state: &AppState, body: &RegisterCode) -> PageResult<Vec<Choice>> {
    let today = Utc::now().date_naive();
    let mut open: Vec<_> = state
        .store
        .meetings(Some(body))
        .await?
        .into_iter()
        .filter(|m| !m.fields.closed)
        .collect();
    open.sort_by_key(|m| {
        (
            m.reference.date < today,
            m.reference.date.signed_duration_since(today).abs(),
        )
    });
    Ok(open
        .into_iter()
        .map(|m| Choice {
            value: m.reference.to_string(),
            label: match &m.fields.title {
                Some(t) => format!("{} — {t}", long_date(m.reference.date)),
                None => long_date(m.reference.date),
            },
        })
        .collect())
}

/// The meeting a form names.
pub fn read_meeting(value: &str) -> Result<MeetingRef, ValidationError> {
    if value.trim().is_empty() {
        return Err(ValidationError::new("meeting", "is required: choose an open meeting"));
    }
    MeetingRef::parse(value)
}

/// What a proposal drafted from a risk's page does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Amend,
    Close,
    Escalate,
}

impl Kind {
    fn parse(value: &str) -> Result<Self, Error> {
        match value {
            "" | "amend" => Ok(Self::Amend),
            "close" => Ok(Self::Close),
            "escalate" => Ok(Self::Escalate),
            _ => Err(Error::invalid("kind", "must be amend, close or escalate")),
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Amend => "amend",
            Self::Close => "close",
            Self::Escalate => "escalate",
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct KindQuery {
    kind: String,
}

/// The short form for closing or escalating: no fields of the risk change.
#[derive(Template)]
#[template(path = "ui/propose.html")]
struct ProposePage {
    layout: Layout,
    reference: String,
    number: u32,
    register: String,
    kind: &'static str,
    statement: String,
    version: u32,
    v: Values,
    errors: FieldErrors,
    meetings: Vec<Choice>,
    /// Registers above the risk's, for an escalation.
    targets: Vec<Choice>,
    message: String,
}

struct Target {
    reference: RecordRef,
    risk: Risk,
    targets: Vec<Choice>,
}

/// The risk, if the user may see it and may draft proposals, and it is still live; with
/// the registers above its own.
async fn target(state: &AppState, user: &PageUser, reference: &str) -> PageResult<Target> {
    let (r, risk) = live_risk(state, user, reference).await?;
    let registers = state.store.registers(None).await?;
    let mut targets = Vec::new();
    let mut at = registers
        .iter()
        .find(|x| x.code == r.register)
        .and_then(|x| x.fields.parent.clone());
    while let Some(code) = at {
        let Some(above) = registers.iter().find(|x| x.code == code) else {
            break;
        };
        targets.push(Choice {
            value: above.code.to_string(),
            label: format!("{} ({})", above.fields.name, above.code),
        });
        at = above.fields.parent.clone();
    }
    Ok(Target {
        reference: r,
        risk,
        targets,
    })
}

async fn short_page(state: &AppState, user: &PageUser, t: &Target, kind: Kind, v: Values) -> PageResult<ProposePage> {
    let heading = match kind {
        Kind::Close => "Propose closing",
        _ => "Propose escalating",
    };
    Ok(ProposePage {
        layout: Layout::new(user, format!("{heading} risk {}", t.reference), Section::Registers),
        reference: t.reference.to_string(),
        number: t.reference.number,
        register: t.reference.register.to_string(),
        kind: kind.as_str(),
        statement: t.risk.fields.statement.clone(),
        version: t.risk.revision.version,
        v,
        errors: FieldErrors::default(),
        meetings: meeting_choices(state, &t.reference.register).await?,
        targets: t.targets.clone(),
        message: String::new(),
    })
}

async fn open(
    State(state): State<AppState>,
    user: PageUser,
    Path(reference): Path<String>,
    Query(q): Query<KindQuery>,
) -> PageResult<Response> {
    let kind = Kind::parse(&q.kind)?;
    if kind == Kind::Amend {
        return open_form(&state, &user, &reference, Purpose::Propose).await;
    }
    let t = target(&state, &user, &reference).await?;
    Ok(render(&short_page(&state, &user, &t, kind, Values::default()).await?)?.into_response())
}

async fn send(
    State(state): State<AppState>,
    Path(reference): Path<String>,
    form: CsrfForm<Vec<(String, String)>>,
) -> PageResult<Response> {
    let kind = form
        .form
        .iter()
        .find(|(k, _)| k == "kind")
        .map_or(Ok(Kind::Amend), |(_, v)| Kind::parse(v))?;
    if kind == Kind::Amend {
        return submit(&state, &reference, form.user, form.form, Purpose::Propose).await;
    }
    let user = form.user;
    let t = target(&state, &user, &reference).await?;
    let v = Values::from_pairs(form.form);
    let refuse = |status: StatusCode, errors: FieldErrors, message: String| {
        let (state, user, t, v) = (&state, &user, &t, v.clone());
        async move {
            let mut page = short_page(state, user, t, kind, v).await?;
            page.errors = errors;
            page.message = message;
            Ok::<Response, PageError>((status, render(&page)?).into_response())
        }
    };
    if v.get("version") != t.risk.revision.version.to_string() {
        let message = format!(
            "Risk {} changed while this form was open (it is now at version {}): check it and propose again.",
            t.reference.number, t.risk.revision.version
        );
        return refuse(StatusCode::CONFLICT, FieldErrors::default(), message).await;
    }
    let mut errors = FieldErrors::default();
    let meeting = read_meeting(v.get("meeting"))
        .map_err(|e| errors.add(&e.field, &e.rule))
        .ok();
    let draft = match kind {
        Kind::Escalate => match t.targets.iter().find(|c| c.value == v.get("to")) {
            Some(c) => RegisterCode::parse(&c.value).ok().map(|to| ProposalDraft::Escalate {
                risk: t.reference.clone(),
                to,
            }),
            None => {
                errors.add("to", "must be a register above this risk's register");
                None
            }
        },
        _ => Some(ProposalDraft::Close {
            risk: t.reference.clone(),
        }),
    };
    let (Some(meeting), Some(draft)) = (meeting, draft) else {
        return refuse(StatusCode::UNPROCESSABLE_ENTITY, errors, String::new()).await;
    };
    let ctx = WriteContext::new(user.caller.actor(), None);
    let rationale = v.get("rationale").to_owned();
    match state
        .store
        .propose(meeting, draft, rationale, optional_text(v.get("recommendation")), ctx)
        .await
    {
        Ok(p) => Ok(see_other(&format!("{}#proposal-{}", meeting_href(&p.meeting), p.id))),
        Err(StoreError::Invalid(e)) => {
            refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                FieldErrors::from_validation(&e),
                String::new(),
            )
            .await
        }
        Err(StoreError::NotFound(what)) => {
            errors.add("meeting", &format!("must be an open meeting: no {what}"));
            refuse(StatusCode::UNPROCESSABLE_ENTITY, errors, String::new()).await
        }
        Err(StoreError::Conflict(message)) => refuse(StatusCode::CONFLICT, FieldErrors::default(), message).await,
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_meeting_is_required_and_named() {
        assert_eq!(read_meeting(" ").unwrap_err().field, "meeting");
        assert_eq!(read_meeting("PANEL/nope").unwrap_err().field, "meeting");
        assert_eq!(
            read_meeting("PANEL/2018-08-10").unwrap().to_string(),
            "PANEL/2018-08-10"
        );
    }

    #[test]
    fn kinds_are_named() {
        assert_eq!(Kind::parse("").unwrap(), Kind::Amend);
        assert_eq!(Kind::parse("escalate").unwrap().as_str(), "escalate");
        assert!(Kind::parse("delete").is_err());
    }
}
