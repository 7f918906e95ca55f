//! MARCXML written by the crate validates against LC's MARC21slim.xsd.
//! Uses `xmllint` (libxml2-utils): skipped with a note when it is missing,
//! except in CI, where that fails.

use std::process::Command;

use kitap_marc::{write_marcxml, Record};

use crate::common::{data_dir, read_ok};

#[test]
fn written_marcxml_validates_against_the_schema() {
    if !crate::prereq::require_tool("xmllint", "apt-get install libxml2-utils") {
        return;
    }
    let schema = data_dir().join("../schemas/MARC21slim.xsd");
    let dir = std::env::temp_dir().join(format!("kitap-marc-xsd-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for source in ["marc21/marc4j__summerland.mrc", "kazakh/marc21_utf8.mrc"] {
        let recs: Vec<Record> = read_ok(source).into_iter().map(|p| p.record).collect();
        let out = dir.join(source.replace('/', "_") + ".xml");
        let mut xml = Vec::new();
        assert!(write_marcxml(&recs, &mut xml).unwrap().is_empty());
        std::fs::write(&out, xml).unwrap();
        let result = Command::new("xmllint")
            .args(["--noout", "--schema"])
            .arg(&schema)
            .arg(&out)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert!(result.status.success(), "{source}: {stderr}");
    }
    std::fs::remove_dir_all(&dir).ok();
}
