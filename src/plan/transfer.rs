//! What `cp`, `mv`, `sync` and `pipe` share before planning: the validation of their
//! two sides in s5cmd's order (reference §2.2 steps 2–9), and the [`TransferOpts`]
//! built from a line's transfer flags (headers, metadata, part size, client sides).

use crate::command::TransferFlags;
use crate::error::ErrorKind;
use crate::location::Location;
use crate::op::{ClientSpec, Role, TransferOpts};
use crate::storage::ObjectHeaders;
use crate::storage::s3::{SseC, SseCKey};

/// Builds the shared transfer settings of a line from its flags; `download`: the
/// destination is local (the `--sse-c-key` then belongs to the source).
pub fn transfer_opts(
    operation: &'static str,
    is_move: bool,
    flags: &TransferFlags,
    download: bool,
) -> Result<TransferOpts, String> {
    let (src_sse_c, dst_sse_c) = sse_c_sides(flags, download)?;
    let given = &flags.headers;
    let headers = ObjectHeaders {
        sse_kms_key_id: given.sse.as_ref().and(given.sse_kms_key_id.clone()),
        ..given.clone()
    };
    let headers_given = !given.metadata.is_empty() || given.content.any();
    Ok(TransferOpts {
        operation,
        is_move,
        headers,
        headers_given,
        metadata_directive: flags.metadata_directive,
        concurrency: flags.parts.concurrency.max(1),
        part_size: flags.parts.part_size,
        src_client: ClientSpec {
            role: Role::Source,
            region: flags.source_region.clone(),
            profile: flags.source.profile.clone(),
            endpoint_url: flags.source.endpoint_url.clone(),
            sse_c: src_sse_c,
        },
        dst_client: ClientSpec {
            role: Role::Destination,
            region: flags.destination_region.clone(),
            profile: flags.destination.profile.clone(),
            endpoint_url: flags.destination.endpoint_url.clone(),
            sse_c: dst_sse_c,
        },
        storage_class: given.storage_class.clone(),
        ..Default::default()
    })
}

/// The SSE-C keys of the source and destination clients: a download reads with
/// `--sse-c-key` (or `--sse-c-copy-source-key`); otherwise the source is read with
/// `--sse-c-copy-source-key` and the destination written with `--sse-c-key` (a
/// server-side copy sends both). Keys named by `file:`/`env:` are read here.
pub fn sse_c_sides(flags: &TransferFlags, download: bool) -> Result<(SseC, SseC), String> {
    if flags.headers.sse.is_some() && flags.customer_key.key.is_some() {
        return Err("--sse and --sse-c-key cannot be used together".into());
    }
    let key = flags.customer_key.object_key()?;
    let copy_source = flags
        .sse_c_copy_source_key
        .as_deref()
        .map(SseCKey::from_spec)
        .transpose()?;
    if download {
        let src = SseC {
            object: key.or(copy_source),
            copy_source: None,
        };
        return Ok((src, SseC::default()));
    }
    let src = SseC {
        object: copy_source.clone(),
        copy_source: None,
    };
    Ok((
        src,
        SseC {
            object: key,
            copy_source,
        },
    ))
}

/// Validated sides of a cp/mv/sync.
pub struct Sides {
    /// Source.
    pub src: Location,
    /// Destination.
    pub dst: Location,
}

/// `sync`'s extension: a remote source that names a bucket or a prefix ending in `/`
/// (which s5cmd refuses: "must contain wildcard character") as the wildcard of
/// everything under it, `s3://b/pre/` → `s3://b/pre/*`. `None` for anything else.
pub fn prefix_as_wildcard(src: &str, raw: bool) -> Option<String> {
    match Location::parse(src, raw) {
        Ok(Location::Remote(r))
            if !r.raw && !r.is_wildcard() && (r.is_bucket() || r.is_prefix()) =>
        {
            let sep = if src.ends_with('/') { "" } else { "/" };
            Some(format!("{src}{sep}*"))
        }
        _ => None,
    }
}

/// Validation shared by cp, mv and sync (reference §2.2 steps 2–9).
pub async fn validate(
    src: &str,
    dst: &str,
    raw: bool,
    version_id: Option<&str>,
) -> Result<Sides, (String, ErrorKind)> {
    let sides = validate_words(src, dst, raw, version_id)?;
    let dst_is_container = match &sides.dst {
        Location::Remote(r) => r.is_bucket() || r.is_prefix(),
        Location::Local(_) => true,
    };
    if let Location::Local(l) = &sides.src
        && !l.is_wildcard()
    {
        match tokio::fs::metadata(&l.path).await {
            Err(_) => {
                return Err((
                    format!("given object {} not found", l.path),
                    ErrorKind::NoSuchKey,
                ));
            }
            Ok(m) if m.is_dir() && !dst_is_container => {
                return Err((
                    format!("target \"{dst}\" must be a bucket or a prefix"),
                    ErrorKind::Usage,
                ));
            }
            Ok(_) => {}
        }
    }
    Ok(sides)
}

/// The part of [`validate`] that needs no I/O: every check but the local source's
/// existence (a dry run's batch reader uses it alone for remote sources).
pub fn validate_words(
    src: &str,
    dst: &str,
    raw: bool,
    version_id: Option<&str>,
) -> Result<Sides, (String, ErrorKind)> {
    let usage = |m: String| (m, ErrorKind::Usage);
    let src_loc = Location::parse(src, raw).map_err(usage)?;
    let dst_loc = Location::parse(dst, raw).map_err(usage)?;
    if dst_loc.is_wildcard() {
        return Err(usage(format!(
            "target \"{dst}\" can not contain glob characters"
        )));
    }
    if let Location::Remote(r) = &src_loc
        && !r.is_wildcard()
        && !r.raw
        && (r.is_bucket() || r.is_prefix())
    {
        return Err(usage(
            "source argument must contain wildcard character".into(),
        ));
    }
    let dst_is_container = match &dst_loc {
        Location::Remote(r) => r.is_bucket() || r.is_prefix(),
        Location::Local(_) => true,
    };
    if src_loc.is_wildcard() && !dst_is_container {
        return Err(usage(format!(
            "target \"{dst}\" must be a bucket or a prefix"
        )));
    }
    if version_id.is_some() && !src_loc.is_remote() {
        return Err(usage(
            "\"all-versions\", and \"version-id\" flags can only be used with remote objects"
                .into(),
        ));
    }
    if !src_loc.is_remote() && !dst_loc.is_remote() {
        return Err(usage(
            "local->local copy operations are not permitted".into(),
        ));
    }
    Ok(Sides {
        src: src_loc,
        dst: dst_loc,
    })
}

/// Whether a source stands for many objects (a wildcard, or a local directory to
/// walk) rather than one.
pub async fn expands(src: &Location) -> bool {
    match src {
        Location::Remote(r) => r.is_wildcard(),
        Location::Local(l) => {
            l.is_wildcard() || tokio::fs::metadata(&l.path).await.is_ok_and(|m| m.is_dir())
        }
    }
}
