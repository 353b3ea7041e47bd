//! The state every handler shares: the store and the configuration. Cheap to clone.

use std::sync::Arc;

use riskreg_store::Store;

use crate::config::WebConfig;

#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub config: Arc<WebConfig>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, config: WebConfig) -> Self {
        Self {
            store,
            config: Arc::new(config),
        }
    }
}
