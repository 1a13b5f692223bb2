//! Where requests go and who signs them: endpoint resolution (flag, then
//! `S3_ENDPOINT_URL`, `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL`, else AWS), the
//! addressing style (virtual-hosted for AWS, path style for custom endpoints and
//! dotted bucket names), and region/credential resolution through `aws-config`
//! (a profile named on the command line wins over credentials in the environment,
//! as with the AWS CLI; a profile no file defines is an error naming it).
//!
//! Credentials are cached here and refreshed shortly before they expire, because
//! `aws-config`'s providers do not cache by themselves and calling them per
//! request would cost far more than the request itself.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use aws_config::BehaviorVersion;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_smithy_runtime_api::client::identity::Identity;

use super::S3Config;
use crate::error::ErrorKind;
use crate::storage::StorageError;

/// Region used when nothing else names one.
pub(crate) const FALLBACK_REGION: &str = "us-east-1";

/// Refresh credentials this long before they expire.
const REFRESH_MARGIN: Duration = Duration::from_secs(300);

/// The resolved endpoint.
#[derive(Debug, Clone)]
pub(crate) struct Endpoint {
    /// `http` or `https`.
    pub scheme: String,
    /// `host[:port]` of a custom endpoint; empty for AWS.
    pub authority: String,
    /// True when talking to AWS itself (virtual-hosted style, regional hosts).
    pub is_aws: bool,
    /// `scheme://host[:port]` as reported by [`super::S3Client::endpoint`].
    pub display: String,
}

impl Endpoint {
    /// Resolves the endpoint from the flag, the environment, or the profile's
    /// `endpoint_url` (as the AWS CLI reads it: `services` section for s3 first).
    pub fn resolve(
        flag: Option<&str>,
        profile: Option<&str>,
        region: &str,
    ) -> Result<Endpoint, StorageError> {
        let url = flag
            .map(str::to_owned)
            .or_else(|| {
                ["S3_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"]
                    .iter()
                    .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
            })
            .or_else(|| profile.filter(|s| !s.is_empty()).map(str::to_owned));
        match url {
            None => Ok(Endpoint {
                scheme: "https".into(),
                authority: String::new(),
                is_aws: true,
                display: format!("https://s3.{region}.amazonaws.com"),
            }),
            Some(url) => {
                let uri: http::Uri = url.trim_end_matches('/').parse().map_err(|e| {
                    StorageError::new(
                        ErrorKind::Usage,
                        format!("invalid endpoint url {url:?}: {e}"),
                    )
                })?;
                let scheme = uri.scheme_str().unwrap_or("https").to_ascii_lowercase();
                if scheme != "http" && scheme != "https" {
                    return Err(StorageError::new(
                        ErrorKind::Usage,
                        format!("invalid endpoint url {url:?}: scheme must be http or https"),
                    ));
                }
                let authority =
                    uri.authority()
                        .map(|a| a.as_str().to_owned())
                        .ok_or_else(|| {
                            StorageError::new(
                                ErrorKind::Usage,
                                format!("invalid endpoint url {url:?}: no host"),
                            )
                        })?;
                Ok(Endpoint {
                    display: format!("{scheme}://{authority}"),
                    scheme,
                    authority,
                    is_aws: false,
                })
            }
        }
    }

    /// Writes `scheme://host` for a request to `bucket` in `region` into `out`, and
    /// returns whether the bucket goes into the path (path style).
    pub fn write_base(&self, out: &mut String, bucket: Option<&str>, region: &str) -> bool {
        out.push_str(&self.scheme);
        out.push_str("://");
        if !self.is_aws {
            out.push_str(&self.authority);
            return bucket.is_some();
        }
        match bucket {
            Some(b) if !b.contains('.') => {
                out.push_str(b);
                out.push_str(".s3.");
                out.push_str(region);
                out.push_str(".amazonaws.com");
                false
            }
            other => {
                out.push_str("s3.");
                out.push_str(region);
                out.push_str(".amazonaws.com");
                other.is_some()
            }
        }
    }
}

