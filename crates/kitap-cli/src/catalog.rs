//! `kitap import` and `kitap export`: the same use cases as the API, run
//! in this process with a progress bar.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use kitap_app::catalog::{ExportRequest, Format, ImportRequest, OnDuplicate, OnMatch, Target};
use kitap_app::{Actor, App, RecordFilter};
use kitap_domain::{ImportId, RecordStatus};

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// MARC files: ISO 2709 (.mrc, .iso), MARCXML (.xml) or MARC-in-JSON (.json).
    #[arg(required_unless_present = "resume")]
    pub files: Vec<PathBuf>,
    /// iso2709, marcxml or json (default: guessed from each file).
    #[arg(long)]
    pub format: Option<String>,
    /// Force an encoding for every record: utf-8, marc-8, windows-1251,
    /// kz-1048, pt154, cp866, koi8-r (default: detected per record).
    #[arg(long)]
    pub encoding: Option<String>,
    /// A record already in the catalog (same 003+001 or 035): skip, overlay or add.
    #[arg(long, default_value = "skip")]
    pub on_match: String,
    /// A probable duplicate of a catalog record (or of an earlier record of
    /// the file): add it anyway, skip it, or attach its copies to the
    /// catalog record.
    #[arg(long, default_value = "add")]
    pub on_duplicate: String,
    /// Library code that receives copies from 910 fields.
    #[arg(long)]
    pub library: Option<String>,
    /// Continue an interrupted or failed import job instead.
    #[arg(long, conflicts_with = "files")]
    pub resume: Option<String>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// iso2709 (UTF-8), marcxml or json.
    #[arg(long, default_value = "iso2709")]
    pub format: String,
    /// Only records with a copy in this library (code).
    #[arg(long)]
    pub library: Option<String>,
    /// Only these record ids (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub ids: Vec<String>,
    /// Only records of this import job.
    #[arg(long)]
    pub import_id: Option<String>,
    /// Only Kazakh-language records.
    #[arg(long)]
    pub kazakh: bool,
    /// Only records whose title contains all these words.
    #[arg(long)]
    pub query: Option<String>,
    /// Convert to rusmarc or marc21.
    #[arg(long)]
    pub convert: Option<String>,
    /// Output file (default: standard output).
    #[arg(long, short)]
    pub out: Option<PathBuf>,
}

