//! The review cycle over HTTP: a body's meetings, the proposals put to them, the
//! committee's decisions, and the monthly paper for a meeting in every format. A meeting
//! belongs to its body's register, so it is visible to exactly those who may see that
//! register; proposals are drafted and decided by the secretariat.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use riskreg_domain::review::{Decision, Meeting, MeetingFields, MeetingRef, Proposal};
use riskreg_domain::{RecordRef, RegisterCode};
use riskreg_reports::{Authorship, Format, paper_for_meeting, render};
use riskreg_store::lint::REVIEW_MONTHS;
use riskreg_store::{ProposalDraft, WriteContext};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::issues::{IssuePatch, NewIssue};
use super::risks::{NewRisk, RiskPatch};
use super::schema::DecisionSchema;
use super::{parse_code, set_location, tagged, visible_issue, visible_register, visible_registers, visible_risk};
use crate::auth::Caller;
use crate::error::{ApiResult, Error, Problem};
use crate::etag::IfMatch;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_meetings, create_meeting))
        .routes(routes!(get_meeting))
        .routes(routes!(list_proposals, create_proposal))
        .routes(routes!(get_proposal))
        .routes(routes!(decide_proposal))
        .routes(routes!(meeting_paper))
}

/// The ETag key of a proposal: its id is unique across the database.
fn proposal_key(id: u32) -> String {
    format!("proposal-{id}")
}

fn parse_meeting(body: &str, date: &str) -> ApiResult<MeetingRef> {
    MeetingRef::parse(&format!("{body}/{date}")).map_err(|_| Error::NotFound(format!("meeting {body}/{date}")))
}

/// The meeting, if the caller may see its body's register; 404 otherwise, as for a
/// meeting that does not exist.
pub(crate) async fn visible_meeting(state: &AppState, caller: &Caller, meeting: &MeetingRef) -> ApiResult<Meeting> {
    let hidden = || Error::NotFound(format!("meeting {meeting}"));
    visible_register(state, caller, &meeting.body, None)
        .await
        .map_err(|_| hidden())?;
    state.store.meeting(meeting).await.map_err(|e| match e {
        riskreg_store::StoreError::NotFound(_) => hidden(),
        other => other.into(),
    })
}

/// A proposal with whether it has gone stale (its target changed since it was drafted).
#[derive(Debug, Serialize)]
pub struct ProposalView {
    #[serde(flatten)]
    pub proposal: Proposal,
    pub stale: bool,
}

async fn view(state: &AppState, proposal: Proposal) -> ApiResult<ProposalView> {
    let stale = state.store.proposal_is_stale(&proposal).await?;
    Ok(ProposalView { proposal, stale })
}

/// A meeting as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Meeting)]
pub struct MeetingSchema {
    /// `PANEL/2018-08-10`: the body's register code and the meeting's date.
    #[serde(rename = "ref")]
    pub reference: String,
    pub title: Option<String>,
    /// The date the paper for the meeting was issued.
    pub paper_on: Option<NaiveDate>,
    pub author: Option<String>,
    pub team: Option<String>,
    /// Every proposal has been decided and the register as agreed is kept.
    pub closed: bool,
    pub version: u32,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub updated_by: String,
}

