//! Facet counts over the matching records: language, library, material
//! type, knowledge group (string fast fields) and year.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// The string facets, by field name.
pub const STRING_FACETS: [&str; 4] = ["lang", "library", "material_type", "bbk_group"];

/// One facet value and how many matching records have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FacetValue {
    pub value: String,
    pub count: u64,
}

/// Facet name -> values, most frequent first (ties by value).
pub type Facets = BTreeMap<String, Vec<FacetValue>>;

pub struct FacetCollector {
    /// Values kept per facet.
    pub top: usize,
}

pub struct FacetSegment {
    columns: Vec<Option<StrColumn>>,
    counts: Vec<Vec<u64>>,
    year: Option<Column<i64>>,
    years: HashMap<i64, u64>,
}

/// One segment's counts, with ordinals already turned into strings.
pub struct SegmentCounts {
    strings: Vec<HashMap<String, u64>>,
    years: HashMap<i64, u64>,
}

impl Collector for FacetCollector {
    type Fruit = Facets;
    type Child = FacetSegment;

    fn for_segment(
        &self,
        _ord: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<FacetSegment> {
        let fast = reader.fast_fields();
        let mut columns = Vec::new();
        let mut counts = Vec::new();
        for name in STRING_FACETS {
            let column = fast.str(name)?;
            counts.push(vec![0; column.as_ref().map_or(0, |c| c.num_terms())]);
            columns.push(column);
        }
        Ok(FacetSegment {
            columns,
            counts,
            year: fast.i64("year").ok(),
            years: HashMap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segments: Vec<SegmentCounts>) -> tantivy::Result<Facets> {
        let mut strings: Vec<HashMap<String, u64>> = vec![HashMap::new(); STRING_FACETS.len()];
        let mut years: HashMap<i64, u64> = HashMap::new();
        for seg in segments {
            for (i, map) in seg.strings.into_iter().enumerate() {
                for (k, v) in map {
                    *strings[i].entry(k).or_default() += v;
                }
            }
            for (y, n) in seg.years {
                *years.entry(y).or_default() += n;
            }
        }
        let mut out = Facets::new();
        for (name, map) in STRING_FACETS.iter().zip(strings) {
            out.insert(
                name.to_string(),
                top_values(map.into_iter().collect(), self.top),
            );
        }
        let years = years.into_iter().map(|(y, n)| (y.to_string(), n)).collect();
        out.insert("year".to_string(), top_values(years, self.top));
        Ok(out)
    }
}

fn top_values(mut values: Vec<(String, u64)>, top: usize) -> Vec<FacetValue> {
    values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    values
        .into_iter()
        .take(top)
        .map(|(value, count)| FacetValue { value, count })
        .collect()
}

impl SegmentCollector for FacetSegment {
    type Fruit = SegmentCounts;

    fn collect(&mut self, doc: DocId, _score: Score) {
        for (column, counts) in self.columns.iter().zip(self.counts.iter_mut()) {
            if let Some(column) = column {
                for ord in column.term_ords(doc) {
                    if let Some(c) = counts.get_mut(ord as usize) {
                        *c += 1;
                    }
                }
            }
        }
        if let Some(year) = self.year.as_ref().and_then(|c| c.first(doc)) {
            *self.years.entry(year).or_default() += 1;
        }
    }

    fn harvest(self) -> SegmentCounts {
        let mut strings = Vec::new();
        for (column, counts) in self.columns.iter().zip(self.counts) {
            let mut map = HashMap::new();
            if let Some(column) = column {
                for (ord, n) in counts.into_iter().enumerate() {
                    let mut text = String::new();
                    if n > 0 && column.ord_to_str(ord as u64, &mut text).unwrap_or(false) {
                        map.insert(text, n);
                    }
                }
            }
            strings.push(map);
        }
        SegmentCounts {
            strings,
            years: self.years,
        }
    }
}
