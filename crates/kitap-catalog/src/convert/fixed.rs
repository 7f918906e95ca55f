//! Leader and fixed-length data: MARC 21 leader + 008 <-> UNIMARC leader +
//! 100$a (general processing data), 101 and 102.
//!
//! Only what both formats can express is carried: record status and type,
//! bibliographic level, type of date and the two dates, date entered,
//! target audience, language and country. Other positions are filled with
//! "no attempt to code" ('|') or blank, so nothing is invented.

/// (MARC 21 leader/06, UNIMARC leader/06): they differ in m/o/p/t and l/m/b.
const RECORD_TYPES: &[(char, char)] = &[
    ('a', 'a'),
    ('t', 'b'),
    ('c', 'c'),
    ('d', 'd'),
    ('e', 'e'),
    ('f', 'f'),
    ('g', 'g'),
    ('i', 'i'),
    ('j', 'j'),
    ('k', 'k'),
    ('m', 'l'),
    ('p', 'm'),
    ('o', 'm'),
    ('r', 'r'),
];

/// (MARC 21 008/06 type of date, UNIMARC 100$a/8 type of publication date).
const DATE_TYPES: &[(char, char)] = &[
    ('s', 'd'),
    ('r', 'e'),
    ('q', 'f'),
    ('m', 'g'),
    ('t', 'h'),
    ('e', 'j'),
    ('c', 'a'),
    ('d', 'b'),
    ('u', 'c'),
    ('n', 'u'),
];

/// (MARC 21 008/22 target audience, UNIMARC 100$a/17).
const AUDIENCES: &[(char, char)] = &[
    ('j', 'a'),
    ('a', 'b'),
    ('b', 'c'),
    ('c', 'd'),
    ('d', 'e'),
    ('e', 'k'),
    ('g', 'm'),
];

/// (ISO 3166 code as in UNIMARC 102$a, MARC country code) where they differ.
const COUNTRIES: &[(&str, &str)] = &[
    ("US", "xxu"),
    ("GB", "xxk"),
    ("CA", "xxc"),
    ("AU", "at"),
    ("DE", "gw"),
    ("CN", "cc"),
    ("UA", "un"),
    ("BY", "bw"),
];

fn forward(table: &[(char, char)], c: char) -> Option<char> {
    table.iter().find(|(m, _)| *m == c).map(|(_, u)| *u)
}

fn backward(table: &[(char, char)], c: char) -> Option<char> {
    table.iter().find(|(_, u)| *u == c).map(|(m, _)| *m)
}

fn at(s: &str, pos: usize) -> char {
    s.chars().nth(pos).unwrap_or(' ')
}

/// Characters `range` of `s`, padded with `fill` to the range's length.
fn slice(s: &str, range: std::ops::Range<usize>, fill: char) -> String {
    let len = range.len();
    let mut out: String = s.chars().skip(range.start).take(len).collect();
    while out.chars().count() < len {
        out.push(fill);
    }
    out
}

pub(super) fn leader_to_unimarc(leader: &str) -> String {
    let status = match at(leader, 5) {
        c @ ('c' | 'd' | 'n' | 'p') => c,
        _ => 'n',
    };
    let kind = forward(RECORD_TYPES, at(leader, 6)).unwrap_or('a');
    let level = match at(leader, 7) {
        'a' | 'b' => 'a',
        'c' => 'c',
        'i' => 'i',
        's' => 's',
        _ => 'm',
    };
    let encoding = if at(leader, 17) == ' ' { ' ' } else { '1' };
    // MARC 21 leader/18 'a'/'i': ISBD punctuation present -> full ISBD.
    let form = match at(leader, 18) {
        'a' | 'i' => ' ',
        'c' => 'i',
        _ => 'n',
    };
    // Leader/08: a component part sits below its host; others are undefined.
    let hierarchy = if level == 'a' { '2' } else { ' ' };
    format!("00000{status}{kind}{level}{hierarchy} 2200000{encoding}{form} 450 ")
}

pub(super) fn leader_to_marc21(leader: &str) -> String {
    let status = match at(leader, 5) {
        c @ ('c' | 'd' | 'n' | 'p') => c,
        _ => 'n',
    };
    let kind = backward(RECORD_TYPES, at(leader, 6)).unwrap_or('a');
    let level = match at(leader, 7) {
        c @ ('a' | 'c' | 'i' | 's') => c,
        _ => 'm',
    };
    let encoding = match at(leader, 17) {
        ' ' => ' ',
        '1' => '7',
        '2' => '5',
        _ => '3',
    };
    // Leader/18 'c': ISBD punctuation omitted, because UNIMARC data has none
    // and none is added here.
    format!("00000{status}{kind}{level} a2200000{encoding}c 4500")
}

/// The MARC 21 facts UNIMARC 100/101/102 are built from.
pub(super) struct Fixed008 {
    pub general: String,
    pub language: Option<String>,
    pub country: Option<String>,
}

