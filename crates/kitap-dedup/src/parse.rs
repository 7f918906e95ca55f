//! Reading numbers out of free-text statements: pages from the extent,
//! the edition number, the volume or part number, and identifiers.
//!
//! The statements come in Russian, Kazakh (Cyrillic and Latin) and English
//! abbreviations; what matters is that two records of one edition give the
//! same value, so every reader falls back to `None` rather than guess.

/// Lower-cased words and numbers of a statement, split on anything that is
/// neither a letter nor a digit; a number glued to letters ("2-е", "3rd",
/// "1-том") is split from them.
fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut cur_digit = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            let digit = c.is_ascii_digit();
            if !cur.is_empty() && digit != cur_digit {
                out.push(std::mem::take(&mut cur));
            }
            cur_digit = digit;
            cur.extend(c.to_lowercase());
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn is_number(word: &str) -> bool {
    !word.is_empty() && word.bytes().all(|b| b.is_ascii_digit())
}

/// A roman numeral (i..=mmm) as a number; `None` for anything else. Latin
/// letters only: Cyrillic "х" and "і" are words, not numerals.
pub(crate) fn roman(word: &str) -> Option<u32> {
    if word.is_empty() || word.len() > 12 {
        return None;
    }
    let mut total = 0u32;
    let mut prev = 0u32;
    for c in word.chars().rev() {
        let v = match c.to_ascii_lowercase() {
            'i' => 1,
            'v' => 5,
            'x' => 10,
            'l' => 50,
            'c' => 100,
            'd' => 500,
            'm' => 1000,
            _ => return None,
        };
        if v < prev {
            total = total.checked_sub(v)?;
        } else {
            total += v;
            prev = v;
        }
    }
    (total > 0).then_some(total)
}

/// Units of the extent that count pages or leaves (Russian, Kazakh Cyrillic
/// and Latin, English, German, French).
fn is_page_unit(word: &str) -> bool {
    matches!(
        word,
        "с" | "стр"
            | "страниц"
            | "б"
            | "бет"
            | "b"
            | "bet"
            | "p"
            | "pp"
            | "pages"
            | "page"
            | "s"
            | "seiten"
            | "л"
            | "лист"
            | "листов"
            | "leaves"
            | "l"
            | "f"
            | "ff"
    )
}

/// The page count of an extent statement ("256 с.", "xii, 256 p.",
/// "256 б.", "[4], 312 s."): the largest arabic number followed by a page
/// unit, else the largest arabic number when the statement has no unit at
/// all. Prefatory roman pages are ignored: catalogers count them
/// differently, the main sequence they agree on.
pub fn pages(extent: &str) -> Option<i32> {
    let w = words(extent);
    let number = |x: &String| {
        x.parse::<i32>()
            .ok()
            .filter(|n| is_number(x) && *n > 0 && *n < 100_000)
    };
    let mut best: Option<i32> = None;
    // The largest number of each run that ends in a page unit: in
    // "iv, [1], 6-19, [1] p." the sequence is 19, not the unnumbered [1].
    let mut run_max: Option<i32> = None;
    let mut any_unit = false;
    for word in &w {
        if let Some(n) = number(word) {
            run_max = Some(run_max.map_or(n, |m| m.max(n)));
        } else if is_page_unit(word) {
            any_unit = true;
            if let Some(m) = run_max.take() {
                best = Some(best.map_or(m, |b| b.max(m)));
            }
        } else if is_other_unit(word) {
            run_max = None;
        }
    }
    if any_unit || !w.iter().all(|x| is_number(x)) {
        return best;
    }
    // A bare "312" is a page count.
    w.iter().filter_map(number).max()
}

/// Units that count something other than pages: plates, volumes, maps.
fn is_other_unit(word: &str) -> bool {
    matches!(
        word,
        "v" | "vol"
            | "vols"
            | "volumes"
            | "т"
            | "том"
            | "томах"
            | "ил"
            | "ill"
            | "plates"
            | "maps"
            | "карт"
            | "портр"
            | "port"
            | "cm"
            | "см"
    )
}

