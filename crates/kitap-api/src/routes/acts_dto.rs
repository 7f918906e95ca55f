//! JSON shapes of acts: what the API shows and what it accepts.

use chrono::NaiveDate;
use kitap_app::catalog::{AccessionAct, ActDetails, ActHeader, ActLine, WriteOffAct};
use kitap_domain::Money;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// An act as shown; `lines` only when one act is asked for.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActDto {
    pub id: String,
    /// `<prefix>-<year>/<nnnn>`, one series per kind and year.
    #[schema(example = "ҚА-2026/0001")]
    pub number: String,
    #[schema(example = "F07")]
    pub library: String,
    pub date: NaiveDate,
    /// Accession acts: budget, state_order, gift, replacement, exchange, other.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supplier: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_ref: Option<String>,
    /// Write-off acts: worn, obsolete, lost_by_reader, stocktake_shortage, transferred, disaster, other.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub note: Option<String>,
    pub copy_count: i32,
    /// Sum of the known prices, in tiyn.
    pub total_minor: i64,
    pub created_by: Option<String>,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lines: Option<Vec<ActLineDto>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActLineDto {
    pub copy_id: String,
    pub record_id: String,
    pub inventory_number: String,
    pub barcode: String,
    pub title: String,
    pub author: Option<String>,
    pub year: Option<i32>,
    /// The copy's price on the act, in tiyn.
    pub price_minor: Option<i64>,
    /// The copy's status now.
    pub status: String,
}

impl From<&ActLine> for ActLineDto {
    fn from(l: &ActLine) -> Self {
        ActLineDto {
            copy_id: l.copy.id.to_string(),
            record_id: l.copy.record_id.to_string(),
            inventory_number: l.copy.inventory_number.to_string(),
            barcode: l.copy.barcode.to_string(),
            title: l.title.clone(),
            author: l.author.clone(),
            year: l.year,
            price_minor: l.price.map(Money::minor),
            status: l.copy.status.as_str().to_owned(),
        }
    }
}

fn base(id: String, h: &ActHeader, library: String) -> ActDto {
    ActDto {
        id,
        number: h.number.clone(),
        library,
        date: h.act_date,
        source: None,
        supplier: None,
        document_ref: None,
        reason: None,
        note: h.note.clone(),
        copy_count: h.copy_count,
        total_minor: h.total.minor(),
        created_by: h.created_by.map(|s| s.to_string()),
        created_at: h.created_at.to_string(),
        lines: None,
    }
}

pub(crate) fn accession_dto(a: &AccessionAct, library: String) -> ActDto {
    ActDto {
        source: Some(a.source.as_str().to_owned()),
        supplier: a.supplier.clone(),
        document_ref: a.document_ref.clone(),
        ..base(a.id.to_string(), &a.header, library)
    }
}

pub(crate) fn write_off_dto(a: &WriteOffAct, library: String) -> ActDto {
    ActDto {
        reason: Some(a.reason.as_str().to_owned()),
        ..base(a.id.to_string(), &a.header, library)
    }
}

pub(crate) fn with_lines<A>(d: &ActDetails<A>, dto: fn(&A, String) -> ActDto) -> ActOne {
    let mut act = dto(&d.act, d.library.code.to_string());
    act.lines = Some(d.lines.iter().map(ActLineDto::from).collect());
    ActOne { act }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActOne {
    pub act: ActDto,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActList {
    pub acts: Vec<ActDto>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

/// New copies of one record that the accession act brings in.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActCopies {
    pub record_id: String,
    /// 1 to 1000 (default: as many as numbers given, else 1).
    pub count: Option<u32>,
    #[serde(default)]
    pub inventory_numbers: Vec<String>,
    #[serde(default)]
    pub barcodes: Vec<String>,
    pub location: Option<String>,
    pub shelf: Option<String>,
    pub material_type: Option<String>,
    pub status: Option<String>,
    /// Price of each copy in tiyn.
    pub price_minor: Option<i64>,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAccessionAct {
    /// Library code; the library acted for when absent.
    pub library: Option<String>,
    pub date: NaiveDate,
    /// budget, state_order, gift, replacement, exchange or other.
    #[schema(example = "budget")]
    pub source: String,
    pub supplier: Option<String>,
    /// Invoice, waybill or gift letter the books came with.
    pub document_ref: Option<String>,
    pub note: Option<String>,
    /// Copies already catalogued in this library and not yet on an act.
    #[serde(default)]
    pub copy_ids: Vec<String>,
    /// Copies to create with the act.
    #[serde(default)]
    pub new_copies: Vec<ActCopies>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWriteOffAct {
    pub library: Option<String>,
    pub date: NaiveDate,
    /// worn, obsolete, lost_by_reader, stocktake_shortage, transferred, disaster or other.
    #[schema(example = "worn")]
    pub reason: String,
    pub note: Option<String>,
    /// Copies of this library, none of them on loan or in transit.
    pub copy_ids: Vec<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Library code.
    pub library: Option<String>,
    /// Acts dated on or after this day.
    pub from: Option<NaiveDate>,
    /// Acts dated on or before this day.
    pub to: Option<NaiveDate>,
    /// Cursor: the `next` of the previous page.
    pub after: Option<String>,
    /// Page size, 1 to 500 (default 100).
    pub limit: Option<u32>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// csv (default) or xlsx.
    pub format: Option<String>,
}

pub(crate) fn page(acts: Vec<ActDto>, limit: usize) -> ActList {
    let next = (acts.len() == limit)
        .then(|| acts.last().map(|a| a.id.clone()))
        .flatten();
    ActList { acts, next }
}

/// A spreadsheet file, for the OpenAPI document only: handlers send bytes.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)]
pub struct XlsxFile(Vec<u8>);
