//! The index schema. Each text field of the record is indexed three ways:
//! exact normalized words (`title`), their Kazakh/Russian stems (`title_s`)
//! and script-independent folding keys (`title_k`); queries search all three
//! with falling boosts, so an exact-script match outranks a transliterated one.

use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STORED, STRING,
};

/// Bumped whenever the schema or the analysis changes: an index with another
/// version is rebuilt from the database on start.
pub const SCHEMA_VERSION: u32 = 2;

/// Handles of every field.
#[derive(Debug, Clone)]
pub struct Fields {
    pub id: Field,
    pub tiebreak: Field,
    pub version: Field,
    pub copies_digest: Field,
    pub title: Field,
    pub title_s: Field,
    pub title_k: Field,
    pub author: Field,
    pub author_k: Field,
    pub subject: Field,
    pub subject_k: Field,
    pub series_k: Field,
    pub publisher_k: Field,
    pub all: Field,
    pub all_k: Field,
    pub isbn: Field,
    pub issn: Field,
    pub inventory: Field,
    pub barcode: Field,
    pub udc: Field,
    pub bbk: Field,
    pub lang: Field,
    pub year: Field,
    pub material_type: Field,
    pub bbk_group: Field,
    pub library: Field,
    pub sort_title: [Field; 2],
    pub sort_author: [Field; 2],
}

fn positions() -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("raw")
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    )
}

fn freqs_only() -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("raw")
            .set_index_option(IndexRecordOption::WithFreqs),
    )
}

/// Builds the schema and its field handles.
pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let keyword = STRING | FAST;
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        tiebreak: b.add_u64_field("tiebreak", FAST),
        version: b.add_i64_field("version", FAST | STORED),
        copies_digest: b.add_u64_field("copies_digest", FAST | STORED),
        title: b.add_text_field("title", positions()),
        title_s: b.add_text_field("title_s", positions()),
        title_k: b.add_text_field("title_k", positions()),
        author: b.add_text_field("author", positions()),
        author_k: b.add_text_field("author_k", positions()),
        subject: b.add_text_field("subject", positions()),
        subject_k: b.add_text_field("subject_k", positions()),
        series_k: b.add_text_field("series_k", positions()),
        publisher_k: b.add_text_field("publisher_k", positions()),
        all: b.add_text_field("all", positions()),
        all_k: b.add_text_field("all_k", freqs_only()),
        isbn: b.add_text_field("isbn", STRING),
        issn: b.add_text_field("issn", STRING),
        inventory: b.add_text_field("inventory", STRING),
        barcode: b.add_text_field("barcode", STRING),
        udc: b.add_text_field("udc", STRING),
        bbk: b.add_text_field("bbk", STRING),
        lang: b.add_text_field("lang", keyword.clone()),
        year: b.add_i64_field("year", INDEXED | FAST),
        material_type: b.add_text_field("material_type", keyword.clone()),
        bbk_group: b.add_text_field("bbk_group", keyword.clone()),
        library: b.add_text_field("library", keyword),
        sort_title: [
            b.add_u64_field("sort_title_1", FAST),
            b.add_u64_field("sort_title_2", FAST),
        ],
        sort_author: [
            b.add_u64_field("sort_author_1", FAST),
            b.add_u64_field("sort_author_2", FAST),
        ],
    };
    (b.build(), fields)
}