/// Ordinal words for editions 1-10 (Russian, Kazakh, English, German, French).
fn ordinal(word: &str) -> Option<u32> {
    Some(match word {
        "первое" | "первое," | "бірінші" | "birinshi" | "birinşi" | "first" | "erste"
        | "premiere" | "première" => 1,
        "второе" | "екінші" | "ekinshi" | "ekinşi" | "second" | "zweite" | "deuxieme"
        | "deuxième" => 2,
        "третье" | "үшінші" | "ushinshi" | "üşinşi" | "third" | "dritte" | "troisieme"
        | "troisième" => 3,
        "четвертое" | "четвёртое" | "төртінші" | "fourth" | "vierte" => 4,
        "пятое" | "бесінші" | "fifth" | "fünfte" => 5,
        "шестое" | "алтыншы" | "sixth" => 6,
        "седьмое" | "жетінші" | "seventh" => 7,
        "восьмое" | "сегізінші" | "eighth" => 8,
        "девятое" | "тоғызыншы" | "ninth" => 9,
        "десятое" | "оныншы" | "tenth" => 10,
        _ => return None,
    })
}

/// Whether a word says "edition" in one of the catalogue's languages.
fn is_edition_word(word: &str) -> bool {
    let w = word.trim_end_matches('.');
    matches!(
        w,
        "изд"
            | "издание"
            | "изд-е"
            | "бас"
            | "басылым"
            | "басылымы"
            | "басылуы"
            | "bas"
            | "basylym"
            | "basylymy"
            | "ed"
            | "edition"
            | "aufl"
            | "auflage"
            | "éd"
            | "edn"
    ) || w.starts_with("изд")
        || w.starts_with("басыл")
        || w.starts_with("basyl")
        || w.starts_with("edit")
}

/// The edition number of an edition statement ("2-е изд., испр.",
/// "2nd ed.", "Изд. 3-е", "3-бас.", "Second edition", "Екінші басылым"),
/// as a decimal string; `None` when the statement has no number.
pub fn edition_number(statement: &str) -> Option<String> {
    let w = words(statement);
    let has_edition_word = w.iter().any(|x| is_edition_word(x));
    for (i, word) in w.iter().enumerate() {
        if is_number(word) {
            let near_edition = has_edition_word
                || w.get(i + 1).is_some_and(|n| {
                    matches!(n.as_str(), "е" | "nd" | "rd" | "th" | "st" | "ое" | "e")
                });
            let n: u32 = word.parse().ok()?;
            if near_edition && (1..1000).contains(&n) {
                return Some(n.to_string());
            }
        }
        if let Some(n) = ordinal(word) {
            return Some(n.to_string());
        }
    }
    None
}

/// Words that introduce a volume or part number.
fn is_volume_word(word: &str) -> bool {
    matches!(
        word,
        "т" | "том"
            | "тома"
            | "томы"
            | "ч"
            | "часть"
            | "частях"
            | "кн"
            | "книга"
            | "вып"
            | "выпуск"
            | "кітап"
            | "kitap"
            | "бөлім"
            | "bolim"
            | "bölim"
            | "бөл"
            | "vol"
            | "volume"
            | "v"
            | "pt"
            | "part"
            | "teil"
            | "bd"
            | "band"
            | "tome"
            | "no"
            | "nr"
            | "№"
            | "tom"
            | "cz"
            | "sec"
            | "section"
    )
}

/// The volume or part number of a part statement ("Т. 2", "Ч. 1",
/// "Vol. II", "2-кітап", "кітап 2", "Part three" is not read): the first
/// arabic number, else the first roman numeral; `None` when there is
/// neither. Roman numerals are taken only after a volume word or alone,
/// so a name ("Vivaldi") is never read as a number.
pub fn volume_number(part: &str) -> Option<String> {
    let w = words(part);
    if let Some(n) = w
        .iter()
        .find(|x| is_number(x))
        .and_then(|x| x.parse::<u32>().ok())
    {
        return Some(n.to_string());
    }
    for (i, word) in w.iter().enumerate() {
        let after_volume_word = i > 0 && w.get(i - 1).is_some_and(|p| is_volume_word(p));
        if after_volume_word || w.len() == 1 {
            if let Some(n) = roman(word) {
                return Some(n.to_string());
            }
        }
    }
    None
}

/// The number of a title proper that is only a part designation ("Ч. 1",
/// "Т. 2", "Vol. III", "2-кітап"); `None` for any other title.
pub(crate) fn part_designation(title: &str) -> Option<String> {
    let w = words(title);
    if w.is_empty() || w.len() > 3 || !w.iter().any(|x| is_volume_word(x)) {
        return None;
    }
    w.iter()
        .all(|x| is_volume_word(x) || is_number(x) || roman(x).is_some())
        .then(|| volume_number(title))
        .flatten()
}

