//! The state every handler shares: the store, the configuration, the list pages kept
//! between writes and the turns for typesetting PDF papers. Cheap to clone.

use std::sync::Arc;

use riskreg_store::Store;
use tokio::sync::Semaphore;

use crate::config::WebConfig;
use crate::page_cache::PageCache;

#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub config: Arc<WebConfig>,
    pub pages: Arc<PageCache>,
    /// One permit per PDF paper that may be typeset at once ([`WebConfig::pdf_jobs`]).
    pub pdf_jobs: Arc<Semaphore>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, config: WebConfig) -> Self {
        // At least one, or no PDF would ever be typeset.
        let pdf_jobs = Arc::new(Semaphore::new(config.pdf_jobs.max(1)));
        Self {
            store,
            config: Arc::new(config),
            pages: Arc::default(),
            pdf_jobs,
        }
    }
}
