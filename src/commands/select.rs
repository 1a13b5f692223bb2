//! `select json|csv|parquet` (reference §2.13): S3 Select over one object or every
//! object a wildcard/prefix expands to (listed like `cp`, `--exclude` applied,
//! `--all-versions` listing every version), each queried as its own op on the worker
//! pool. Records are printed as they arrive; each object's output is cut at record
//! boundaries (newlines) before it is written, so records of objects queried in
//! parallel interleave only as whole lines.
//!
//! Deliberate differences from s5cmd: a local source is a usage error for bare
//! `select` too; `select parquet` without `--output-format` outputs JSON (s5cmd
//! fails every object with `output serialization is not valid`, §9.2 item 17); a
//! failed query is a failure of the command (exit 1), never counted as a success.

use std::sync::Arc;

use crate::command::{SelectCmd, SelectFormat};
use crate::ctx::{Ctx, LineCtx};
use crate::error::ErrorKind;
use crate::exec;
use crate::location::RemoteUrl;
use crate::op::ClientSpec;
use crate::op::{Op, SelectObject};
use crate::plan::expand::{self, ExpandOptions};
use crate::plan::filter::ObjectFilter;
use crate::plan::glacier::skip_unreadable;
use crate::storage::s3::{SelectInput, SelectOutput, SelectRequest};
use crate::wildcard::Filters;

/// Builds the S3 Select request from the command's flags.
pub fn request_of(cmd: &SelectCmd) -> Result<SelectRequest, String> {
    let input = match cmd.format {
        SelectFormat::Json => SelectInput::Json {
            document: cmd
                .structure
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case("document")),
        },
        SelectFormat::Csv => SelectInput::Csv {
            delimiter: cmd.delimiter.clone().unwrap_or_else(|| ",".into()),
            header: cmd
                .use_header
                .clone()
                .unwrap_or_else(|| "NONE".into())
                .to_ascii_uppercase(),
        },
        SelectFormat::Parquet => SelectInput::Parquet,
    };
    let output = match cmd
        .output_format
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("json") => SelectOutput::Json,
        Some("csv") => SelectOutput::Csv,
        None => match cmd.format {
            SelectFormat::Csv => SelectOutput::Csv,
            SelectFormat::Json | SelectFormat::Parquet => SelectOutput::Json,
        },
        Some(other) => {
            return Err(format!(
                "output format {other:?} is not valid: use json or csv"
            ));
        }
    };
    let compression = cmd
        .compression
        .clone()
        .filter(|c| !c.eq_ignore_ascii_case("NONE"));
    if compression.is_some() && cmd.format == SelectFormat::Parquet {
        return Err("--compression is not supported for parquet input".into());
    }
    Ok(SelectRequest {
        expression: cmd.query.clone(),
        input,
        compression: compression.map(|c| c.to_ascii_uppercase()),
        output,
    })
}

/// Runs a select line: validates, expands the source, submits one op per object.
pub async fn run(ctx: &Arc<Ctx>, line: &Arc<LineCtx>, cmd: &SelectCmd) {
    // The rows are the server's bytes (CSV, or JSON shaped by the query): they cannot
    // carry `operation` and `line`, so a `--json` batch refuses them as it does `cat`.
    if let Some(message) = super::cat::refused_in_json_batch(&ctx.config, line, "select") {
        return line.fail(ctx, message, ErrorKind::Usage).await;
    }
    let Some(url) =
        super::remote_target(ctx, line, &cmd.target, cmd.raw, "source must be remote").await
    else {
        return;
    };
    if cmd.all_versions && cmd.version_id.is_some() {
        return line
            .fail(
                ctx,
                "it is not allowed to combine \"all-versions\" and \"version-id\" flags",
                ErrorKind::Usage,
            )
            .await;
    }
    let listing = url.is_bucket() || url.is_prefix() || url.is_wildcard();
    if listing && cmd.version_id.is_some() {
        return line
            .fail(
                ctx,
                "wildcard/prefix operations are disabled with --version-id flag",
                ErrorKind::Usage,
            )
            .await;
    }
    let request = match request_of(cmd) {
        Ok(r) => Arc::new(r),
        Err(m) => return line.fail(ctx, m, ErrorKind::Usage).await,
    };
    if ctx.config.dry_run {
        return;
    }
    let spec = ClientSpec::default();
    let submit = |url: RemoteUrl, version_id: Option<String>| {
        let request = request.clone();
        async move {
            exec::submit(
                ctx,
                line,
                Op::Select(SelectObject {
                    operation: line.name,
                    client: ClientSpec::default(),
                    src: url,
                    version_id,
                    request,
                }),
            )
            .await;
        }
    };
    if !listing && !cmd.all_versions {
        if ctx.owns(&url.key) {
            submit(url, cmd.version_id.clone()).await;
        }
        return;
    }
    let client = match ctx.clients.get(&spec).await {
        Ok(c) => c,
        Err(e) => return line.fail(ctx, e.to_string(), e.kind).await,
    };
    let filters = ObjectFilter::globs(Filters::new(&cmd.exclude, &[]));
    // A prefix or bucket is everything under it (as `prefix*`).
    let pattern_url = if url.is_wildcard() || !listing {
        url.clone()
    } else {
        url.with_key(format!("{}*", url.key))
    };
    let mut rx = if listing {
        let opts = ExpandOptions {
            filters: &filters,
            not_after: None,
            all_versions: cmd.all_versions,
            inventory: None,
            in_key_order: false,
        };
        expand::remote_wildcard(&client, &pattern_url, &opts)
    } else {
        expand::remote_key_versions(&client, &url, &filters)
    };
    while let Some(item) = rx.recv().await {
        if ctx.stopping() {
            return;
        }
        let object = match item {
            Ok(o) => o,
            Err(e) => {
                line.fail(ctx, e.to_string(), e.kind).await;
                continue;
            }
        };
        if object.info.is_delete_marker || !ctx.owns(&object.relative) {
            continue;
        }
        let src = url.with_key(object.info.key.clone());
        if skip_unreadable(ctx, line, cmd.glacier, (&spec, &src, &object.info), || {
            src.to_string()
        })
        .await
        {
            continue;
        }
        let version = if cmd.all_versions {
            object.info.version_id.clone()
        } else {
            None
        };
        submit(src, version).await;
    }
}
