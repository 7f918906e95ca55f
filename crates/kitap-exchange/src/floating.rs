//! Floating collections: a returned copy stays at the library it was
//! returned to instead of travelling home, which saves courier runs and
//! lets the stock follow the readers. A library floats everything returned
//! to it; a material type floats wherever it is returned.

use std::collections::BTreeSet;

use kitap_domain::BranchId;

/// What floats. The default floats nothing: every copy goes home.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct FloatingPolicy {
    pub libraries: BTreeSet<BranchId>,
    pub material_types: BTreeSet<String>,
}

impl FloatingPolicy {
    /// Whether a copy of `material_type` returned at `returned_at` stays
    /// there (the `floats` of [`crate::Op::Return`]).
    pub fn floats(&self, returned_at: BranchId, material_type: &str) -> bool {
        self.libraries.contains(&returned_at) || self.material_types.contains(material_type)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::branch;

    #[test]
    fn nothing_floats_by_default() {
        assert!(!FloatingPolicy::default().floats(branch(1), "book"));
    }

    #[test]
    fn a_floating_library_keeps_everything_returned_to_it() {
        let policy = FloatingPolicy {
            libraries: BTreeSet::from([branch(2)]),
            material_types: BTreeSet::new(),
        };
        assert!(policy.floats(branch(2), "book"));
        assert!(policy.floats(branch(2), "dvd"));
        assert!(!policy.floats(branch(1), "book"));
    }

    #[test]
    fn a_floating_material_type_stays_anywhere() {
        let policy = FloatingPolicy {
            libraries: BTreeSet::new(),
            material_types: BTreeSet::from(["dvd".to_owned()]),
        };
        assert!(policy.floats(branch(1), "dvd"));
        assert!(policy.floats(branch(3), "dvd"));
        assert!(!policy.floats(branch(1), "book"));
    }
}