pub fn import(app: &App, args: ImportArgs) -> anyhow::Result<()> {
    let actor = Actor::system("kitap import");
    // Copies from 910 fields need the libraries.
    app.seed_branches()?;
    let ids = match &args.resume {
        Some(raw) => {
            let id: ImportId = raw.parse().context("--resume takes an import id")?;
            app.requeue_import(id)?;
            vec![id]
        }
        None => queue(app, &actor, &args)?,
    };
    let mut failed = false;
    for id in ids {
        let job = app.import_job(id)?;
        let bar = ProgressBar::new(u64::try_from(job.file_size).unwrap_or(0));
        bar.set_style(
            ProgressStyle::with_template(
                "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.set_message(job.file_name.clone());
        let done = app.run_import(id, &actor, &mut |j| {
            bar.set_position(u64::try_from(j.progress.next_offset).unwrap_or(0));
            bar.set_message(format!(
                "{}: {} records",
                j.file_name, j.progress.next_index
            ));
        });
        bar.finish_and_clear();
        match done {
            Ok(j) => {
                let p = j.progress;
                println!(
                    "{}: {} read, {} created, {} updated, {} skipped, {} attached, {} rejected, {} copies (import {})",
                    j.file_name, p.next_index, p.created, p.updated, p.skipped, p.attached, p.rejected, p.copies, j.id
                );
                if p.rejected > 0 {
                    for r in app.import_rejects(id, 0, 20)? {
                        println!(
                            "  record {} at byte {}: {}: {}",
                            r.record_index, r.byte_offset, r.code, r.message
                        );
                    }
                    if p.rejected > 20 {
                        println!(
                            "  ... the full report: GET /api/v1/imports/{}/rejects?format=csv",
                            j.id
                        );
                    }
                }
            }
            Err(err @ kitap_app::AppError::NotMarc(_)) => {
                eprintln!("{}: import failed: {err}", job.file_name);
                failed = true;
            }
            Err(err) => {
                eprintln!(
                    "{}: import failed: {err} (continue with --resume {id})",
                    job.file_name
                );
                failed = true;
            }
        }
    }
    if failed {
        bail!("some imports failed");
    }
    Ok(())
}

fn queue(app: &App, actor: &Actor, args: &ImportArgs) -> anyhow::Result<Vec<ImportId>> {
    let format = match args.format.as_deref() {
        Some(raw) => Some(Format::parse(raw).context("--format must be iso2709, marcxml or json")?),
        None => None,
    };
    let encoding = match args.encoding.as_deref() {
        Some(raw) => Some(
            kitap_marc::Encoding::from_name(raw)
                .with_context(|| format!("unknown encoding {raw:?}"))?,
        ),
        None => None,
    };
    let on_match = OnMatch::parse(&args.on_match)?;
    let on_duplicate = OnDuplicate::parse(&args.on_duplicate)?;
    let library = match &args.library {
        Some(code) => Some(app.branch_by_code(code)?.id),
        None => None,
    };
    let mut ids = Vec::new();
    for file in &args.files {
        let path = std::fs::canonicalize(file).with_context(|| format!("{}", file.display()))?;
        let request = ImportRequest {
            file_name: file.display().to_string(),
            file_path: path,
            format,
            encoding,
            on_match,
            on_duplicate,
            library,
        };
        ids.push(app.queue_import(None, actor, request)?.id);
    }
    Ok(ids)
}

pub fn export(app: &App, args: ExportArgs) -> anyhow::Result<()> {
    let format =
        Format::parse(&args.format).context("--format must be iso2709, marcxml or json")?;
    let convert = args.convert.as_deref().map(Target::parse).transpose()?;
    let branch_id = match &args.library {
        Some(code) => Some(app.branch_by_code(code)?.id.to_string()),
        None => None,
    };
    let ids = if args.ids.is_empty() {
        None
    } else {
        Some(
            args.ids
                .iter()
                .map(|s| s.trim().parse())
                .collect::<Result<Vec<_>, _>>()?,
        )
    };
    let request = ExportRequest {
        filter: RecordFilter {
            status: Some(RecordStatus::Active),
            kazakh: args.kazakh.then_some(true),
            branch_id,
            ids,
            import_id: args.import_id.as_deref().map(str::parse).transpose()?,
            title_words: args
                .query
                .as_deref()
                .map(|q| q.split_whitespace().map(str::to_owned).collect())
                .unwrap_or_default(),
            ..RecordFilter::default()
        },
        format,
        convert,
    };
    let count = match &args.out {
        Some(path) => export_to_file(app, &request, path)?,
        None => {
            let stdout = std::io::stdout();
            let mut lock = BufWriter::new(stdout.lock());
            let n = app.export(&request, &mut lock).map_err(with_cause)?;
            lock.flush()?;
            n
        }
    };
    eprintln!("{count} records exported");
    Ok(())
}

/// Writes beside the target and renames on success: a failed export leaves
/// no file that looks complete (and the command exits non-zero).
fn export_to_file(
    app: &App,
    request: &ExportRequest,
    path: &std::path::Path,
) -> anyhow::Result<u64> {
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let file = File::create(&partial).with_context(|| format!("{}", partial.display()))?;
    let mut out = BufWriter::new(file);
    let written = app
        .export(request, &mut out)
        .map_err(with_cause)
        .and_then(|n| out.flush().map(|()| n).map_err(anyhow::Error::from));
    match written {
        Ok(n) => {
            std::fs::rename(&partial, path).with_context(|| format!("{}", path.display()))?;
            Ok(n)
        }
        Err(err) => {
            let _ = std::fs::remove_file(&partial);
            Err(err.context(format!("export to {} failed", path.display())))
        }
    }
}

/// On the command line the operator may see an internal error's cause.
fn with_cause(err: kitap_app::AppError) -> anyhow::Error {
    match err {
        kitap_app::AppError::Internal(cause) => anyhow::anyhow!("internal error: {cause}"),
        other => other.into(),
    }
}
