//! SigV4 through AWS's own `aws-sigv4`: header signing for requests and query
//! signing for presigned URLs. Single percent-encoding and no path normalisation,
//! because S3 keys may contain `//`, `.` and `..` segments that must be signed as sent.
//! Also the percent-encoding sets for paths and query values.

use std::time::{Duration, SystemTime};

use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SignatureLocation,
    SigningSettings, UriPathNormalizationMode, sign,
};
use aws_sigv4::sign::v4::SigningParams;
use aws_smithy_runtime_api::client::identity::Identity;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};

use crate::error::ErrorKind;
use crate::storage::StorageError;

/// Every byte except unreserved characters (RFC 3986) and `/`: how key paths are sent.
pub(crate) const PATH_SET: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// Every byte except unreserved characters: how query values are sent (and signed).
pub(crate) const QUERY_SET: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// What to put into `x-amz-content-sha256`.
pub(crate) enum Payload<'a> {
    /// The real SHA-256 of these bytes (small XML bodies, empty bodies).
    Bytes(&'a [u8]),
    /// `UNSIGNED-PAYLOAD` (object data; integrity comes from Content-MD5 and a CRC).
    Unsigned,
}

fn settings(location: SignatureLocation, expires: Option<Duration>) -> SigningSettings {
    let mut s = SigningSettings::default();
    s.percent_encoding_mode = PercentEncodingMode::Single;
    s.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    s.payload_checksum_kind = match location {
        SignatureLocation::Headers => PayloadChecksumKind::XAmzSha256,
        _ => PayloadChecksumKind::NoHeader,
    };
    s.signature_location = location;
    s.expires_in = expires;
    // We hand the signer only the headers we want signed; no need for a deny-list.
    s.excluded_headers = None;
    s
}

fn sign_err(e: impl std::fmt::Display) -> StorageError {
    StorageError::new(ErrorKind::Other, format!("signing failed: {e}"))
}

/// Signs a request in place (adds `authorization`, `x-amz-date`,
/// `x-amz-content-sha256` and, for temporary credentials, `x-amz-security-token`).
pub(crate) fn sign_request<B>(
    req: &mut http::Request<B>,
    url: &str,
    identity: &Identity,
    region: &str,
    payload: Payload<'_>,
) -> Result<(), StorageError> {
    let params = SigningParams::builder()
        .identity(identity)
        .region(region)
        .name("s3")
        .time(SystemTime::now())
        .settings(settings(SignatureLocation::Headers, None))
        .build()
        .map_err(sign_err)?;
    let body = match payload {
        Payload::Bytes(b) => SignableBody::Bytes(b),
        Payload::Unsigned => SignableBody::UnsignedPayload,
    };
    let headers = req
        .headers()
        .iter()
        .filter_map(|(k, v)| Some((k.as_str(), v.to_str().ok()?)));
    let signable =
        SignableRequest::new(req.method().as_str(), url, headers, body).map_err(sign_err)?;
    let (instructions, _sig) = sign(signable, &params.into())
        .map_err(sign_err)?
        .into_parts();
    instructions.apply_to_request_http1x(req);
    Ok(())
}

/// Returns `url` with SigV4 query parameters valid for `expires` appended.
pub(crate) fn presign_url(
    url: &str,
    identity: &Identity,
    region: &str,
    expires: Duration,
) -> Result<String, StorageError> {
    let params = SigningParams::builder()
        .identity(identity)
        .region(region)
        .name("s3")
        .time(SystemTime::now())
        .settings(settings(SignatureLocation::QueryParams, Some(expires)))
        .build()
        .map_err(sign_err)?;
    let signable = SignableRequest::new(
        "GET",
        url,
        std::iter::empty(),
        SignableBody::UnsignedPayload,
    )
    .map_err(sign_err)?;
    let (instructions, _sig) = sign(signable, &params.into())
        .map_err(sign_err)?
        .into_parts();
    let mut out = String::with_capacity(url.len() + 512);
    out.push_str(url);
    let mut sep = if url.contains('?') { '&' } else { '?' };
    for (k, v) in instructions.params() {
        out.push(sep);
        sep = '&';
        out.extend(percent_encoding::utf8_percent_encode(k, QUERY_SET));
        out.push('=');
        out.extend(percent_encoding::utf8_percent_encode(v, QUERY_SET));
    }
    Ok(out)
}
