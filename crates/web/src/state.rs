//! The state every handler shares: the store, the configuration and the list pages kept
//! between writes. Cheap to clone.

use std::sync::Arc;

use riskreg_store::Store;

use crate::config::WebConfig;
use crate::page_cache::PageCache;

#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub config: Arc<WebConfig>,
    pub pages: Arc<PageCache>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, config: WebConfig) -> Self {
        Self {
            store,
            config: Arc::new(config),
            pages: Arc::default(),
        }
    }
}
