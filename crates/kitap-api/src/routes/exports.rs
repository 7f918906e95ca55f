//! Exporting records as files. The export runs on a blocking thread and
//! streams through a small bounded channel, so a whole catalog goes out in
//! constant memory and a client that hangs up stops the export.

use std::io::Write;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use actix_web::{get, web, HttpResponse};
use futures_util::StreamExt;
use kitap_app::catalog::{ExportRequest, Format, Target};
use kitap_app::RecordFilter;
use kitap_domain::{RecordId, RecordStatus};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Staff;
use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::QueryParams;
use crate::state::ApiState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// iso2709 (UTF-8, default), marcxml or json (MARC-in-JSON array).
    pub format: Option<String>,
    /// Only records with a copy in this library (code).
    pub library: Option<String>,
    /// Comma-separated record ids.
    pub ids: Option<String>,
    /// Only records created or overlaid by this import.
    pub import_id: Option<String>,
    /// Words that must all occur in the title.
    pub q: Option<String>,
    pub kazakh: Option<bool>,
    pub language: Option<String>,
    pub year_from: Option<i32>,
    pub year_to: Option<i32>,
    /// active (default) or withdrawn.
    pub status: Option<String>,
    /// Convert to rusmarc or marc21 on the way out.
    pub convert: Option<String>,
}

const CHUNK: usize = 64 * 1024;

/// What the export thread sends: file bytes, or why it stopped.
type Piece = Result<Bytes, kitap_app::AppError>;

/// Sends what is written in 64 KiB chunks; fails once the reader is gone.
struct ChunkWriter {
    tx: SyncSender<Piece>,
    buf: Vec<u8>,
}

impl Write for ChunkWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::take(&mut self.buf));
        self.tx
            .send(Ok(chunk))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "client went away"))
    }
}

fn bad(message: String) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        message,
    )
}

/// Export records as a file: all of them, or by library, ids, import,
/// language, year; as ISO 2709 (UTF-8), MARCXML or MARC-in-JSON.
#[utoipa::path(
    tag = "records",
    security(("bearer" = [])),
    params(ExportQuery),
    responses(
        (status = 200, description = "the file: ISO 2709 (default), MARCXML or MARC-in-JSON by `format`",
            content(
                (Vec<u8> = "application/marc"),
                (String = "application/marcxml+xml"),
                (serde_json::Value = "application/json")
            )),
        (status = 422, body = ErrorEnvelope),
    )
)]
#[get("/exports/records")]
pub async fn records(
    state: web::Data<ApiState>,
    _staff: Staff,
    query: QueryParams<ExportQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let format = match q.format.as_deref() {
        None => Format::Iso2709,
        Some(raw) => Format::parse(raw)
            .ok_or_else(|| bad("format: must be iso2709, marcxml or json".to_owned()))?,
    };
    let convert = q.convert.as_deref().map(Target::parse).transpose()?;
    let ids = match q.ids.as_deref() {
        None => None,
        Some(list) => Some(
            list.split(',')
                .filter(|s| !s.trim().is_empty())
                .map(|s| s.trim().parse::<RecordId>())
                .collect::<Result<Vec<_>, _>>()
                .map_err(kitap_app::AppError::from)?,
        ),
    };
    let app = state.app.clone();
    let library = q.library.clone();
    let branch_id = web::block(move || match library {
        Some(code) => app.branch_by_code(&code).map(|b| Some(b.id.to_string())),
        None => Ok(None),
    })
    .await??;
    let filter = RecordFilter {
        status: Some(
            q.status
                .as_deref()
                .map(str::parse::<RecordStatus>)
                .transpose()
                .map_err(kitap_app::AppError::from)?
                .unwrap_or(RecordStatus::Active),
        ),
        kazakh: q.kazakh,
        language: q.language,
        year_from: q.year_from,
        year_to: q.year_to,
        branch_id,
        import_id: q
            .import_id
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(kitap_app::AppError::from)?,
        ids,
        title_words: q
            .q
            .as_deref()
            .map(|q| q.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default(),
        ..RecordFilter::default()
    };
    let request = ExportRequest {
        filter,
        format,
        convert,
    };
    let (tx, rx) = sync_channel::<Piece>(8);
    let app = state.app.clone();
    std::thread::Builder::new()
        .name("kitap-export".to_owned())
        .spawn(move || {
            let failed = tx.clone();
            let mut out = ChunkWriter {
                tx,
                buf: Vec::with_capacity(CHUNK),
            };
            if let Err(err) = app.export(&request, &mut out) {
                tracing::warn!(error = %err, "export stopped");
                let _ = failed.send(Err(err));
            }
        })
        .map_err(ApiError::internal)?;

    // The status is decided by the first piece: an export that fails before
    // its first chunk (a bad filter, an unreadable first record) answers
    // with an error, never with an empty 200 that looks like "no match".
    let (first, rx) = web::block(move || (rx.recv().ok(), rx)).await?;
    let first = match first {
        Some(Err(err)) => return Err(err.into()),
        Some(Ok(chunk)) => Some(chunk),
        None => None,
    };
    let (content_type, ext) = match format {
        Format::Iso2709 => ("application/marc", "mrc"),
        Format::MarcXml => ("application/marcxml+xml", "xml"),
        Format::Json => ("application/json", "json"),
    };
    let head = futures_util::stream::iter(first.map(Ok));
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"kitap-records.{ext}\""),
        ))
        .streaming(head.chain(receive(rx))))
}

/// Each chunk is awaited on the blocking pool: the receiver blocks. An error
/// after the first chunk ends the stream with an error, which makes actix
/// drop the connection without the final chunk: the client sees a cut-off
/// transfer, not a complete file.
fn receive(
    rx: Receiver<Piece>,
) -> impl futures_util::Stream<Item = Result<Bytes, actix_web::Error>> {
    futures_util::stream::unfold(Some(rx), |rx| async move {
        let rx = rx?;
        let got = web::block(move || {
            let next = rx.recv().ok();
            (rx, next)
        })
        .await
        .ok()?;
        match got {
            (rx, Some(Ok(chunk))) => Some((Ok(chunk), Some(rx))),
            (_, Some(Err(err))) => Some((Err(ApiError::from(err).into()), None)),
            (_, None) => None,
        }
    })
}

#[cfg(test)]
mod tests {
    use futures_util::StreamExt;

    use super::*;

    #[actix_web::test]
    async fn a_failure_after_the_first_chunk_ends_the_stream_with_an_error() {
        let (tx, rx) = sync_channel::<Piece>(4);
        tx.send(Ok(Bytes::from_static(b"part"))).unwrap();
        tx.send(Err(kitap_app::AppError::Internal("disk".into())))
            .unwrap();
        drop(tx);
        let items: Vec<_> = receive(rx).collect().await;
        assert_eq!(items.len(), 2);
        assert!(items[0].is_ok());
        assert!(
            items[1].is_err(),
            "the failure must reach actix as an error"
        );
    }
}