/// Resolved credentials, shared by every request until they near expiry.
struct Cached {
    identity: Identity,
    /// When to fetch new ones; `None` for credentials that never expire.
    refresh_at: Option<SystemTime>,
}

/// A caching front of the credentials provider from `aws-config`.
pub(crate) struct Credentials {
    provider: SharedCredentialsProvider,
    /// What was tried and what to do, for when the provider finds nothing.
    hint: String,
    /// Whether the provider's own error goes into the message too: a named
    /// profile's says what is wrong with it; the default chain's only repeats, at
    /// length, what `hint` lists.
    show_cause: bool,
    cached: RwLock<Option<Arc<Cached>>>,
    refresh: tokio::sync::Mutex<()>,
}

impl Credentials {
    /// The current identity, fetched (once, for all concurrent callers) when
    /// missing or about to expire.
    pub async fn identity(&self) -> Result<Identity, StorageError> {
        if let Some(id) = self.fresh() {
            return Ok(id);
        }
        let _guard = self.refresh.lock().await;
        if let Some(id) = self.fresh() {
            return Ok(id);
        }
        let creds = self.provider.provide_credentials().await.map_err(|e| {
            StorageError::new(
                ErrorKind::NoCredentials,
                match self.show_cause {
                    true => format!(
                        "no valid credentials found: {} ({})",
                        error_chain(&e),
                        self.hint
                    ),
                    false => format!("no valid credentials found ({})", self.hint),
                },
            )
        })?;
        let refresh_at = creds
            .expiry()
            .map(|t| t.checked_sub(REFRESH_MARGIN).unwrap_or(t));
        let identity: Identity = creds.into();
        *self.cached.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(Cached {
            identity: identity.clone(),
            refresh_at,
        }));
        Ok(identity)
    }

    /// The cached identity, if it is still fresh.
    pub fn cached(&self) -> Option<Identity> {
        self.fresh()
    }

    fn fresh(&self) -> Option<Identity> {
        let guard = self.cached.read().unwrap_or_else(|e| e.into_inner());
        let cached = guard.as_ref()?;
        match cached.refresh_at {
            Some(t) if SystemTime::now() >= t => None,
            _ => Some(cached.identity.clone()),
        }
    }
}

/// Formats an error with its sources, `a: b: c`.
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(err) = src {
        let m = err.to_string();
        if !s.contains(&m) {
            s.push_str(": ");
            s.push_str(&m);
        }
        src = err.source();
    }
    s
}

/// Region and credentials as `aws-config` resolves them for this configuration.
pub(crate) struct Resolved {
    pub region: String,
    pub credentials: Option<Credentials>,
    /// The profile's (or `services` section's) `endpoint_url`, when it has one.
    pub profile_endpoint: Option<String>,
    /// The CA bundle to trust besides the system's (`AWS_CA_BUNDLE`, else the
    /// profile's `ca_bundle`), with the setting that named it.
    pub ca_bundle: Option<(PathBuf, String)>,
}