/// A volume marker inside a title proper ("Абай жолы. 2-том", "Шығармалар.
/// Т. 3"): the title before the marker and the number. `None` when the
/// title has no such marker, so the title stays whole.
pub(crate) fn split_volume_from_title(title: &str) -> Option<(String, String)> {
    // The marker must follow a sentence break, so a title that merely
    // contains a number ("1001 ночь", "Vol. 2 of the war") stays whole.
    for (cut, _) in title.rmatch_indices(['.', ':', ';', ',']) {
        let (head, tail) = title.split_at(cut);
        let w = words(&tail[1..]);
        if w.len() > 3 {
            return None;
        }
        if !w.iter().any(|x| is_volume_word(x)) {
            continue;
        }
        let number = volume_number(&tail[1..])?;
        let head = head.trim();
        return (!head.is_empty()).then(|| (head.to_string(), number));
    }
    None
}

/// A control number in one normalised form: "ocolc:926742571" for every
/// OCLC spelling ("(OCoLC)926742571", "(OCoLC)ocm00123456", "ocn926742571",
/// "on1234567890"), "<agency>:<number>" for "(Agency)number", lower case,
/// without spaces. `source` is the 003 of a bare 001. `None` for a bare
/// number with no agency: a local number says nothing across catalogues.
pub fn normalize_control_number(raw: &str, source: Option<&str>) -> Option<String> {
    let raw = raw.trim();
    let (agency, number) = match raw.strip_prefix('(') {
        Some(rest) => {
            let close = rest.find(')')?;
            (Some(rest[..close].trim()), rest[close + 1..].trim())
        }
        None => (source.map(str::trim).filter(|s| !s.is_empty()), raw),
    };
    let compact: String = number
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    if compact.is_empty() {
        return None;
    }
    let agency = agency.map(|a| a.to_lowercase());
    if let Some(n) = oclc_number(&compact) {
        if agency.is_none() || agency.as_deref() == Some("ocolc") {
            return Some(format!("ocolc:{n}"));
        }
    }
    match agency.as_deref() {
        Some("ocolc") => compact
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| format!("ocolc:{}", compact.trim_start_matches('0'))),
        Some(a) if !a.is_empty() => Some(format!("{a}:{compact}")),
        _ => None,
    }
}

/// The number of an OCLC-prefixed control number ("ocm00123456",
/// "ocn123456789", "on1234567890"), without leading zeros.
fn oclc_number(compact: &str) -> Option<&str> {
    let digits = compact
        .strip_prefix("ocm")
        .or_else(|| compact.strip_prefix("ocn"))
        .or_else(|| compact.strip_prefix("on"))?;
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.trim_start_matches('0'))
        .filter(|d| !d.is_empty())
}

/// An ISBN as written, reduced to 13 digits when it has the shape of one:
/// an ISBN-10 (valid check digit or not) gets the 978 prefix and a
/// recomputed check digit, so a mistyped ISBN-10 still meets the edition's
/// ISBN-13. `None` when the text holds no 10- or 13-digit ISBN.
pub(crate) fn isbn13_loose(raw: &str) -> Option<String> {
    let mut digits = String::with_capacity(13);
    for c in raw.chars() {
        match c {
            '0'..='9' => digits.push(c),
            'x' | 'X' if digits.len() == 9 => digits.push('X'),
            '-' | ' ' | '\u{2010}' | '\u{2013}' => {}
            // The qualifier "(pbk.)", a price: the number has ended.
            _ if digits.len() >= 10 => break,
            _ => digits.clear(),
        }
    }
    match digits.len() {
        10 => {
            let base = format!("978{}", &digits[..9]);
            Some(with_check_digit(&base))
        }
        13 if !digits.contains('X') => Some(with_check_digit(&digits[..12])),
        _ => None,
    }
}

