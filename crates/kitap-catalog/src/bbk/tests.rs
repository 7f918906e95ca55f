use super::*;
use KnowledgeArea::*;

#[test]
fn public_tables_from_the_guide_and_the_kazakh_files() {
    for (index, area) in [
        ("84(5Каз)-44", Fiction),
        ("84(5Каз)-5", Fiction),
        ("84(4Шве)-44", Fiction),
        ("63.3(5Каз)", SocioPolitical),
        ("63.3(5Каз-4Кар)", SocioPolitical),
        ("65.9(5Каз)", SocioPolitical),
        ("74.268.1", SocioPolitical),
        ("81.2Каз", LinguisticsLiterary),
        ("81.2Каз-922", LinguisticsLiterary),
        ("83.3(5Каз)", LinguisticsLiterary),
        ("85.334.3(5Каз)", SportArts),
        ("75.581", SportArts),
        ("26.8", NaturalSciences),
        ("5", NaturalSciences),
        ("47.2", Agriculture),
        ("32.973", Technology),
        ("88.37", SocioPolitical),
        ("92я2", Other),
        ("69", Other),
    ] {
        let class = AreaRules::default().classify_bbk(index).unwrap();
        assert_eq!(class.table, BbkTable::Public, "{index}");
        assert_eq!(class.area, area, "{index}");
        assert_eq!(KnowledgeArea::from_bbk(index), Some(area), "{index}");
    }
    let c = AreaRules::default().classify_bbk("63.3(5Каз)").unwrap();
    assert_eq!(c.division, "63");
}

#[test]
fn letter_tables_from_the_nlr_records() {
    for (index, area, division) in [
        ("Ш6(2=Р)7я44", Fiction, "Ш6"),
        ("Ш5(2=Р)53-4Северянин", LinguisticsLiterary, "Ш"),
        ("Ш141.12-93абх/адыг2.1[2]", LinguisticsLiterary, "Ш"),
        ("Ч515.815я43", SportArts, "Ч5"),
        ("Ч611", SocioPolitical, "Ч"),
        ("Ч617ц.я8", SocioPolitical, "Ч"),
        ("Э372.24-34-028", SocioPolitical, "Э"),
        ("Т3(5Каз)", SocioPolitical, "Т"),
        ("Ш5", LinguisticsLiterary, "Ш"),
        ("Р11", NaturalSciences, "Р"),
        ("П2", Agriculture, "П"),
        ("Я2", Other, "Я"),
        // Latin look-alikes keyed on the wrong layout.
        ("T3(5Каз)", SocioPolitical, "Т"),
        ("Ш992.2", LinguisticsLiterary, "Ш"),
    ] {
        let class = AreaRules::default().classify_bbk(index).unwrap();
        assert_eq!(class.table, BbkTable::Scientific, "{index}");
        assert_eq!(class.area, area, "{index}");
        assert_eq!(class.division, division, "{index}");
    }
}

#[test]
fn compound_and_junk_indexes() {
    assert_eq!(
        KnowledgeArea::from_bbk("63.3(5Каз)+84(5Каз)"),
        Some(SocioPolitical)
    );
    assert_eq!(KnowledgeArea::from_bbk(" 84(5Каз)6-44 "), Some(Fiction));
    for junk in ["", " ", "c", "He.01", "(5Каз)", "-44", "ӘӘ"] {
        assert_eq!(KnowledgeArea::from_bbk(junk), None, "{junk:?}");
    }
}

#[test]
fn udc_top_level() {
    for (number, area) in [
        ("821.512.122-31", Fiction),
        ("821.512.122", Fiction),
        ("821.161.1-1", Fiction),
        ("821.512.122.09", LinguisticsLiterary),
        ("821.161.1-3.09", LinguisticsLiterary),
        ("82.0", LinguisticsLiterary),
        ("811.512.122", LinguisticsLiterary),
        ("94(574)-051", SocioPolitical),
        ("94(574)", SocioPolitical),
        ("792.071.2", SportArts),
        ("796.9", SportArts),
        ("655.535.2", Technology),
        ("616.1", NaturalSciences),
        ("631.5", Agriculture),
        ("004.9", Technology),
        ("030", Other),
        ("025.4", SocioPolitical),
        ("53", NaturalSciences),
        ("[94(574)]", SocioPolitical),
    ] {
        assert_eq!(KnowledgeArea::from_udc(number), Some(area), "{number}");
    }
    assert_eq!(KnowledgeArea::from_udc("4"), None, "class 4 is vacant");
    assert_eq!(KnowledgeArea::from_udc("abc"), None);
    assert_eq!(KnowledgeArea::from_udc(""), None);
}

