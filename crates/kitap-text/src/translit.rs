//! Transliteration of Kazakh Cyrillic into the Latin spellings readers type.
//!
//! [`to_latin_2021`] follows the official January 2021 table (kz-domain.md §2.2)
//! letter for letter. Letters without a 2021 letter use the variants the guide
//! lists: Ё → io, Ц → ts, Ч → ş, Щ → şş, Ю → iu, Я → ia; Ъ and Ь are dropped.
//! A multi-letter output is upper-cased whole inside an upper-case word
//! (`ЮРТ` → `İURT`) and title-cased otherwise (`Юрт` → `İurt`).
//!
//! [`to_informal_latin`] and [`to_russian_keyboard`] produce the other query forms;
//! the search crate and the property tests use them as generators.

fn latin_2021(c: char) -> Option<&'static str> {
    Some(match c {
        'а' => "a",
        'ә' => "ä",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'ғ' => "ğ",
        'д' => "d",
        'е' | 'э' => "e",
        'ё' => "io",
        'ж' => "j",
        'з' => "z",
        'и' | 'й' => "i",
        'к' => "k",
        'қ' => "q",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'ң' | 'ӊ' => "ñ",
        'о' => "o",
        'ө' => "ö",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' => "u",
        'ұ' => "ū",
        'ү' => "ü",
        'ф' => "f",
        'х' | 'һ' => "h",
        'ц' => "ts",
        'ч' | 'ш' => "ş",
        'щ' => "şş",
        'ъ' | 'ь' => "",
        'ы' => "y",
        'і' => "ı",
        'ю' => "iu",
        'я' => "ia",
        _ => return None,
    })
}

/// Upper-cases a 2021 Latin string: `i` → `İ`, `ı` → `I` (the Turkic pair).
fn upper_2021(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'i' => "İ".to_string(),
            'ı' => "I".to_string(),
            c => c.to_uppercase().collect(),
        })
        .collect()
}

/// Applies `map` to lower-cased Cyrillic letters, re-applying the case of the
/// source letter (see the module documentation); other characters pass through.
fn transliterate(
    word: &str,
    map: impl Fn(char) -> Option<&'static str>,
    upper: impl Fn(&str) -> String,
) -> String {
    let chars: Vec<char> = word.chars().collect();
    let mut out = String::with_capacity(word.len() * 2);
    for (i, &c) in chars.iter().enumerate() {
        let lower = c.to_lowercase().next().unwrap_or(c);
        let Some(latin) = map(lower) else {
            out.push(c);
            continue;
        };
        if lower == c {
            out.push_str(latin);
            continue;
        }
        let neighbour_upper = [i.checked_sub(1), Some(i + 1)]
            .into_iter()
            .flatten()
            .filter_map(|j| chars.get(j))
            .any(|n| n.is_uppercase());
        if neighbour_upper || latin.chars().count() <= 1 {
            out.push_str(&upper(latin));
        } else {
            let mut it = latin.chars();
            if let Some(first) = it.next() {
                out.push_str(&upper(&first.to_string()));
                out.extend(it);
            }
        }
    }
    out
}

/// Kazakh Cyrillic → official Latin alphabet of 2021.
pub fn to_latin_2021(text: &str) -> String {
    transliterate(text, latin_2021, upper_2021)
}

/// Which informal romanisation [`to_informal_latin`] imitates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InformalStyle {
    /// BGN/PCGN-like digraphs: ғ gh, қ q, ң ng, й y, х kh, ж zh ("Qaraghandy").
    Bgn,
    /// Passport/keyboard-like ASCII: ғ g, қ k, ң n, й i, х kh, ж zh ("Karagandy").
    Simple,
}

fn informal(c: char, style: InformalStyle) -> Option<&'static str> {
    let bgn = style == InformalStyle::Bgn;
    Some(match c {
        'ә' => "a",
        'ғ' => {
            if bgn {
                "gh"
            } else {
                "g"
            }
        }
        'қ' => {
            if bgn {
                "q"
            } else {
                "k"
            }
        }
        'ң' | 'ӊ' => {
            if bgn {
                "ng"
            } else {
                "n"
            }
        }
        'й' => {
            if bgn {
                "y"
            } else {
                "i"
            }
        }
        'ж' => "zh",
        'и' | 'і' => "i",
        'ы' => "y",
        'ө' => "o",
        'ұ' | 'ү' => "u",
        'х' => "kh",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ю' => "yu",
        'я' => "ya",
        'ё' => "yo",
        'ц' => "ts",
        c => return latin_2021(c).filter(|s| s.is_ascii()),
    })
}

/// Kazakh Cyrillic → informal ASCII Latin in the given style.
pub fn to_informal_latin(text: &str, style: InformalStyle) -> String {
    let map = move |c| informal(c, style);
    transliterate(text, map, |s| s.to_uppercase())
}

/// What a reader types on a Russian keyboard: the nine Kazakh letters replaced by
/// their Russian neighbours (ә а, ғ г, қ к, ң н, ө о, ұ/ү у, һ х, і и).
pub fn to_russian_keyboard(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'ә' => 'а',
            'Ә' => 'А',
            'ғ' => 'г',
            'Ғ' => 'Г',
            'қ' => 'к',
            'Қ' => 'К',
            'ң' | 'ӊ' => 'н',
            'Ң' | 'Ӊ' => 'Н',
            'ө' => 'о',
            'Ө' => 'О',
            'ұ' | 'ү' => 'у',
            'Ұ' | 'Ү' => 'У',
            'һ' => 'х',
            'Һ' => 'Х',
            'і' => 'и',
            'І' => 'И',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn official_2021_samples() {
        // Wikipedia's 2021 sample sentence (kz-domain.md §2.2).
        assert_eq!(
            to_latin_2021("Бұрыңғы өткен заманда, бір данышпан кісі, Бағдат шаһарының бір үлкен қазысының үйіне келіп қоныпты"),
            "Būryñğy ötken zamanda, bır danyşpan kısı, Bağdat şaharynyñ bır ülken qazysynyñ üiıne kelıp qonypty"
        );
        assert_eq!(to_latin_2021("Қарағанды"), "Qarağandy");
        assert_eq!(to_latin_2021("Көшпенділер"), "Köşpendıler");
        assert_eq!(to_latin_2021("Шәкәрім"), "Şäkärım");
        assert_eq!(to_latin_2021("ИІРІМ"), "İIRIM");
        assert_eq!(to_latin_2021("Юрий"), "İurii");
        assert_eq!(to_latin_2021("ЮРИЙ"), "İURİİ");
        assert_eq!(to_latin_2021("Мұқағали ғасыры"), "Mūqağali ğasyry");
        assert_eq!(to_latin_2021("цех, чек, ащы"), "tseh, şek, aşşy");
    }

    #[test]
    fn informal_and_keyboard() {
        assert_eq!(
            to_informal_latin("Қарағанды", InformalStyle::Bgn),
            "Qaraghandy"
        );
        assert_eq!(
            to_informal_latin("Қарағанды", InformalStyle::Simple),
            "Karagandy"
        );
        assert_eq!(
            to_informal_latin("Абай жолы", InformalStyle::Bgn),
            "Abay zholy"
        );
        assert_eq!(to_russian_keyboard("Қара сөздер"), "Кара создер");
    }
}
