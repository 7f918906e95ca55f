//! Inventory numbers and barcodes of new copies: given ones are checked before
//! anything is written, missing ones come from numbered series.
//!
//! Every check here is a SELECT, so a refusal leaves the caller's transaction
//! usable (a failed INSERT would abort a PostgreSQL transaction, and the MARC
//! importer wants to reject one record and carry on with its batch).

use std::collections::HashSet;

use kitap_db::branches::Branch;
use kitap_db::{copies, counters, DbConnection};
use kitap_domain::{Barcode, InventoryNumber};

use crate::config::CatalogConfig;
use crate::AppError;

/// Generated numbers that turn out to be taken (imported earlier, typed by
/// hand) are skipped; this bounds how many times we ask for more.
const MAX_ROUNDS: usize = 20;

/// What one new copy was given; `None` means "generate it".
#[derive(Debug, Clone, Default)]
pub(crate) struct Wanted {
    pub inventory_number: Option<InventoryNumber>,
    pub barcode: Option<Barcode>,
}

/// Numbers for each wanted copy, in order.
pub(crate) fn assign(
    conn: &mut DbConnection,
    config: &CatalogConfig,
    branch: &Branch,
    wanted: &[Wanted],
) -> Result<Vec<(InventoryNumber, Barcode)>, AppError> {
    let given_numbers: Vec<String> = wanted
        .iter()
        .filter_map(|w| w.inventory_number.as_ref().map(|n| n.as_str().to_owned()))
        .collect();
    let given_barcodes: Vec<String> = wanted
        .iter()
        .filter_map(|w| w.barcode.as_ref().map(|b| b.as_str().to_owned()))
        .collect();
    refuse_repeats(&given_numbers, number_taken)?;
    refuse_repeats(&given_barcodes, barcode_taken)?;
    if let Some(taken) = copies::taken_inventory_numbers(conn, &given_numbers)?.first() {
        return Err(number_taken(taken));
    }
    if let Some(taken) = copies::taken_barcodes(conn, &given_barcodes)?.first() {
        return Err(barcode_taken(taken));
    }

    let missing_numbers = wanted
        .iter()
        .filter(|w| w.inventory_number.is_none())
        .count();
    let series = format!("inventory/{}", branch.code);
    let code = branch.code.to_string();
    let numbers = generate(
        conn,
        (&series, missing_numbers),
        &given_numbers,
        |n| Ok(format!("{code}-{n:06}")),
        copies::taken_inventory_numbers,
    )?;
    let mut numbers = parse_all::<InventoryNumber>(numbers)?.into_iter();

    let missing_barcodes = wanted.iter().filter(|w| w.barcode.is_none()).count();
    let prefix = config.barcode_prefix.as_str();
    let barcodes = generate(
        conn,
        ("barcode", missing_barcodes),
        &given_barcodes,
        |n| {
            let serial = u64::try_from(n).unwrap_or_default();
            let code = Barcode::ean13(prefix, serial).map_err(|_| {
                AppError::Internal(format!(
                    "the barcode series of prefix {prefix} is used up; configure another catalog.barcode_prefix"
                ))
            })?;
            Ok(code.to_string())
        },
        copies::taken_barcodes,
    )?;
    let mut barcodes = parse_all::<Barcode>(barcodes)?.into_iter();

    wanted
        .iter()
        .map(|w| {
            let number = match &w.inventory_number {
                Some(given) => given.clone(),
                None => numbers.next().ok_or_else(ran_short)?,
            };
            let barcode = match &w.barcode {
                Some(given) => given.clone(),
                None => barcodes.next().ok_or_else(ran_short)?,
            };
            Ok((number, barcode))
        })
        .collect()
}

fn parse_all<T: std::str::FromStr<Err = kitap_domain::ValueError>>(
    texts: Vec<String>,
) -> Result<Vec<T>, AppError> {
    texts
        .iter()
        .map(|t| t.parse::<T>().map_err(AppError::from))
        .collect()
}

type TakenQuery = fn(&mut DbConnection, &[String]) -> Result<Vec<String>, kitap_db::DbError>;

/// `count` new values from `series`, none of them given alongside or stored.
fn generate(
    conn: &mut DbConnection,
    (series, count): (&str, usize),
    given: &[String],
    make: impl Fn(i32) -> Result<String, AppError>,
    taken: TakenQuery,
) -> Result<Vec<String>, AppError> {
    let given: HashSet<&str> = given.iter().map(String::as_str).collect();
    let mut out = Vec::with_capacity(count);
    for _ in 0..MAX_ROUNDS {
        let need = count - out.len();
        if need == 0 {
            break;
        }
        let need_i32 = i32::try_from(need).map_err(|_| ran_short())?;
        let first = counters::reserve(conn, series, need_i32)?;
        let candidates: Vec<String> = (first..first.saturating_add(need_i32))
            .map(&make)
            .collect::<Result<_, _>>()?;
        let stored: HashSet<String> = taken(conn, &candidates)?.into_iter().collect();
        out.extend(
            candidates
                .into_iter()
                .filter(|c| !stored.contains(c) && !given.contains(c.as_str())),
        );
    }
    if out.len() < count {
        return Err(ran_short());
    }
    Ok(out)
}

fn refuse_repeats(values: &[String], err: fn(&str) -> AppError) -> Result<(), AppError> {
    let mut seen = HashSet::new();
    match values.iter().find(|v| !seen.insert(v.as_str())) {
        Some(repeated) => Err(err(repeated)),
        None => Ok(()),
    }
}

fn number_taken(number: &str) -> AppError {
    AppError::conflict(
        "inventory_number_taken",
        format!(
            "inventory number {number} is already given to a copy (or repeated in this request)"
        ),
    )
}

fn barcode_taken(barcode: &str) -> AppError {
    AppError::conflict(
        "barcode_taken",
        format!("barcode {barcode} is already given to a copy (or repeated in this request)"),
    )
}

fn ran_short() -> AppError {
    AppError::Internal(format!(
        "could not find free numbers in {MAX_ROUNDS} rounds of a numbered series"
    ))
}