/// Loads region and (unless anonymous) the credentials provider.
///
/// A profile named with `--profile` (or a side's profile) is what the AWS CLI and
/// s5cmd make of it: that profile's credentials, even when `AWS_ACCESS_KEY_ID` is
/// set, and an error naming it when no config or credentials file defines it.
/// Without one, aws-config's default chain (environment first) applies.
pub(crate) async fn resolve(config: &S3Config) -> Result<Resolved, StorageError> {
    let files = profile_files(config);
    let profile = config.profile.as_deref().filter(|p| !p.is_empty());
    if let Some(name) = profile {
        check_profile_exists(name, &files).await?;
    }
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(profile) = profile {
        loader = loader.profile_name(profile);
    }
    if let Some(files) = &files {
        loader = loader.profile_files(files.clone());
    }
    if let Some(region) = &config.region {
        loader = loader.region(aws_config::Region::new(region.clone()));
    }
    if config.no_sign_request {
        loader = loader.no_credentials();
    }
    let sdk = loader.load().await;
    let region = config
        .region
        .clone()
        .or_else(|| sdk.region().map(|r| r.as_ref().to_owned()))
        .unwrap_or_else(|| FALLBACK_REGION.to_owned());
    let provider = match profile {
        _ if config.no_sign_request => None,
        Some(name) => Some(profile_provider(name, files.clone(), &region)),
        None => sdk.credentials_provider(),
    };
    let credentials_file = config.credentials_file.as_deref().and_then(|p| p.to_str());
    let credentials = provider.map(|provider| Credentials {
        provider,
        hint: super::hint::no_credentials(profile, credentials_file),
        show_cause: profile.is_some(),
        cached: RwLock::new(None),
        refresh: tokio::sync::Mutex::new(()),
    });
    // Configured endpoints: `[services x] s3 = endpoint_url = …` wins over the
    // profile's own `endpoint_url` (the environment variables are read by the caller).
    let profile_endpoint = sdk
        .service_config()
        .and_then(|sc| {
            let key = aws_types::service_config::ServiceConfigKey::builder()
                .service_id("s3")
                .profile("endpoint_url")
                .env("AWS_ENDPOINT_URL_S3")
                .build()
                .ok()?;
            sc.load_config(key)
        })
        .or_else(|| sdk.endpoint_url().map(str::to_owned));
    Ok(Resolved {
        region,
        credentials,
        profile_endpoint,
        ca_bundle: ca_bundle_setting(profile, &files).await,
    })
}

/// The CA bundle setting, as the AWS CLI reads it: `AWS_CA_BUNDLE`, else the
/// selected profile's `ca_bundle` (a leading `~/` is the home directory).
#[allow(deprecated)] // ProfileFiles is a re-export alias of aws-runtime's EnvConfigFiles.
async fn ca_bundle_setting(
    profile: Option<&str>,
    files: &Option<aws_config::profile::profile_file::ProfileFiles>,
) -> Option<(PathBuf, String)> {
    use aws_types::os_shim_internal::{Env, Fs};
    if let Some(path) = std::env::var_os("AWS_CA_BUNDLE").filter(|v| !v.is_empty()) {
        return Some((PathBuf::from(path), "AWS_CA_BUNDLE".to_owned()));
    }
    let files = files.clone().unwrap_or_default();
    let name = profile.map(|p| std::borrow::Cow::Owned(p.to_owned()));
    let set = aws_config::profile::load(&Fs::real(), &Env::real(), &files, name)
        .await
        .ok()?;
    let value = set.get("ca_bundle").filter(|v| !v.is_empty())?;
    let path = match (value.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(value),
    };
    let source = format!("ca_bundle of profile {}", set.selected_profile());
    Some((path, source))
}

/// The config and credentials files to read: the defaults (`AWS_CONFIG_FILE`,
/// `AWS_SHARED_CREDENTIALS_FILE`, `~/.aws/…`) unless `--credentials-file` names one.
#[allow(deprecated)] // ProfileFiles is a re-export alias of aws-runtime's EnvConfigFiles.
fn profile_files(config: &S3Config) -> Option<aws_config::profile::profile_file::ProfileFiles> {
    use aws_config::profile::profile_file::{ProfileFileKind, ProfileFiles};
    config.credentials_file.as_ref().map(|path| {
        ProfileFiles::builder()
            .include_default_config_file(true)
            .with_file(ProfileFileKind::Credentials, path)
            .build()
    })
}

/// Fails unless a config or credentials file defines the profile `name`.
#[allow(deprecated)] // ProfileFiles is a re-export alias of aws-runtime's EnvConfigFiles.
async fn check_profile_exists(
    name: &str,
    files: &Option<aws_config::profile::profile_file::ProfileFiles>,
) -> Result<(), StorageError> {
    use aws_types::os_shim_internal::{Env, Fs};
    let files = files.clone().unwrap_or_default();
    let set = aws_config::profile::load(&Fs::real(), &Env::real(), &files, None)
        .await
        .map_err(|e| {
            StorageError::new(
                ErrorKind::NoCredentials,
                format!(
                    "cannot read the AWS config/credentials files: {}",
                    error_chain(&e)
                ),
            )
        })?;
    if set.get_profile(name).is_none() {
        return Err(StorageError::new(
            ErrorKind::NoCredentials,
            format!("profile {name} not found in the AWS config/credentials files"),
        ));
    }
    Ok(())
}

