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
