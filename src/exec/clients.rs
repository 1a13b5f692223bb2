//! S3 clients, built on first use and shared: one per distinct (endpoint, region,
//! profile), so a run that only touches local files never resolves credentials, and
//! a run with 10,000 lines sets up TLS and credentials once.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::{Mutex, OnceCell};

use crate::config::Config;
use crate::storage::StorageError;
use crate::storage::s3::{S3Client, S3Config};

/// Which client an op needs: the global settings unless a line overrides them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ClientSpec {
    /// Region override (`--source-region`, `--destination-region`).
    pub region: Option<String>,
    /// Profile override (`--source-profile`, `--destination-profile`).
    pub profile: Option<String>,
    /// Endpoint override (`--source-endpoint-url`, `--destination-endpoint-url`).
    pub endpoint_url: Option<String>,
}

/// The client cache.
pub struct Clients {
    config: Arc<Config>,
    cache: Mutex<HashMap<ClientSpec, Arc<OnceCell<S3Client>>>>,
}

impl Clients {
    /// An empty cache.
    pub fn new(config: Arc<Config>) -> Clients {
        Clients {
            config,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The client for the global settings.
    pub async fn default_client(&self) -> Result<S3Client, StorageError> {
        self.get(&ClientSpec::default()).await
    }

    /// The client for `spec`, built once.
    pub async fn get(&self, spec: &ClientSpec) -> Result<S3Client, StorageError> {
        let cell = {
            let mut cache = self.cache.lock().await;
            cache.entry(spec.clone()).or_default().clone()
        };
        cell.get_or_try_init(|| S3Client::new(self.s3_config(spec)))
            .await
            .cloned()
    }

    fn s3_config(&self, spec: &ClientSpec) -> S3Config {
        let c = &self.config;
        S3Config {
            endpoint_url: spec.endpoint_url.clone().or_else(|| c.endpoint_url.clone()),
            region: spec.region.clone(),
            profile: spec.profile.clone().or_else(|| c.profile.clone()),
            credentials_file: c.credentials_file.clone(),
            no_sign_request: c.no_sign_request,
            no_verify_ssl: c.no_verify_ssl,
            retry_count: c.retry_count,
            request_payer: c.request_payer.clone(),
            use_list_objects_v1: c.use_list_objects_v1,
            max_connections: c.numworkers,
        }
    }
}