/// MARC 21 008 (and 040$b, the cataloguing language) to UNIMARC.
pub(super) fn from_008(f008: &str, title_script: &str, cataloguing_lang: Option<&str>) -> Fixed008 {
    let entered = slice(f008, 0..6, '0');
    let yy: u32 = entered.get(0..2).and_then(|y| y.parse().ok()).unwrap_or(0);
    // 008/00-05 has a two-digit year; MARC records began in the late 1960s.
    let century = if yy >= 60 { "19" } else { "20" };
    let date_type = forward(DATE_TYPES, at(f008, 6)).unwrap_or('u');
    let audience = forward(AUDIENCES, at(f008, 22)).unwrap_or('u');
    let cat_lang = cataloguing_lang
        .map(|l| slice(&l.trim().to_ascii_lowercase(), 0..3, ' '))
        .unwrap_or_else(|| "und".to_string());
    let general = format!(
        "{century}{entered}{date_type}{}{}{audience}  |0{cat_lang}y50      {title_script}",
        slice(f008, 7..11, ' '),
        slice(f008, 11..15, ' '),
    );
    let language =
        Some(slice(f008, 35..38, ' ')).filter(|l| l.chars().all(|c| c.is_ascii_lowercase()));
    let place = slice(f008, 15..18, ' ');
    let place = place.trim();
    let country = COUNTRIES
        .iter()
        .find(|(_, m)| *m == place)
        .map(|(iso, _)| (*iso).to_string())
        .or_else(|| (place.len() == 2 && place.is_ascii()).then(|| place.to_ascii_uppercase()));
    Fixed008 {
        general,
        language,
        country,
    }
}

/// UNIMARC 100$a, 101$a and 102$a to a MARC 21 008 for books.
pub(super) fn to_008(general: &str, language: Option<&str>, country: Option<&str>) -> String {
    let entered = slice(general, 2..8, '0');
    let date_type = backward(DATE_TYPES, at(general, 8)).unwrap_or('|');
    let audience = backward(AUDIENCES, at(general, 17)).unwrap_or('|');
    let place = country
        .map(str::trim)
        .map(|c| {
            COUNTRIES
                .iter()
                .find(|(iso, _)| iso.eq_ignore_ascii_case(c))
                .map_or_else(|| c.to_ascii_lowercase(), |(_, m)| (*m).to_string())
        })
        .unwrap_or_else(|| "xx".to_string());
    let lang = language.map_or_else(
        || "   ".to_string(),
        |l| slice(&l.to_ascii_lowercase(), 0..3, ' '),
    );
    format!(
        "{entered}{date_type}{}{}{}||||{audience}||||||||| ||{lang} d",
        slice(general, 9..13, ' '),
        slice(general, 13..17, ' '),
        slice(&place, 0..3, ' '),
    )
}

/// UNIMARC 100$a/34-35 script of title: Latin "ba", Cyrillic "ca".
pub(super) fn script_of(title: &str) -> &'static str {
    let letters = title.chars().filter(|c| c.is_alphabetic());
    let (mut latin, mut cyrillic) = (0, 0);
    for c in letters {
        match c {
            'A'..='Z' | 'a'..='z' | '\u{c0}'..='\u{24f}' => latin += 1,
            '\u{400}'..='\u{52f}' => cyrillic += 1,
            _ => {}
        }
    }
    match (latin, cyrillic) {
        (0, 0) => "  ",
        (l, c) if c >= l => "ca",
        _ => "ba",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaders_map_both_ways() {
        let u = leader_to_unimarc("00536nam a2200181 i 4500");
        assert_eq!(u, "00000nam  2200000   450 ");
        assert_eq!(u.len(), 24);
        let m = leader_to_marc21("00552nam0 2200181   450 ");
        assert_eq!(m, "00000nam a2200000 c 4500");
        assert_eq!(
            leader_to_unimarc("00000nmm a2200000 i 4500").get(6..7),
            Some("l")
        );
        assert_eq!(
            leader_to_marc21("00000nlm0 2200000   450 ").get(6..7),
            Some("m")
        );
        assert_eq!(leader_to_unimarc("").len(), 24);
        assert_eq!(leader_to_marc21("ü").len(), 24);
    }

    #[test]
    fn fixed_fields_map_both_ways() {
        let f = from_008(
            "240115s2019    kz            000 1 kaz d",
            "ca",
            Some("rus"),
        );
        assert_eq!(f.general, "20240115d2019    u  |0rusy50      ca");
        assert_eq!(f.general.chars().count(), 36);
        assert_eq!(f.language.as_deref(), Some("kaz"));
        assert_eq!(f.country.as_deref(), Some("KZ"));
        let back = to_008(&f.general, f.language.as_deref(), f.country.as_deref());
        assert_eq!(back.chars().count(), 40);
        assert_eq!(back, "240115s2019    kz |||||||||||||| ||kaz d");
        let us = from_008("991029s1998    xxu           000 0 eng d", "ba", None);
        assert_eq!(us.country.as_deref(), Some("US"));
        assert!(us.general.contains("und"));
        assert_eq!(to_008("", None, None).chars().count(), 40);
        assert_eq!(from_008("", "  ", None).general.chars().count(), 36);
    }

    #[test]
    fn scripts() {
        assert_eq!(script_of("Қара сөздер"), "ca");
        assert_eq!(script_of("Qara sözder"), "ba");
        assert_eq!(script_of("1999"), "  ");
    }
}
