//! Register lint through any store: the findings a careful secretariat would fix before a
//! paper goes out, read the same way for the CLI, the API, the web UI and a draft paper.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use riskreg_domain::RegisterCode;
use riskreg_domain::lint::{Finding, LintOptions, lint};

use crate::error::StoreResult;
use crate::store::{RecordQuery, Store};

/// How many months without a change before a live risk is reported as not reviewed.
pub const REVIEW_MONTHS: u32 = 3;

impl dyn Store {
    /// The lint findings for the live records of one register, or of all of them. Issues
    /// may point at a risk in any register, closed or not, so every reference is known.
    pub async fn lint(
        &self,
        register: Option<RegisterCode>,
        review_months: u32,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<Finding>> {
        let live = RecordQuery {
            register,
            as_at: None,
            include_closed: false,
        };
        let risks = self.risks(&live).await?;
        let issues = self.issues(&live).await?;
        let every = RecordQuery {
            register: None,
            as_at: None,
            include_closed: true,
        };
        let known: HashSet<_> = self.risks(&every).await?.into_iter().map(|r| r.reference).collect();
        let settings = self.settings().await?;
        let options = LintOptions { now, review_months };
        Ok(lint(&risks, &issues, &known, &settings, &options))
    }
}
