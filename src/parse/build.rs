//! Building the [`Command`] of one line once its flags are scanned: the arity check of
//! the command's table entry, a skeleton with the positional arguments and every
//! default, each flag's value written into its typed field by its row's `apply`, and
//! the I/O-free checks of flag combinations. Error texts follow s5cmd's.

use crate::command::{
    BucketVersionCmd, CatCmd, Command, CopyCmd, DuCmd, HeadCmd, LsCmd, PipeCmd, PresignCmd, RmCmd,
    SelectCmd, SelectFormat, SyncCmd,
};

use super::error::ParseError;
use super::lex::Word;
use super::scan::Scan;
use super::verbs::{Cmd, CommandInfo};

/// What errors after flag scanning need: the command word's column and the display.
pub struct Ctx<'a> {
    /// Column of the command name.
    pub column: usize,
    /// The command string.
    pub display: &'a str,
}

impl Ctx<'_> {
    fn err(&self, column: usize, message: impl Into<String>) -> ParseError {
        ParseError {
            column,
            message: message.into(),
            command: Some(self.display.to_string()),
        }
    }
}

/// Arity, flag values and flag combinations: the AST of one command.
pub fn build(info: &CommandInfo, scan: &Scan, ctx: &Ctx) -> Result<Command, ParseError> {
    check_arity(info, scan.args, ctx)?;
    let mut command = skeleton(info.cmd, scan.args);
    // A refused value is reported after the combination checks, as s5cmd does.
    let applied = apply_flags(info, &mut command, scan, ctx);
    check_combinations(&command, scan, ctx)?;
    applied?;
    Ok(command)
}

/// Too many arguments points at the first extra one, too few at the command name.
fn check_arity(info: &CommandInfo, args: &[Word], ctx: &Ctx) -> Result<(), ParseError> {
    let arity = info.arity;
    if let Some(max) = arity.max
        && args.len() > max
    {
        return Err(ctx.err(args[max].column, arity.too_many));
    }
    if args.len() < arity.min {
        return Err(ctx.err(ctx.column, arity.too_few));
    }
    Ok(())
}

/// The command with its positional arguments and every flag at its default.
fn skeleton(cmd: Cmd, args: &[Word]) -> Command {
    let arg = |i: usize| args.get(i).map(|w| w.text.clone()).unwrap_or_default();
    match cmd {
        Cmd::Ls => Command::Ls(LsCmd {
            target: args.first().map(|w| w.text.clone()),
            ..LsCmd::default()
        }),
        Cmd::Cp | Cmd::Mv => Command::Copy(CopyCmd {
            is_move: cmd == Cmd::Mv,
            src: arg(0),
            dst: arg(1),
            ..CopyCmd::default()
        }),
        Cmd::Sync => Command::Sync(SyncCmd {
            src: arg(0),
            dst: arg(1),
            ..SyncCmd::default()
        }),
        Cmd::Rm => Command::Rm(RmCmd {
            targets: args.iter().map(|w| w.text.clone()).collect(),
            ..RmCmd::default()
        }),
        Cmd::Du => Command::Du(DuCmd {
            target: arg(0),
            ..DuCmd::default()
        }),
        Cmd::Cat => Command::Cat(CatCmd {
            target: arg(0),
            ..CatCmd::default()
        }),
        Cmd::Pipe => Command::Pipe(PipeCmd {
            dst: arg(0),
            ..PipeCmd::default()
        }),
        Cmd::Head => Command::Head(HeadCmd {
            target: arg(0),
            ..HeadCmd::default()
        }),
        Cmd::Mb => Command::MakeBucket { target: arg(0) },
        Cmd::Rb => Command::RemoveBucket {
            target: arg(0),
            force: false,
        },
        Cmd::Presign => Command::Presign(PresignCmd {
            target: arg(0),
            ..PresignCmd::default()
        }),
        Cmd::Select | Cmd::SelectJson => {
            Command::Select(SelectCmd::new(SelectFormat::Json, arg(0)))
        }
        Cmd::SelectCsv => Command::Select(SelectCmd::new(SelectFormat::Csv, arg(0))),
        Cmd::SelectParquet => Command::Select(SelectCmd::new(SelectFormat::Parquet, arg(0))),
        Cmd::BucketVersion => Command::BucketVersion(BucketVersionCmd {
            target: arg(0),
            ..BucketVersionCmd::default()
        }),
        Cmd::Version => Command::Version,
        Cmd::Wait => Command::Wait,
    }
}

/// Writes every flag that counts into its field; the first refused value is the error.
fn apply_flags(
    info: &CommandInfo,
    command: &mut Command,
    scan: &Scan,
    ctx: &Ctx,
) -> Result<(), ParseError> {
    let mut first_error = None;
    for occ in scan.effective() {
        match (occ.spec.apply)(command, &occ.value) {
            Ok(true) => {}
            Ok(false) => panic!(
                "flag --{} is defined for {} but writes no field of its command",
                occ.spec.name, info.name
            ),
            Err(reason) => {
                first_error.get_or_insert_with(|| {
                    ctx.err(
                        occ.column,
                        format!(
                            "invalid value \"{}\" for flag -{}: {reason}",
                            occ.raw, occ.spec.name
                        ),
                    )
                });
            }
        }
    }
    first_error.map_or(Ok(()), Err)
}

/// The flag combinations s5cmd refuses before doing any I/O.
fn check_combinations(command: &Command, scan: &Scan, ctx: &Ctx) -> Result<(), ParseError> {
    match command {
        Command::Sync(s) if s.checksum && s.size_only => {
            let col = scan.column_of("size-only").unwrap_or(ctx.column);
            Err(ctx.err(
                col,
                "it is not allowed to combine \"checksum\" and \"size-only\" flags",
            ))
        }
        Command::Rm(r) if r.all_versions && r.version_id.is_some() => {
            let col = scan
                .column_of("all-versions")
                .into_iter()
                .chain(scan.column_of("version-id"))
                .max()
                .unwrap_or(ctx.column);
            Err(ctx.err(
                col,
                "it is not allowed to combine \"all-versions\" and \"version-id\" flags",
            ))
        }
        Command::Copy(c) if c.all_versions && c.version_id.is_some() => Err(ctx.err(
            scan.column_of("all-versions").unwrap_or(ctx.column),
            "it is not allowed to combine \"all-versions\" and \"version-id\" flags",
        )),
        Command::Sync(s) if s.all_versions && s.delete => Err(ctx.err(
            scan.column_of("all-versions").unwrap_or(ctx.column),
            "it is not allowed to combine \"all-versions\" and \"delete\" flags",
        )),
        Command::Rm(r) if r.version_id.is_some() && scan.args.len() > 1 => Err(ctx.err(
            scan.args[1].column,
            "version-id flag can only be used with single source object",
        )),
        Command::Select(s) if s.query.is_empty() => {
            let col = scan.column_of("query").unwrap_or(ctx.column);
            Err(ctx.err(col, "query must be non-empty"))
        }
        _ => Ok(()),
    }
}