/// A proposal to a meeting.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Proposal)]
pub struct ProposalSchema {
    /// Unique across the database.
    pub id: u32,
    /// The meeting it is put to, `PANEL/2018-08-10`.
    pub meeting: String,
    /// What is proposed: `kind` (new_risk, amend, close, escalate, convert, new_issue,
    /// issue_update), the record it is about and, for an amendment, the risk as it would read.
    #[schema(value_type = Object)]
    pub change: serde_json::Value,
    pub rationale: String,
    pub recommendation: Option<String>,
    /// pending, agreed, rejected or deferred.
    pub status: String,
    pub minute: Option<String>,
    pub decided_at: Option<chrono::DateTime<chrono::Utc>>,
    pub decided_by: Option<String>,
    pub deferred_to: Option<String>,
    /// The record it is about has changed since it was drafted: redraft it.
    pub stale: bool,
    pub version: u32,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub updated_by: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MeetingListQuery {
    /// Only this body's meetings (its register code).
    pub body: Option<String>,
}

/// Every meeting of the bodies the caller may see, in date order.
#[utoipa::path(get, path = "/meetings", tag = "review", params(MeetingListQuery),
    responses((status = 200, body = Vec<MeetingSchema>), (status = 401, body = Problem), (status = 404, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn list_meetings(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<MeetingListQuery>,
) -> ApiResult<axum::Json<Vec<Meeting>>> {
    let body = match q.body.as_deref() {
        Some(c) => Some(visible_register(&state, &caller, &parse_code(c)?, None).await?.code),
        None => None,
    };
    let visible = visible_registers(&state, &caller).await?;
    let mut meetings = state.store.meetings(body.as_ref()).await?;
    meetings.retain(|m| visible.contains_key(&m.reference.body));
    Ok(axum::Json(meetings))
}

/// A meeting to be scheduled.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMeeting {
    /// The body's register code, e.g. `PANEL`.
    #[schema(pattern = r"^[A-Za-z][A-Za-z0-9_]{1,15}$")]
    pub body: String,
    pub date: NaiveDate,
    pub title: Option<String>,
    /// The date the paper is (to be) issued.
    pub paper_on: Option<NaiveDate>,
    pub author: Option<String>,
    pub team: Option<String>,
}

/// Schedules a meeting of a body (secretariat or admin).
#[utoipa::path(post, path = "/meetings", tag = "review", request_body = NewMeeting,
    responses((status = 201, body = MeetingSchema, headers(("ETag" = String), ("Location" = String))),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn create_meeting(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<NewMeeting>,
) -> ApiResult<Response> {
    let code = RegisterCode::parse(&body.body).map_err(|e| Error::invalid("body", e.rule))?;
    let register = visible_register(&state, &caller, &code, None)
        .await
        .map_err(|_| Error::invalid("body", format!("no register {code} that you may see")))?;
    caller.require_editor()?;
    let reference = MeetingRef {
        body: register.code,
        date: body.date,
    };
    let fields = MeetingFields {
        title: body.title,
        paper_on: body.paper_on,
        author: body.author,
        team: body.team,
        closed: false,
    };
    let meeting = state
        .store
        .add_meeting(reference, fields, WriteContext::new(caller.actor(), None))
        .await?;
    let key = meeting.reference.to_string();
    let mut response = tagged(StatusCode::CREATED, &key, meeting.revision.version, &meeting);
    set_location(&mut response, &format!("/api/v1/meetings/{key}"));
    Ok(response)
}

/// One meeting.
#[utoipa::path(get, path = "/meetings/{body}/{date}", tag = "review",
    params(("body" = String, Path, description = "The body's register code"), ("date" = String, Path, description = "YYYY-MM-DD")),
    responses((status = 200, body = MeetingSchema, headers(("ETag" = String))), (status = 404, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn get_meeting(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((body, date)): ApiPath<(String, String)>,
) -> ApiResult<Response> {
    let meeting = visible_meeting(&state, &caller, &parse_meeting(&body, &date)?).await?;
    Ok(tagged(
        StatusCode::OK,
        &meeting.reference.to_string(),
        meeting.revision.version,
        &meeting,
    ))
}

/// The proposals put to a meeting, in the order they were drafted.
#[utoipa::path(get, path = "/meetings/{body}/{date}/proposals", tag = "review",
    params(("body" = String, Path), ("date" = String, Path)),
    responses((status = 200, body = Vec<ProposalSchema>), (status = 404, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn list_proposals(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((body, date)): ApiPath<(String, String)>,
) -> ApiResult<axum::Json<Vec<ProposalView>>> {
    let meeting = visible_meeting(&state, &caller, &parse_meeting(&body, &date)?).await?;
    let mut views = Vec::new();
    for p in state.store.proposals(&meeting.reference).await? {
        views.push(view(&state, p).await?);
    }
    Ok(axum::Json(views))
}

/// What a proposal asks the committee to agree.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProposalKind {
    NewRisk,
    Amend,
    Close,
    Escalate,
    Convert,
    NewIssue,
    IssueUpdate,
}

/// A proposal to draft. Which fields it takes depends on `kind`:
/// `new_risk`: `register`, `new_risk`; `amend`: `risk`, `risk_changes` (and optionally
/// `expected_version`); `close`: `risk`; `escalate`: `risk`, `to`; `convert`: `risk` (and
/// optionally `new_issue` to word the issue); `new_issue`: `register`, `new_issue`;
/// `issue_update`: `issue` (and optionally `issue_changes`; without them the committee is
/// asked to consider the issue). Any other field is refused.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProposal {
    pub kind: ProposalKind,
    /// Why: the narrative the paper prints (paragraphs separated by a blank line).
    pub rationale: String,
    /// The recommendation in full ("CONSIDER the approach to…"), if not the one riskreg
    /// words from the change.
    pub recommendation: Option<String>,
    /// The register a new risk or issue goes on.
    pub register: Option<String>,
    /// The risk the proposal is about, `PANEL-15`.
    pub risk: Option<String>,
    /// The issue the proposal is about, `PANEL-2`.
    pub issue: Option<String>,
    /// The register to escalate to.
    pub to: Option<String>,
    /// The version of the risk the amendment was drafted against (409 if it has moved on).
    #[schema(value_type = Option<u64>, maximum = 4294967295_u64)]
    pub expected_version: Option<u32>,
    pub new_risk: Option<NewRisk>,
    pub new_issue: Option<NewIssue>,
    pub risk_changes: Option<RiskPatch>,
    pub issue_changes: Option<IssuePatch>,
}

impl NewProposal {
    /// Refuses a field the kind does not use, so a misplaced field is an error, not a
    /// silently ignored change.
    fn only(&self, kind: &str, allowed: &[&str]) -> ApiResult<()> {
        let given = [
            ("register", self.register.is_some()),
            ("risk", self.risk.is_some()),
            ("issue", self.issue.is_some()),
            ("to", self.to.is_some()),
            ("expected_version", self.expected_version.is_some()),
            ("new_risk", self.new_risk.is_some()),
            ("new_issue", self.new_issue.is_some()),
            ("risk_changes", self.risk_changes.is_some()),
            ("issue_changes", self.issue_changes.is_some()),
        ];
        match given.iter().find(|(name, present)| *present && !allowed.contains(name)) {
            Some((name, _)) => Err(Error::invalid(name, format!("is not used by a {kind} proposal"))),
            None => Ok(()),
        }
    }
}

fn required<T>(value: Option<T>, field: &str, kind: &str) -> ApiResult<T> {
    value.ok_or_else(|| Error::invalid(field, format!("is required for a {kind} proposal")))
}

/// Turns the request into a draft, checking the caller may see every record and register
/// it names.
async fn draft(state: &AppState, caller: &Caller, p: NewProposal) -> ApiResult<ProposalDraft> {
    let risk = |value: Option<String>, kind: &'static str| async move {
        let value = required(value, "risk", kind)?;
        let (risk, _) = visible_risk(state, caller, &value, None)
            .await
            .map_err(|_| Error::invalid("risk", format!("no risk {value} that you may see")))?;
        Ok::<RecordRef, Error>(risk.reference)
    };
    let register = |value: Option<String>, field: &'static str, kind: &'static str| async move {
        let value = required(value, field, kind)?;
        let code = RegisterCode::parse(&value).map_err(|e| Error::invalid(field, e.rule))?;
        visible_register(state, caller, &code, None)
            .await
            .map_err(|_| Error::invalid(field, format!("no register {value} that you may see")))?;
        Ok::<RegisterCode, Error>(code)
    };
    Ok(match p.kind {
        ProposalKind::NewRisk => {
            p.only("new_risk", &["register", "new_risk"])?;
            let mut fields = required(p.new_risk, "new_risk", "new_risk")?.into_fields()?;
            fields.status = riskreg_domain::RiskStatus::Proposed;
            ProposalDraft::NewRisk {
                register: register(p.register, "register", "new_risk").await?,
                fields,
            }
        }
        ProposalKind::Amend => {
            p.only("amend", &["risk", "expected_version", "risk_changes"])?;
            let change = required(p.risk_changes, "risk_changes", "amend")?.into_change();
            ProposalDraft::Amend {
                risk: risk(p.risk, "amend").await?,
                expected_version: p.expected_version,
                change,
            }
        }
        ProposalKind::Close => {
            p.only("close", &["risk"])?;
            ProposalDraft::Close {
                risk: risk(p.risk, "close").await?,
            }
        }
        ProposalKind::Escalate => {
            p.only("escalate", &["risk", "to"])?;
            ProposalDraft::Escalate {
                to: register(p.to.clone(), "to", "escalate").await?,
                risk: risk(p.risk, "escalate").await?,
            }
        }
        ProposalKind::Convert => {
            p.only("convert", &["risk", "new_issue"])?;
            let issue = p.new_issue.map(NewIssue::into_fields).transpose()?;
            ProposalDraft::Convert {
                risk: risk(p.risk, "convert").await?,
                issue,
            }
        }
        ProposalKind::NewIssue => {
            p.only("new_issue", &["register", "new_issue"])?;
            let issue = required(p.new_issue, "new_issue", "new_issue")?.into_fields()?;
            ProposalDraft::NewIssue {
                register: register(p.register, "register", "new_issue").await?,
                issue,
            }
        }
        ProposalKind::IssueUpdate => {
            p.only("issue_update", &["issue", "issue_changes"])?;
            let value = required(p.issue, "issue", "issue_update")?;
            let (issue, _) = visible_issue(state, caller, &value, None)
                .await
                .map_err(|_| Error::invalid("issue", format!("no issue {value} that you may see")))?;
            let change = p.issue_changes.map(IssuePatch::into_change).transpose()?;
            ProposalDraft::IssueUpdate {
                issue: issue.reference,
                change: change.filter(|c| !c.is_empty()),
            }
        }
    })
}

/// Drafts a proposal for a meeting (secretariat or admin). Only a new risk touches the
/// register, listed as proposed until the committee decides.
#[utoipa::path(post, path = "/meetings/{body}/{date}/proposals", tag = "review", request_body = NewProposal,
    params(("body" = String, Path), ("date" = String, Path)),
    responses((status = 201, body = ProposalSchema, headers(("ETag" = String), ("Location" = String))),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn create_proposal(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((body, date)): ApiPath<(String, String)>,
    ApiJson(request): ApiJson<NewProposal>,
) -> ApiResult<Response> {
    let meeting = visible_meeting(&state, &caller, &parse_meeting(&body, &date)?).await?;
    caller.require_editor()?;
    let rationale = request.rationale.clone();
    let recommendation = request.recommendation.clone();
    let draft = draft(&state, &caller, request).await?;
    let proposal = state
        .store
        .propose(
            meeting.reference,
            draft,
            rationale,
            recommendation,
            WriteContext::new(caller.actor(), None),
        )
        .await
        .map_err(Error::from_versioned_write)?;
    let (id, version) = (proposal.id, proposal.revision.version);
    let view = view(&state, proposal).await?;
    let mut response = tagged(StatusCode::CREATED, &proposal_key(id), version, &view);
    set_location(&mut response, &format!("/api/v1/proposals/{id}"));
    Ok(response)
}

/// The proposal, if the caller may see its meeting.
pub(crate) async fn visible_proposal(state: &AppState, caller: &Caller, id: u32) -> ApiResult<Proposal> {
    let hidden = || Error::NotFound(format!("proposal {id}"));
    let proposal = state.store.proposal(id).await.map_err(|e| match e {
        riskreg_store::StoreError::NotFound(_) => hidden(),
        other => other.into(),
    })?;
    visible_meeting(state, caller, &proposal.meeting)
        .await
        .map_err(|_| hidden())?;
    Ok(proposal)
}

/// One proposal.
#[utoipa::path(get, path = "/proposals/{id}", tag = "review",
    params(("id" = u32, Path)),
    responses((status = 200, body = ProposalSchema, headers(("ETag" = String))), (status = 404, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn get_proposal(State(state): State<AppState>, caller: Caller, ApiPath(id): ApiPath<u32>) -> ApiResult<Response> {
    let proposal = visible_proposal(&state, &caller, id).await?;
    let version = proposal.revision.version;
    Ok(tagged(
        StatusCode::OK,
        &proposal_key(id),
        version,
        &view(&state, proposal).await?,
    ))
}

/// The committee's decision.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    #[schema(value_type = DecisionSchema)]
    pub decision: Decision,
    /// The minute reference, e.g. "SECP 61/04".
    pub minute: Option<String>,
    /// For a deferral: the meeting to defer to, `PANEL/2018-09-14` (default: the body's
    /// next meeting).
    pub defer_to: Option<String>,
}

/// Records the committee's decision on a pending proposal (secretariat or admin). An
/// agreed proposal is applied at once, with its events; one whose record has changed since
/// it was drafted is refused as stale (409) and must be redrafted. Requires `If-Match`.
#[utoipa::path(post, path = "/proposals/{id}/decision", tag = "review", request_body = DecisionRequest,
    params(("id" = u32, Path), ("If-Match" = String, Header, description = "The proposal's ETag")),
    responses((status = 200, body = ProposalSchema, headers(("ETag" = String))), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem),
        (status = 422, body = Problem), (status = 428, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn decide_proposal(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<u32>,
    if_match: IfMatch,
    ApiJson(request): ApiJson<DecisionRequest>,
) -> ApiResult<Response> {
    let proposal = visible_proposal(&state, &caller, id).await?;
    caller.require_editor()?;
    if_match.check(&proposal_key(id), proposal.revision.version)?;
    if request.defer_to.is_some() && request.decision != Decision::Deferred {
        return Err(Error::invalid("defer_to", "is only for a deferral"));
    }
    let defer_to = request
        .defer_to
        .as_deref()
        .map(|m| MeetingRef::parse(m).map_err(|e| Error::invalid("defer_to", e.rule)))
        .transpose()?;
    let decided = state
        .store
        .decide(
            id,
            request.decision,
            request.minute,
            defer_to,
            WriteContext::new(caller.actor(), None),
        )
        .await?;
    let version = decided.revision.version;
    Ok(tagged(
        StatusCode::OK,
        &proposal_key(id),
        version,
        &view(&state, decided).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PaperQuery {
    /// html (the default), md, docx or pdf.
    pub format: Option<String>,
    /// A draft carries the register lint's findings in a box at the top.
    pub draft: Option<bool>,
    /// The author and team printed under the recommendations (default: the meeting's).
    pub author: Option<String>,
    pub team: Option<String>,
    /// Serve as an attachment (a download) rather than inline (a preview).
    pub download: Option<bool>,
}

/// The "Risk and Issue Register Update" paper for a meeting: HTML to preview in a browser,
/// Markdown, or DOCX and PDF to circulate.
#[utoipa::path(get, path = "/meetings/{body}/{date}/paper", tag = "review",
    params(("body" = String, Path), ("date" = String, Path), PaperQuery),
    responses((status = 200, description = "The paper in the format asked for",
        content((String = "text/html"), (String = "text/markdown"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"), (Vec<u8> = "application/pdf"))),
        (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("token" = []), ("session" = [])))]
async fn meeting_paper(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((body, date)): ApiPath<(String, String)>,
    ApiQuery(q): ApiQuery<PaperQuery>,
) -> ApiResult<Response> {
    let meeting = visible_meeting(&state, &caller, &parse_meeting(&body, &date)?).await?;
    let format = match q.format.as_deref() {
        None => Format::Html,
        Some(name) => Format::parse(name)
            .ok_or_else(|| Error::invalid("format", format!("must be one of {}", Format::NAMES.join(", "))))?,
    };
    let who = Authorship {
        author: q.author,
        team: q.team,
    };
    let mut paper = paper_for_meeting(state.store.as_ref(), &meeting.reference, &who).await?;
    if q.draft.unwrap_or(false) {
        let findings = state
            .store
            .lint(Some(meeting.reference.body.clone()), REVIEW_MONTHS, chrono::Utc::now())
            .await?;
        paper = paper.with_draft_notes(&findings);
    }
    // Waiting here, not in the typesetter: a request whose client goes away gives up its
    // place in the queue without having started anything.
    let _turn = if format.is_pdf() {
        Some(state.pdf_jobs.acquire().await.map_err(Error::internal)?)
    } else {
        None
    };
    let bytes = match &state.config.typesetter {
        Some(program) if format.is_pdf() => crate::typeset::pdf_in_child(program, &paper)
            .await
            .map_err(Error::internal)?,
        _ => {
            // Typesetting a large register takes a while: keep it off the async workers.
            let bytes = tokio::task::spawn_blocking(move || render(&paper, format))
                .await
                .map_err(Error::internal)?
                .map_err(Error::internal)?;
            // What typst kept of this paper would otherwise stay resident in the server.
            drop(tokio::task::spawn_blocking(riskreg_reports::release_caches));
            bytes
        }
    };
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(format.media_type()));
    let name = format!(
        "{}-{}-risk-and-issue-register-update.{}",
        meeting.reference.body,
        meeting.reference.date,
        format.extension()
    );
    let disposition = if q.download.unwrap_or(false) || format == Format::Docx {
        "attachment"
    } else {
        "inline"
    };
    if let Ok(v) = HeaderValue::from_str(&format!("{disposition}; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    // The HTML paper is one self-contained page: its own stylesheet and inline SVG figure,
    // no scripts, nothing fetched.
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAPER_CSP));
    Ok((StatusCode::OK, headers, bytes).into_response())
}

const PAPER_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