#[test]
fn rules_are_data_and_round_trip_through_serde() {
    let rules = AreaRules::default();
    let json = serde_json::to_string(&rules).unwrap();
    assert!(json.contains("\"fiction\""));
    let mut custom: AreaRules = serde_json::from_str(&json).unwrap();
    assert_eq!(custom, rules);
    // A library that counts medicine as "other" changes one row.
    for rule in &mut custom.bbk_public {
        if rule.from == 50 {
            rule.area = Other;
        }
    }
    assert_eq!(custom.classify_bbk("51.1").unwrap().area, Other);
    assert_eq!(rules.classify_bbk("51.1").unwrap().area, NaturalSciences);
}

#[test]
fn names_are_stable() {
    let names: Vec<&str> = KnowledgeArea::ALL.iter().map(|a| a.as_str()).collect();
    assert_eq!(
        names,
        [
            "socio_political",
            "natural_sciences",
            "technology",
            "agriculture",
            "sport_arts",
            "linguistics_literary",
            "fiction",
            "other"
        ]
    );
    for a in KnowledgeArea::ALL {
        assert_eq!(
            serde_json::to_string(a).unwrap(),
            format!("\"{}\"", a.as_str())
        );
    }
}

#[test]
fn the_builtin_rules_are_valid_and_versioned() {
    let rules = AreaRules::default();
    assert_eq!(rules.version, BUILTIN_VERSION);
    assert_eq!(rules.validate(), Ok(()));
    assert_eq!(AreaRules::builtin(), &rules);
}

#[test]
fn rules_that_could_not_match_or_are_ambiguous_are_refused() {
    let base = AreaRules::default();
    let refused = |change: &dyn Fn(&mut AreaRules)| {
        let mut rules = base.clone();
        change(&mut rules);
        rules.validate().unwrap_err()
    };
    assert!(matches!(
        refused(&|r| r.version = " ".into()),
        AreaRulesError::Version(_)
    ));
    assert!(matches!(
        refused(&|r| r.version = String::new()),
        AreaRulesError::Version(_)
    ));
    assert_eq!(
        refused(&|r| r.bbk_public[0] = RangeRule {
            from: 19,
            to: 10,
            area: Other
        }),
        AreaRulesError::Range { from: 19, to: 10 }
    );
    assert_eq!(
        refused(&|r| r.bbk_public[13].to = 100),
        AreaRulesError::Range { from: 90, to: 100 }
    );
    let overlap = refused(&|r| r.bbk_public[1].to = 30);
    assert_eq!(
        overlap,
        AreaRulesError::Overlap("20..30".into(), "30..39".into())
    );
    assert!(overlap.to_string().contains("overlap"), "{overlap}");
    assert_eq!(
        refused(&|r| r.bbk_scientific[0].prefix = "Sh6".into()),
        AreaRulesError::LetterPrefix("Sh6".into())
    );
    assert_eq!(
        refused(&|r| r.udc[0].prefix = "8.1".into()),
        AreaRulesError::UdcPrefix("8.1".into())
    );
    assert_eq!(
        refused(&|r| r.udc[0].prefix = "12345".into()),
        AreaRulesError::UdcPrefix("12345".into())
    );
    assert_eq!(
        refused(&|r| r.udc[1].prefix = "0".into()),
        AreaRulesError::Duplicate {
            table: "udc",
            prefix: "0".into()
        }
    );
}

#[test]
fn a_view_is_classified_under_the_rules_given() {
    let record = crate::testutil::record(
        kitap_marc::Dialect::Marc21,
        crate::testutil::MARC21_BOOK,
        &[("084", "  $a75.581$2rubbk"), ("245", "10$aШахмат есептері")],
    );
    let view = crate::BibView::from_record(&record);
    assert_eq!(view.knowledge_area(), Some(SportArts));
    let mut custom = AreaRules {
        version: "test-2".into(),
        ..AreaRules::default()
    };
    for rule in &mut custom.bbk_public {
        if rule.from == 75 {
            rule.area = SocioPolitical;
        }
    }
    assert_eq!(view.knowledge_area_under(&custom), Some(SocioPolitical));
}