/// The credentials of the named profile alone (static keys, `source_profile` and
/// `role_arn`, `credential_process`, SSO — whatever aws-config's profile provider
/// supports), without falling back to the environment or instance metadata.
#[allow(deprecated)] // ProfileFiles is a re-export alias of aws-runtime's EnvConfigFiles.
fn profile_provider(
    name: &str,
    files: Option<aws_config::profile::profile_file::ProfileFiles>,
    region: &str,
) -> SharedCredentialsProvider {
    let provider_config = aws_config::provider_config::ProviderConfig::default()
        .with_region(Some(aws_config::Region::new(region.to_owned())));
    let mut builder = aws_config::profile::ProfileFileCredentialsProvider::builder()
        .configure(&provider_config)
        .profile_name(name);
    if let Some(files) = files {
        builder = builder.profile_files(files);
    }
    SharedCredentialsProvider::new(builder.build())
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_credential_types::provider::future;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn aws() -> Endpoint {
        Endpoint::resolve(None, None, "eu-west-1").unwrap()
    }

    #[test]
    fn addressing_styles() {
        let mut url = String::new();
        let custom = Endpoint::resolve(Some("http://127.0.0.1:9000/"), None, "us-east-1").unwrap();
        assert!(custom.write_base(&mut url, Some("b"), "us-east-1"));
        assert_eq!(url, "http://127.0.0.1:9000");
        assert_eq!(custom.display, "http://127.0.0.1:9000");
        if std::env::var_os("S3_ENDPOINT_URL").is_none()
            && std::env::var_os("AWS_ENDPOINT_URL_S3").is_none()
            && std::env::var_os("AWS_ENDPOINT_URL").is_none()
        {
            let aws = aws();
            let mut url = String::new();
            assert!(!aws.write_base(&mut url, Some("bucket"), "eu-west-1"));
            assert_eq!(url, "https://bucket.s3.eu-west-1.amazonaws.com");
            let mut url = String::new();
            assert!(aws.write_base(&mut url, Some("dotted.bucket"), "eu-west-1"));
            assert_eq!(url, "https://s3.eu-west-1.amazonaws.com");
            let mut url = String::new();
            assert!(!aws.write_base(&mut url, None, "eu-west-1"));
            assert_eq!(url, "https://s3.eu-west-1.amazonaws.com");
        }
        assert!(Endpoint::resolve(Some("ftp://x"), None, "us-east-1").is_err());
    }

    #[derive(Debug)]
    struct Counting {
        calls: Arc<AtomicU32>,
        lifetime: Option<Duration>,
    }

    impl ProvideCredentials for Counting {
        fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
        where
            Self: 'a,
        {
            self.calls.fetch_add(1, Ordering::SeqCst);
            let expiry = self.lifetime.map(|l| SystemTime::now() + l);
            future::ProvideCredentials::ready(Ok(aws_credential_types::Credentials::new(
                "AKID", "secret", None, expiry, "test",
            )))
        }
    }

    fn creds(lifetime: Option<Duration>) -> (Credentials, Arc<AtomicU32>) {
        let calls = Arc::new(AtomicU32::new(0));
        let c = Credentials {
            provider: SharedCredentialsProvider::new(Counting {
                calls: calls.clone(),
                lifetime,
            }),
            hint: String::new(),
            show_cause: true,
            cached: RwLock::new(None),
            refresh: tokio::sync::Mutex::new(()),
        };
        (c, calls)
    }

    #[tokio::test]
    async fn credentials_are_cached_and_refreshed_before_expiry() {
        let (long, calls) = creds(Some(Duration::from_secs(3600)));
        for _ in 0..5 {
            long.identity().await.unwrap();
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);

        let (static_creds, calls) = creds(None);
        for _ in 0..5 {
            static_creds.identity().await.unwrap();
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);

        // Expiring within the refresh margin: fetched again on every use.
        let (short, calls) = creds(Some(Duration::from_secs(60)));
        for _ in 0..3 {
            short.identity().await.unwrap();
        }
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }
}