fn with_check_digit(first12: &str) -> String {
    let sum: u32 = first12
        .bytes()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    let check = (10 - sum % 10) % 10;
    format!("{first12}{check}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_from_extents() {
        assert_eq!(pages("256 с."), Some(256));
        assert_eq!(pages("256 p."), Some(256));
        assert_eq!(pages("xii, 256 p."), Some(256));
        assert_eq!(pages("[4], 312 s."), Some(312));
        assert_eq!(pages("480 б."), Some(480));
        assert_eq!(pages("480 bet"), Some(480));
        assert_eq!(pages("1 v. (unpaged)"), None);
        assert_eq!(pages("312"), Some(312));
        assert_eq!(pages("2 т."), None);
        assert_eq!(pages("II, 57, 31, III с."), Some(57));
        assert_eq!(pages("iv,[1],6-19,[1]p. ; 4⁰."), Some(19));
        assert_eq!(pages("1 online resource (9 p. )"), Some(9));
        assert_eq!(pages("320 с., 16 л. ил."), Some(320));
        assert_eq!(pages("[6], 9-65 leaves"), Some(65));
        assert_eq!(pages("80 vol."), None);
        assert_eq!(pages(""), None);
    }

    #[test]
    fn edition_numbers() {
        assert_eq!(edition_number("2-е изд."), Some("2".into()));
        assert_eq!(
            edition_number("Изд. 3-е, перераб. и доп."),
            Some("3".into())
        );
        assert_eq!(edition_number("2nd ed."), Some("2".into()));
        assert_eq!(edition_number("3-бас."), Some("3".into()));
        assert_eq!(edition_number("3-basylym"), Some("3".into()));
        assert_eq!(edition_number("Second edition"), Some("2".into()));
        assert_eq!(edition_number("Екінші басылым"), Some("2".into()));
        assert_eq!(edition_number("Репринтное издание"), None);
        assert_eq!(edition_number("Rev. ed."), None);
    }

    #[test]
    fn volume_numbers() {
        assert_eq!(volume_number("Т. 2"), Some("2".into()));
        assert_eq!(volume_number("Ч. 1"), Some("1".into()));
        assert_eq!(volume_number("Vol. II"), Some("2".into()));
        assert_eq!(volume_number("2-кітап"), Some("2".into()));
        assert_eq!(volume_number("кітап 2"), Some("2".into()));
        assert_eq!(volume_number("1-том"), Some("1".into()));
        assert_eq!(volume_number("IX"), Some("9".into()));
        assert_eq!(volume_number("Vivaldi"), None);
        assert_eq!(volume_number("Стихи"), None);
    }

    #[test]
    fn part_designations() {
        assert_eq!(part_designation("Ч. 1"), Some("1".into()));
        assert_eq!(part_designation("Ч.9"), Some("9".into()));
        assert_eq!(part_designation("Vol. III"), Some("3".into()));
        assert_eq!(part_designation("2-кітап"), Some("2".into()));
        assert_eq!(part_designation("Абай жолы"), None);
        assert_eq!(part_designation("1984"), None);
    }

    #[test]
    fn volume_in_title() {
        assert_eq!(
            split_volume_from_title("Абай жолы. 2-том"),
            Some(("Абай жолы".into(), "2".into()))
        );
        assert_eq!(
            split_volume_from_title("Шығармалар. Т. 3"),
            Some(("Шығармалар".into(), "3".into()))
        );
        assert_eq!(split_volume_from_title("1001 ночь"), None);
        assert_eq!(split_volume_from_title("Война и мир"), None);
    }

    #[test]
    fn romans() {
        assert_eq!(roman("xii"), Some(12));
        assert_eq!(roman("IV"), Some(4));
        assert_eq!(roman("MCMXC"), Some(1990));
        assert_eq!(roman("abc"), None);
        assert_eq!(roman(""), None);
    }

    #[test]
    fn oclc_forms_meet() {
        let key = Some("ocolc:926742571".to_string());
        assert_eq!(normalize_control_number("(OCoLC)926742571", None), key);
        assert_eq!(normalize_control_number("ocn926742571", None), key);
        assert_eq!(normalize_control_number("(OCoLC)ocn926742571", None), key);
        assert_eq!(normalize_control_number("926742571", Some("OCoLC")), key);
        assert_eq!(
            normalize_control_number("ocm00123456", None),
            Some("ocolc:123456".into())
        );
        assert_eq!(
            normalize_control_number("(OCoLC)00123456", None),
            Some("ocolc:123456".into())
        );
        assert_eq!(
            normalize_control_number("on1234567890", None),
            Some("ocolc:1234567890".into())
        );
        assert_eq!(
            normalize_control_number("(DLC)  2001012345", None),
            Some("dlc:2001012345".into())
        );
        assert_eq!(normalize_control_number("12345", None), None);
        assert_eq!(normalize_control_number("(OCoLC)", None), None);
    }

    #[test]
    fn loose_isbns() {
        // A valid ISBN-10 and its ISBN-13.
        assert_eq!(isbn13_loose("5-7667-8406-2"), Some("9785766784067".into()));
        // A wrong check digit still meets the edition's ISBN-13.
        assert_eq!(isbn13_loose("5-7667-8406-3"), Some("9785766784067".into()));
        assert_eq!(
            isbn13_loose("978-601-7052-13-9 (pbk.)"),
            Some("9786017052133".into())
        );
        assert_eq!(isbn13_loose("12345"), None);
    }
}
