//! The demo catalog for `kitap serve --demo`: about 450 records (Kazakh and
//! Russian first, some English; every encoding Kitap reads) compiled into the
//! binary from `data/demo/` (origins in data/demo/ORIGIN.md), imported through
//! the ordinary importer, and given one to three copies each, spread over the
//! 21 libraries.

use kitap_db::{branches, records};
use kitap_domain::{CopyStatus, RecordStatus};

use super::imported_copies::ImportedCopy;
use super::{ImportRequest, OnMatch};
use crate::{Actor, App, AppError};

const FILES: &[(&str, &[u8])] = &[
    (
        "kazakh_rusmarc_utf8.iso",
        include_bytes!("../../../../data/demo/kazakh_rusmarc_utf8.iso"),
    ),
    (
        "kazakh_rusmarc_kz1048.iso",
        include_bytes!("../../../../data/demo/kazakh_rusmarc_kz1048.iso"),
    ),
    (
        "kazakh_rusmarc_cp1251_ru_keyboard.iso",
        include_bytes!("../../../../data/demo/kazakh_rusmarc_cp1251_ru_keyboard.iso"),
    ),
    (
        "kazakh_rusmarc_other_editions.iso",
        include_bytes!("../../../../data/demo/kazakh_rusmarc_other_editions.iso"),
    ),
    (
        "kazakh_marc21_utf8.mrc",
        include_bytes!("../../../../data/demo/kazakh_marc21_utf8.mrc"),
    ),
    (
        "kazakh_marc21_latin2021.mrc",
        include_bytes!("../../../../data/demo/kazakh_marc21_latin2021.mrc"),
    ),
    (
        "lc_kazakhstan_first200.mrc",
        include_bytes!("../../../../data/demo/lc_kazakhstan_first200.mrc"),
    ),
    (
        "lc_cyrillic.mrc",
        include_bytes!("../../../../data/demo/lc_cyrillic.mrc"),
    ),
    (
        "irbis_TEST1.iso",
        include_bytes!("../../../../data/demo/irbis_TEST1.iso"),
    ),
];

/// What loading the demo catalog did.
#[derive(Debug, Default, Clone, Copy)]
pub struct DemoReport {
    pub records: i64,
    pub copies: i64,
}

impl App {
    /// Loads the demo catalog into an empty catalog; does nothing otherwise.
    pub fn seed_demo_catalog(&self) -> Result<Option<DemoReport>, AppError> {
        if self.db.read(records::count)? > 0 {
            return Ok(None);
        }
        let actor = Actor::system("demo");
        // One folder per call: two demo loads in one process (tests on both
        // backends) must not delete each other's files.
        let dir = std::env::temp_dir().join(format!(
            "kitap-demo-{}-{}",
            std::process::id(),
            uuid::Uuid::now_v7()
        ));
        std::fs::create_dir_all(&dir)
            .map_err(|e| AppError::Internal(format!("{}: {e}", dir.display())))?;
        let mut report = DemoReport::default();
        for (name, bytes) in FILES {
            let path = dir.join(name);
            std::fs::write(&path, bytes)
                .map_err(|e| AppError::Internal(format!("{}: {e}", path.display())))?;
            let job = self.queue_import(
                None,
                &actor,
                ImportRequest {
                    file_name: format!("demo/{name}"),
                    file_path: path.clone(),
                    format: None,
                    encoding: None,
                    on_match: OnMatch::Skip,
                    on_duplicate: super::OnDuplicate::Add,
                    library: None,
                },
            )?;
            let done = self.run_import(job.id, &actor, &mut |_| {})?;
            report.records += done.progress.created;
            let _ = std::fs::remove_file(&path);
        }
        let _ = std::fs::remove_dir(&dir);
        report.copies = self.spread_demo_copies()?;
        Ok(Some(report))
    }

    /// One to three copies per record, the record's position choosing the
    /// libraries, so every library holds some of everything.
    fn spread_demo_copies(&self) -> Result<i64, AppError> {
        let libraries = self.db.read(branches::list)?;
        let mut filter = records::RecordFilter {
            status: Some(RecordStatus::Active),
            limit: 500,
            ..Default::default()
        };
        let mut made = 0i64;
        let mut n = 0usize;
        loop {
            let page = self.db.read(|conn| records::list(conn, &filter))?;
            for record in &page {
                n += 1;
                let copies = 1 + n % 3;
                for k in 0..copies {
                    let library = &libraries[(n + k * 7) % libraries.len()];
                    let spec = ImportedCopy {
                        inventory_number: None,
                        barcode: None,
                        location: None,
                        price_minor: Some(150_000 + (n as i64 % 20) * 10_000),
                        status: if k == 2 {
                            CopyStatus::ReadingRoomOnly
                        } else {
                            CopyStatus::Available
                        },
                        acquired_on: None,
                    };
                    made += self.db.write(|conn| {
                        self.insert_imported_copies(
                            conn,
                            record.id,
                            library.id,
                            record.derived.kazakh,
                            &[spec],
                        )
                    })? as i64;
                }
            }
            match page.last() {
                Some(last) if page.len() == 500 => filter.after = Some(last.id),
                _ => break,
            }
        }
        Ok(made)
    }
}
