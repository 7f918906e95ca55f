//! OPAC search (issue #4) on a generated catalog, end to end:
//!
//! 1. generate RECORDS records (Kazakh, Russian and English; MARC 21 and
//!    RUSMARC with IRBIS 910 copies in the 21 libraries) and import them into
//!    SQLite with the real import use case;
//! 2. full reindex in this process (`kitap_app::search::rebuild`, the code
//!    `kitap reindex` runs): wall time, index size on disk, peak RSS;
//! 3. the real `kitap serve` binary on 127.0.0.1, driven over HTTP/1.1
//!    keep-alive by CLIENTS client threads for SECONDS with a query mix of six
//!    kinds in equal shares (one word, two words, author, ISBN, facet-filtered,
//!    Latin-script transliterations of Kazakh titles): latency percentiles,
//!    requests/s, server RSS; plus a recall pass over queries that have one
//!    intended record (ISBN forms, Latin spellings, a typo, inflected forms);
//! 4. the same records in PostgreSQL (a table with a weighted `tsvector`
//!    GIN index, `'simple'` configuration, as Evergreen does with its own
//!    configurations) and the same query mix as `plainto_tsquery` + `ts_rank`
//!    top 20 + total count (and a second run with facet counts), over CLIENTS
//!    connections; the same recall pass through `psql`.
//!
//! ```text
//! cargo build --release -p kitap-cli
//! cargo bench -p kitap-app --bench search -- [RECORDS] [seconds=30] [clients=8]
//!     [pg=on|off] [http=on|off] [bin=target/release/kitap] [queries=500] [extra=&facets=false] [keep=DIR [reuse=on [reindex=on]]] [memory=MiB]
//! ```
//!
//! PostgreSQL: `KITAP_BENCH_PG_URL` (default
//! postgres://postgres@127.0.0.1:5432/postgres); the run uses a fresh schema and
//! drops it afterwards; `psql` must be on the PATH. All traffic goes to
//! 127.0.0.1, every load loop stops after SECONDS.

// A benchmark binary: a failed setup step should stop it loudly.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::explicit_counter_loop,
    clippy::collapsible_str_replace
)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kitap_app::catalog::{ImportRequest, OnMatch};
use kitap_app::config::AuthConfig;
use kitap_app::search::{rebuild, SearchIndex};
use kitap_app::{Actor, App, Config, Db, DbUrl};
use kitap_marc::{Dialect, Encoding, Field, Record, Subfield};

// As in the `kitap` binary (and so as in `kitap reindex`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

// ---------------------------------------------------------------------------
// A small deterministic generator (splitmix64): record n is the same in every
// run and on both databases.

#[derive(Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0xD1B5_4A32_D192_ED03) ^ 0x9E37_79B9_7F4A_7C15)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// An index in 0..n where low indexes are more frequent: half uniform,
    /// half log-uniform (density ~1/x), so a vocabulary gets a Zipf-like head
    /// and a long tail.
    fn skewed(&mut self, n: usize) -> usize {
        if self.chance(0.5) {
            return self.below(n);
        }
        let x = ((n as f64 + 1.0).powf(self.unit()) - 1.0) as usize;
        x.min(n - 1)
    }
}

// ---------------------------------------------------------------------------
// Vocabulary.

/// Kazakh nouns: base, 3rd-person possessive, plural, genitive, locative.
#[rustfmt::skip]
const KZ_NOUNS: &[[&str; 5]] = &[
    ["жол", "жолы", "жолдар", "жолдың", "жолда"],
    ["дала", "даласы", "далалар", "даланың", "далада"],
    ["тарих", "тарихы", "тарихтар", "тарихтың", "тарихта"],
    ["ел", "елі", "елдер", "елдің", "елде"],
    ["жер", "жері", "жерлер", "жердің", "жерде"],
    ["өмір", "өмірі", "өмірлер", "өмірдің", "өмірде"],
    ["кітап", "кітабы", "кітаптар", "кітаптың", "кітапта"],
    ["ана", "анасы", "аналар", "ананың", "анада"],
    ["әке", "әкесі", "әкелер", "әкенің", "әкеде"],
    ["бала", "баласы", "балалар", "баланың", "балада"],
    ["тау", "тауы", "таулар", "таудың", "тауда"],
    ["көл", "көлі", "көлдер", "көлдің", "көлде"],
    ["өзен", "өзені", "өзендер", "өзеннің", "өзенде"],
    ["ән", "әні", "әндер", "әннің", "әнде"],
    ["жыр", "жыры", "жырлар", "жырдың", "жырда"],
    ["ой", "ойы", "ойлар", "ойдың", "ойда"],
    ["сөз", "сөзі", "сөздер", "сөздің", "сөзде"],
    ["күн", "күні", "күндер", "күннің", "күнде"],
    ["түн", "түні", "түндер", "түннің", "түнде"],
    ["жүрек", "жүрегі", "жүректер", "жүректің", "жүректе"],
    ["халық", "халқы", "халықтар", "халықтың", "халықта"],
    ["қала", "қаласы", "қалалар", "қаланың", "қалада"],
    ["ауыл", "ауылы", "ауылдар", "ауылдың", "ауылда"],
    ["мектеп", "мектебі", "мектептер", "мектептің", "мектепте"],
    ["ғылым", "ғылымы", "ғылымдар", "ғылымның", "ғылымда"],
    ["әдебиет", "әдебиеті", "әдебиеттер", "әдебиеттің", "әдебиетте"],
    ["тіл", "тілі", "тілдер", "тілдің", "тілде"],
    ["дәуір", "дәуірі", "дәуірлер", "дәуірдің", "дәуірде"],
    ["батыр", "батыры", "батырлар", "батырдың", "батырда"],
    ["ақын", "ақыны", "ақындар", "ақынның", "ақында"],
    ["хат", "хаты", "хаттар", "хаттың", "хатта"],
    ["аспан", "аспаны", "аспандар", "аспанның", "аспанда"],
    ["жұлдыз", "жұлдызы", "жұлдыздар", "жұлдыздың", "жұлдызда"],
    ["қыз", "қызы", "қыздар", "қыздың", "қызда"],
    ["жігіт", "жігіті", "жігіттер", "жігіттің", "жігітте"],
    ["көш", "көші", "көштер", "көштің", "көште"],
    ["орман", "орманы", "ормандар", "орманның", "орманда"],
    ["теңіз", "теңізі", "теңіздер", "теңіздің", "теңізде"],
    ["құс", "құсы", "құстар", "құстың", "құста"],
    ["арман", "арманы", "армандар", "арманның", "арманда"],
    ["махаббат", "махаббаты", "махаббаттар", "махаббаттың", "махаббатта"],
    ["соғыс", "соғысы", "соғыстар", "соғыстың", "соғыста"],
    ["заман", "заманы", "замандар", "заманның", "заманда"],
    ["ұрпақ", "ұрпағы", "ұрпақтар", "ұрпақтың", "ұрпақта"],
    ["шежіре", "шежіресі", "шежірелер", "шежіренің", "шежіреде"],
    ["дастан", "дастаны", "дастандар", "дастанның", "дастанда"],
    ["ертегі", "ертегісі", "ертегілер", "ертегінің", "ертегіде"],
    ["әлем", "әлемі", "әлемдер", "әлемнің", "әлемде"],
    ["сапар", "сапары", "сапарлар", "сапардың", "сапарда"],
    ["бақыт", "бақыты", "бақыттар", "бақыттың", "бақытта"],
];
#[rustfmt::skip]
const KZ_ADJ: &[&str] = &[
    "ақ", "көк", "қара", "ұлы", "жаңа", "ескі", "алтын", "күміс", "қасиетті", "мәңгілік",
    "соңғы", "алғашқы", "қазақ", "асыл", "сұлу", "жас", "кең", "биік", "терең", "ыстық", "суық",
    "жарық", "туған", "бақытты", "жалғыз", "таза", "айдын", "қоңыр", "дархан", "көне",
];
#[rustfmt::skip]
const KZ_GENRES: &[&str] = &[
    "роман", "повесть", "әңгімелер", "өлеңдер", "оқулық", "зерттеу", "эссе", "тарихи роман",
    "жинақ", "дастан", "пьесалар", "естеліктер",
];
#[rustfmt::skip]
const KZ_FAMOUS: &[&str] = &[
    "Абай жолы", "Қан мен тер", "Көшпенділер", "Ұлпан", "Аласапыран", "Ақ кеме",
    "Менің атым Қожа", "Бақытсыз Жамал", "Қазақ халқының тарихы", "Оянған өлке", "Ботагөз",
    "Қара сөздер",
];
/// Syllables of synthetic Kazakh names: A + C + B ("Жан" + "ке" + "бек").
#[rustfmt::skip]
const KZ_ROOT_A: &[&str] = &[
    "Жан", "Нұр", "Сер", "Ер", "Қан", "Мұх", "Тал", "Ас", "Бай", "Қай", "Сәт", "Дос", "Ораз",
    "Төле", "Үмбет", "Жұма", "Құл", "Ақ", "Қара", "Сұлтан", "Бек", "Тұр", "Есен", "Әлі", "Мұса",
    "Иса", "Шәкір", "Ғали", "Ахмет", "Омар", "Қасым", "Кен", "Бол", "Ай", "Күн", "Тем", "Сағ",
    "Дәу", "Әбіл", "Нұрсұл",
];
#[rustfmt::skip]
const KZ_ROOT_C: &[&str] = &[
    "", "ке", "ба", "ды", "ра", "мұ", "сы", "жа", "та", "ну", "ға", "лы",
];
#[rustfmt::skip]
const KZ_ROOT_B: &[&str] = &[
    "бек", "бай", "жан", "хан", "ғали", "тай", "бол", "құл", "мұрат", "ғазы", "қали", "ше",
    "кен", "бет", "мағамбет", "бала", "ділда", "жар",
];
#[rustfmt::skip]
const KZ_MALE: &[&str] = &[
    "Мұхтар", "Ілияс", "Ғабит", "Сәбит", "Бейімбет", "Мағжан", "Олжас", "Қадыр", "Мұқағали",
    "Тахауи", "Әбіш", "Дулат", "Жұбан", "Ахмет", "Міржақып", "Әлихан", "Бауыржан", "Нұрлан",
    "Серік", "Асқар", "Ерлан", "Дәурен", "Ержан", "Қайрат", "Талғат", "Ермек", "Бақыт",
    "Төлеген", "Оралхан", "Шерхан",
];
#[rustfmt::skip]
const KZ_FEMALE: &[&str] = &[
    "Айгерім", "Гүлнар", "Сәуле", "Жанар", "Мәдина", "Жансая", "Ләззат", "Алтынай", "Ботагөз",
    "Назерке", "Әсел", "Динара", "Шәрбану", "Фариза", "Күләш", "Мариям", "Зейнеп", "Ақбота",
    "Гүлжан", "Роза",
];
#[rustfmt::skip]
const KZ_FAMOUS_AUTHORS: &[(&str, &str)] = &[
    ("Әуезов", "Мұхтар"),
    ("Есенберлин", "Ілияс"),
    ("Мүсірепов", "Ғабит"),
    ("Құнанбайұлы", "Абай"),
    ("Жұмабаев", "Мағжан"),
    ("Сүлейменов", "Олжас"),
    ("Мақатаев", "Мұқағали"),
    ("Нұрпейісов", "Әбдіжәміл"),
    ("Айтматов", "Шыңғыс"),
    ("Мұқанов", "Сәбит"),
    ("Майлин", "Бейімбет"),
    ("Кекілбаев", "Әбіш"),
    ("Жұмаділов", "Қабдеш"),
    ("Оңғарсынова", "Фариза"),
];

/// Russian nouns: nominative, genitive, prepositional, plural, gender.
#[rustfmt::skip]
const RU_NOUNS: &[[&str; 5]] = &[
    ["степь", "степи", "степи", "степи", "f"],
    ["дорога", "дороги", "дороге", "дороги", "f"],
    ["история", "истории", "истории", "истории", "f"],
    ["жизнь", "жизни", "жизни", "жизни", "f"],
    ["война", "войны", "войне", "войны", "f"],
    ["мир", "мира", "мире", "миры", "m"],
    ["город", "города", "городе", "города", "m"],
    ["земля", "земли", "земле", "земли", "f"],
    ["река", "реки", "реке", "реки", "f"],
    ["гора", "горы", "горе", "горы", "f"],
    ["море", "моря", "море", "моря", "n"],
    ["сердце", "сердца", "сердце", "сердца", "n"],
    ["песня", "песни", "песне", "песни", "f"],
    ["душа", "души", "душе", "души", "f"],
    ["ночь", "ночи", "ночи", "ночи", "f"],
    ["народ", "народа", "народе", "народы", "m"],
    ["время", "времени", "времени", "времена", "n"],
    ["память", "памяти", "памяти", "памяти", "f"],
    ["судьба", "судьбы", "судьбе", "судьбы", "f"],
    ["любовь", "любви", "любви", "любви", "f"],
    ["край", "края", "крае", "края", "m"],
    ["свет", "света", "свете", "света", "m"],
    ["ветер", "ветра", "ветре", "ветры", "m"],
    ["небо", "неба", "небе", "небеса", "n"],
    ["книга", "книги", "книге", "книги", "f"],
    ["сказка", "сказки", "сказке", "сказки", "f"],
    ["дом", "дома", "доме", "дома", "m"],
    ["путь", "пути", "пути", "пути", "m"],
    ["школа", "школы", "школе", "школы", "f"],
    ["наука", "науки", "науке", "науки", "f"],
    ["язык", "языка", "языке", "языки", "m"],
    ["литература", "литературы", "литературе", "литературы", "f"],
    ["культура", "культуры", "культуре", "культуры", "f"],
    ["экономика", "экономики", "экономике", "экономики", "f"],
    ["право", "права", "праве", "права", "n"],
    ["поле", "поля", "поле", "поля", "n"],
    ["озеро", "озера", "озере", "озера", "n"],
    ["сад", "сада", "саду", "сады", "m"],
    ["аул", "аула", "ауле", "аулы", "m"],
];
/// Russian adjectives: masculine, feminine, neuter.
#[rustfmt::skip]
const RU_ADJ: &[[&str; 3]] = &[
    ["тихий", "тихая", "тихое"],
    ["великий", "великая", "великое"],
    ["новый", "новая", "новое"],
    ["старый", "старая", "старое"],
    ["последний", "последняя", "последнее"],
    ["золотой", "золотая", "золотое"],
    ["белый", "белая", "белое"],
    ["далекий", "далекая", "далекое"],
    ["родной", "родная", "родное"],
    ["вечный", "вечная", "вечное"],
    ["краткий", "краткая", "краткое"],
    ["казахский", "казахская", "казахское"],
    ["степной", "степная", "степное"],
    ["синий", "синяя", "синее"],
    ["светлый", "светлая", "светлое"],
    ["горький", "горькая", "горькое"],
];
#[rustfmt::skip]
const RU_GENRES: &[&str] = &[
    "роман", "повесть", "рассказы", "стихи", "учебник", "учебное пособие", "монография",
    "сборник статей", "очерки", "справочник",
];
#[rustfmt::skip]
const RU_FAMOUS: &[&str] = &[
    "Война и мир", "Тихий Дон", "Мастер и Маргарита", "Преступление и наказание",
    "Евгений Онегин", "Мертвые души", "Кочевники", "Путь Абая",
];
#[rustfmt::skip]
const RU_ROOT_A: &[&str] = &[
    "Бел", "Черн", "Волк", "Сокол", "Кузнец", "Мороз", "Орл", "Павл", "Никол", "Гром", "Бор",
    "Сем", "Федот", "Степан", "Тихон", "Громык", "Зайц", "Ворон", "Голуб", "Жук", "Рыб", "Козл",
    "Бык", "Сорок", "Карп", "Панкрат", "Лукьян", "Ермол", "Матве", "Сидор",
];
const RU_ROOT_B: &[&str] = &["", "ин", "ан", "ищ", "ик", "еньк", "ушк", "ач", "ев", "ал"];
#[rustfmt::skip]
const RU_MALE: &[&str] = &[
    "Лев", "Михаил", "Александр", "Антон", "Иван", "Сергей", "Николай", "Андрей", "Дмитрий",
    "Владимир", "Юрий", "Павел", "Олег", "Виктор",
];
#[rustfmt::skip]
const RU_FEMALE: &[&str] = &[
    "Анна", "Мария", "Елена", "Ольга", "Татьяна", "Наталья", "Ирина", "Светлана", "Людмила",
    "Галина",
];
#[rustfmt::skip]
const RU_FAMOUS_AUTHORS: &[(&str, &str)] = &[
    ("Толстой", "Лев"),
    ("Шолохов", "Михаил"),
    ("Булгаков", "Михаил"),
    ("Достоевский", "Федор"),
    ("Пушкин", "Александр"),
    ("Чехов", "Антон"),
    ("Гоголь", "Николай"),
    ("Тургенев", "Иван"),
];

#[rustfmt::skip]
const EN_NOUNS: &[&str] = &[
    "steppe", "road", "history", "life", "war", "peace", "city", "land", "river", "mountain",
    "sea", "heart", "song", "soul", "night", "people", "time", "memory", "fate", "love",
    "light", "wind", "sky", "book", "tale", "home", "journey", "school", "science", "language",
    "literature", "culture", "economy", "law", "horse", "eagle", "village", "garden",
];
#[rustfmt::skip]
const EN_ADJ: &[&str] = &[
    "silent", "great", "new", "old", "last", "golden", "white", "distant", "eternal", "short",
    "hidden", "wild", "endless", "forgotten", "blue",
];
#[rustfmt::skip]
const EN_GENRES: &[&str] = &[
    "a novel", "stories", "a history", "an introduction", "essays", "poems",
];
#[rustfmt::skip]
const EN_SURNAMES: &[&str] = &[
    "Smith", "Johnson", "Brown", "Taylor", "Wilson", "Clark", "Hughes", "Baker", "Turner",
    "Walker", "Harris", "Lewis", "Young", "King", "Green", "Adams", "Nelson", "Hill", "Moore",
    "Wright", "Olcott", "Privratsky", "Cameron", "Kassymova", "Sarsenov",
];
#[rustfmt::skip]
const EN_FIRST: &[&str] = &[
    "John", "Mary", "David", "Sarah", "James", "Emma", "Peter", "Anna", "Robert", "Laura",
];

/// Topics: Kazakh, Russian and English subject heading, BBK index. Fiction first.
#[rustfmt::skip]
const TOPICS: &[(&str, &str, &str, &str)] = &[
    ("Қазақ әдебиеті", "Казахская литература", "Kazakh literature", "84(5Каз)"),
    ("Поэзия", "Поэзия", "Poetry", "84(5Каз)-5"),
    ("Балалар әдебиеті", "Детская литература", "Children's literature", "84(0)"),
    ("Қазақстан тарихы", "История Казахстана", "Kazakhstan -- History", "63.3(5Каз)"),
    ("Орыс әдебиеті", "Русская литература", "Russian literature", "84(2Рос=Рус)"),
    ("Қазақ тілі", "Казахский язык", "Kazakh language", "81.2Каз"),
    ("Экономика", "Экономика", "Economics", "65"),
    ("Педагогика", "Педагогика", "Education", "74"),
    ("Құқық", "Право", "Law", "67"),
    ("Медицина", "Медицина", "Medicine", "5"),
    ("Ауыл шаруашылығы", "Сельское хозяйство", "Agriculture", "4"),
    ("Философия", "Философия", "Philosophy", "87"),
    ("Дін", "Религия", "Religion", "86"),
    ("Өнер", "Искусство", "Art", "85"),
    ("Музыка", "Музыка", "Music", "85.31"),
    ("Спорт", "Спорт", "Sports", "75"),
    ("География", "География", "Geography", "26.8"),
    ("Биология", "Биология", "Biology", "28"),
    ("Химия", "Химия", "Chemistry", "24"),
    ("Физика", "Физика", "Physics", "22.3"),
    ("Математика", "Математика", "Mathematics", "22.1"),
    ("Информатика", "Информатика", "Computer science", "32.97"),
    ("Экология", "Экология", "Ecology", "20.1"),
    ("Этнография", "Этнография", "Ethnology", "63.5"),
    ("Мәдениет", "Культура", "Culture", "71"),
    ("Психология", "Психология", "Psychology", "88"),
];

#[rustfmt::skip]
const KZ_PUBLISHERS: &[(&str, &str)] = &[
    ("Алматы", "Жазушы"),
    ("Алматы", "Атамұра"),
    ("Астана", "Фолиант"),
    ("Алматы", "Мектеп"),
    ("Қарағанды", "Болашақ-Баспа"),
    ("Алматы", "Өнер"),
    ("Алматы", "Қазақ университеті"),
    ("Астана", "Елорда"),
    ("Алматы", "Арда"),
    ("Шымкент", "Оңтүстік"),
];
#[rustfmt::skip]
const RU_PUBLISHERS: &[(&str, &str)] = &[
    ("Алматы", "Раритет"),
    ("Москва", "Наука"),
    ("Москва", "Эксмо"),
    ("Санкт-Петербург", "Питер"),
    ("Караганда", "Болашак-Баспа"),
    ("Москва", "Просвещение"),
    ("Алма-Ата", "Казахстан"),
];
#[rustfmt::skip]
const EN_PUBLISHERS: &[(&str, &str)] = &[
    ("London", "Penguin"),
    ("Oxford", "Oxford University Press"),
    ("New York", "Routledge"),
    ("Astana", "Nazarbayev University Press"),
];

/// The 21 libraries (data/branches.toml).
#[rustfmt::skip]
const LIBRARIES: &[&str] = &[
    "C00", "F01", "F02", "F03", "F04", "F05", "F06", "F07", "F08", "F09", "F10", "F11", "F12",
    "F13", "F14", "F15", "F16", "F17", "F18", "F19", "F20",
];

/// Words a query of one word never is.
#[rustfmt::skip]
const STOP: &[&str] = &[
    "мен", "және", "и", "в", "of", "the", "a", "an", "and", "in", "туралы",
];

// ---------------------------------------------------------------------------
// Records.

/// Everything record n says, shared by the MARC file and the PostgreSQL table.
struct Spec {
    n: u64,
    lang: &'static str,
    title: String,
    other_title: Option<String>,
    surname: String,
    forename: String,
    /// A generated surname (rare), not one of the famous authors (frequent).
    synthetic: bool,
    year: u32,
    topics: Vec<usize>,
    place: &'static str,
    publisher: &'static str,
    annotation: Option<String>,
    rusmarc: bool,
    /// (library code, IRBIS status code) per copy.
    copies: Vec<(&'static str, &'static str)>,
    /// A noun of the title: index in KZ_NOUNS / RU_NOUNS and the form used.
    noun: Option<(usize, usize)>,
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn kz_root(r: &mut Rng) -> String {
    format!(
        "{}{}{}",
        r.pick(KZ_ROOT_A),
        r.pick(KZ_ROOT_C),
        r.pick(KZ_ROOT_B)
    )
}

fn kz_title(r: &mut Rng) -> (String, Option<(usize, usize)>) {
    let len = KZ_NOUNS.len();
    let a = r.skewed(len);
    let mut b = r.skewed(len);
    if b == a {
        b = (a + 1) % len;
    }
    let (text, noun) = match r.below(100) {
        0..=24 => (
            format!("{} {}", KZ_NOUNS[a][0], KZ_NOUNS[b][1]),
            Some((b, 1)),
        ),
        25..=44 => (
            format!("{} {}", r.pick(KZ_ADJ), KZ_NOUNS[a][0]),
            Some((a, 0)),
        ),
        45..=64 => (
            format!("{} {} {}", r.pick(KZ_ADJ), KZ_NOUNS[a][0], KZ_NOUNS[b][1]),
            Some((b, 1)),
        ),
        65..=74 => (KZ_NOUNS[a][2].to_string(), Some((a, 2))),
        75..=84 => (
            format!("{} {}", KZ_NOUNS[a][4], KZ_NOUNS[b][0]),
            Some((a, 4)),
        ),
        85..=96 => (format!("{} {}", kz_root(r), KZ_NOUNS[b][1]), Some((b, 1))),
        _ => (r.pick(KZ_FAMOUS).to_string(), None),
    };
    (capitalize(&text), noun)
}

fn ru_title(r: &mut Rng) -> (String, Option<(usize, usize)>) {
    let len = RU_NOUNS.len();
    let a = r.skewed(len);
    let mut b = r.skewed(len);
    if b == a {
        b = (a + 1) % len;
    }
    let gender = |i: usize| match RU_NOUNS[i][4] {
        "m" => 0,
        "f" => 1,
        _ => 2,
    };
    let (text, noun) = match r.below(100) {
        0..=24 => (
            format!("{} {}", r.pick(RU_ADJ)[gender(a)], RU_NOUNS[a][0]),
            Some((a, 0)),
        ),
        25..=49 => (
            format!("{} {}", RU_NOUNS[a][0], RU_NOUNS[b][1]),
            Some((b, 1)),
        ),
        50..=64 => (
            format!("{} и {}", RU_NOUNS[a][0], RU_NOUNS[b][0]),
            Some((a, 0)),
        ),
        65..=79 => (
            format!("{} в {}", RU_NOUNS[a][0], RU_NOUNS[b][2]),
            Some((b, 2)),
        ),
        80..=89 => (format!("{} Казахстана", RU_NOUNS[a][0]), Some((a, 0))),
        90..=96 => (format!("Основы {}", RU_NOUNS[a][1]), Some((a, 1))),
        _ => (r.pick(RU_FAMOUS).to_string(), None),
    };
    (capitalize(&text), noun)
}

fn en_title(r: &mut Rng) -> String {
    let a = r.skewed(EN_NOUNS.len());
    let b = r.skewed(EN_NOUNS.len());
    let text = match r.below(5) {
        0 => format!("The {} {}", r.pick(EN_ADJ), EN_NOUNS[a]),
        1 => format!("The {} of the {}", EN_NOUNS[a], EN_NOUNS[b]),
        2 => format!("{} and {}", EN_NOUNS[a], EN_NOUNS[b]),
        3 => format!("A {} of Kazakhstan", EN_NOUNS[a]),
        _ => format!("{} {}", r.pick(EN_ADJ), EN_NOUNS[a]),
    };
    capitalize(&text)
}

fn spec(n: u64) -> Spec {
    let mut r = Rng::new(n);
    let lang = match r.below(10) {
        0..=4 => "kaz",
        5..=8 => "rus",
        _ => "eng",
    };
    let female = r.chance(0.4);
    let (title, noun, other_title, surname, forename, synthetic, publishers, annotation) =
        match lang {
            "kaz" => {
                let (title, noun) = kz_title(&mut r);
                let other = r.chance(0.35).then(|| r.pick(KZ_GENRES).to_string());
                let (surname, forename, synthetic) = if r.chance(0.1) {
                    let (s, f) = *r.pick(KZ_FAMOUS_AUTHORS);
                    (s.to_string(), f.to_string(), false)
                } else {
                    let root = kz_root(&mut r);
                    let surname = if r.chance(0.25) {
                        format!("{root}{}", if female { "қызы" } else { "ұлы" })
                    } else if let Some(stem) = root.strip_suffix('й') {
                        format!("{stem}{}", if female { "ева" } else { "ев" })
                    } else if root.ends_with(['а', 'е', 'і', 'ы', 'ә']) {
                        format!("{root}{}", if female { "ева" } else { "ев" })
                    } else {
                        format!("{root}{}", if female { "ова" } else { "ов" })
                    };
                    let forename = if female {
                        r.pick(KZ_FEMALE)
                    } else {
                        r.pick(KZ_MALE)
                    };
                    (surname, forename.to_string(), true)
                };
                let annotation = r.chance(0.6).then(|| {
                    let a = r.skewed(KZ_NOUNS.len());
                    let b = r.skewed(KZ_NOUNS.len());
                    match r.below(3) {
                        0 => format!(
                            "Кітапта {} {} туралы баяндалады.",
                            KZ_NOUNS[a][3], KZ_NOUNS[b][1]
                        ),
                        1 => format!(
                            "{} {} тарихы туралы роман.",
                            kz_root(&mut r),
                            KZ_NOUNS[a][3]
                        ),
                        _ => format!("Жинаққа {} {} енді.", r.pick(KZ_ADJ), KZ_NOUNS[a][2]),
                    }
                });
                (
                    title,
                    noun,
                    other,
                    surname,
                    forename,
                    synthetic,
                    KZ_PUBLISHERS,
                    annotation,
                )
            }
            "rus" => {
                let (title, noun) = ru_title(&mut r);
                let other = r.chance(0.35).then(|| r.pick(RU_GENRES).to_string());
                let (surname, forename, synthetic) = if r.chance(0.1) {
                    let (s, f) = *r.pick(RU_FAMOUS_AUTHORS);
                    (s.to_string(), f.to_string(), false)
                } else {
                    let root = format!("{}{}", r.pick(RU_ROOT_A), r.pick(RU_ROOT_B));
                    let end = *r.pick(&[("ов", "ова"), ("ин", "ина"), ("ский", "ская")]);
                    let surname = format!("{root}{}", if female { end.1 } else { end.0 });
                    let forename = if female {
                        r.pick(RU_FEMALE)
                    } else {
                        r.pick(RU_MALE)
                    };
                    (surname, forename.to_string(), true)
                };
                let annotation = r.chance(0.6).then(|| {
                    let a = r.skewed(RU_NOUNS.len());
                    match r.below(3) {
                        0 => format!("В книге рассказывается о {}.", RU_NOUNS[a][2]),
                        1 => format!("Очерки о {} и людях.", RU_NOUNS[a][2]),
                        _ => "Издание адресовано широкому кругу читателей.".to_string(),
                    }
                });
                (
                    title,
                    noun,
                    other,
                    surname,
                    forename,
                    synthetic,
                    RU_PUBLISHERS,
                    annotation,
                )
            }
            _ => {
                let title = en_title(&mut r);
                let other = r.chance(0.35).then(|| r.pick(EN_GENRES).to_string());
                let surname = r.pick(EN_SURNAMES).to_string();
                let forename = r.pick(EN_FIRST).to_string();
                let annotation = r
                    .chance(0.6)
                    .then(|| format!("A study of the {} of the Kazakh steppe.", r.pick(EN_NOUNS)));
                (
                    title,
                    None,
                    other,
                    surname,
                    forename,
                    false,
                    EN_PUBLISHERS,
                    annotation,
                )
            }
        };
    let (place, publisher) = *r.pick(publishers);
    let year = (1930.0 + 95.0 * r.unit().sqrt()) as u32;
    let mut topics = vec![r.skewed(TOPICS.len())];
    if r.chance(0.4) {
        let t = r.skewed(TOPICS.len());
        if t != topics[0] {
            topics.push(t);
        }
    }
    // IRBIS libraries catalog in RUSMARC; English and some newer records come as MARC 21.
    let rusmarc = lang != "eng" && r.chance(0.8);
    let mut copies = Vec::new();
    if rusmarc {
        let count = match r.below(100) {
            0..=44 => 1,
            45..=74 => 2,
            75..=89 => 3,
            _ => 4,
        };
        let mut libraries: Vec<&'static str> = Vec::new();
        while libraries.len() < count {
            let lib = if libraries.is_empty() && r.chance(0.35) {
                LIBRARIES[0]
            } else {
                LIBRARIES[1 + r.skewed(LIBRARIES.len() - 1)]
            };
            if !libraries.contains(&lib) {
                libraries.push(lib);
            }
        }
        for lib in libraries {
            let status = match r.below(100) {
                0..=79 => "0",
                80..=91 => "1",
                92..=96 => "5",
                _ => "4",
            };
            copies.push((lib, status));
        }
    }
    Spec {
        n,
        lang,
        title,
        other_title,
        surname,
        forename,
        synthetic,
        year: year.min(2025),
        topics,
        place,
        publisher,
        annotation,
        rusmarc,
        copies,
        noun,
    }
}

impl Spec {
    fn subject(&self, t: usize) -> &'static str {
        match self.lang {
            "kaz" => TOPICS[t].0,
            "rus" => TOPICS[t].1,
            _ => TOPICS[t].2,
        }
    }

    fn author(&self) -> String {
        format!("{}, {}", self.surname, self.forename)
    }

    fn responsibility(&self) -> String {
        format!("{} {}", self.forename, self.surname)
    }

    fn libraries(&self) -> Vec<&'static str> {
        self.copies.iter().map(|c| c.0).collect()
    }

    /// The title's words, lower case, punctuation trimmed.
    fn title_words(&self) -> Vec<String> {
        self.title
            .split_whitespace()
            .map(|w| {
                w.trim_matches(|c: char| !c.is_alphanumeric())
                    .to_lowercase()
            })
            .filter(|w| w.chars().count() >= 2)
            .collect()
    }
}

fn sf(code: char, value: impl Into<String>) -> Subfield {
    Subfield {
        code,
        value: value.into(),
    }
}

fn data(tag: &str, ind1: char, ind2: char, subfields: Vec<Subfield>) -> Field {
    Field::Data {
        tag: tag.to_owned(),
        ind1,
        ind2,
        subfields,
    }
}

fn control(tag: &str, value: String) -> Field {
    Field::Control {
        tag: tag.into(),
        value,
    }
}

fn isbn13(n: u64) -> String {
    let body = format!("978601{:06}", n % 1_000_000);
    let sum: u32 = body
        .bytes()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

/// 978-601-NNNN-NN-C, as printed on a book.
fn isbn_hyphenated(n: u64) -> String {
    let d = isbn13(n);
    format!(
        "{}-{}-{}-{}-{}",
        &d[..3],
        &d[3..6],
        &d[6..10],
        &d[10..12],
        &d[12..]
    )
}

/// The ISBN-10 of a 978 ISBN-13.
fn isbn10(n: u64) -> String {
    let d = isbn13(n);
    let body = &d[3..12];
    let sum: u32 = body
        .bytes()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * (10 - i as u32))
        .sum();
    let check = (11 - sum % 11) % 11;
    let check = if check == 10 {
        "X".to_string()
    } else {
        check.to_string()
    };
    format!("{body}{check}")
}

fn record(s: &Spec) -> Record {
    let n = s.n;
    let isbn = isbn13(n);
    let year = s.year.to_string();
    let mut fields;
    if !s.rusmarc {
        fields = vec![
            control("001", format!("sb{n:08}")),
            control("003", "KZ-KrCBS".into()),
            control(
                "008",
                format!("240101s{year}    kz            000 1 {} d", s.lang),
            ),
            data("020", ' ', ' ', vec![sf('a', isbn)]),
            data(
                "084",
                ' ',
                ' ',
                vec![sf('a', TOPICS[s.topics[0]].3), sf('2', "rubbk")],
            ),
            data("100", '1', ' ', vec![sf('a', s.author())]),
        ];
        let mut title = vec![sf('a', format!("{} /", s.title))];
        if let Some(other) = &s.other_title {
            title = vec![
                sf('a', format!("{} :", s.title)),
                sf('b', format!("{other} /")),
            ];
        }
        title.push(sf('c', s.responsibility()));
        fields.push(data("245", '1', '0', title));
        fields.push(data(
            "260",
            ' ',
            ' ',
            vec![
                sf('a', format!("{} :", s.place)),
                sf('b', format!("{},", s.publisher)),
                sf('c', year),
            ],
        ));
        fields.push(data("300", ' ', ' ', vec![sf('a', "320 p.")]));
        if let Some(a) = &s.annotation {
            fields.push(data("520", ' ', ' ', vec![sf('a', a.clone())]));
        }
        for &t in &s.topics {
            fields.push(data("650", ' ', '4', vec![sf('a', s.subject(t))]));
        }
        Record {
            leader: "00000nam a2200000 i 4500".to_owned(),
            fields,
            encoding: Encoding::Utf8,
            dialect: Dialect::Marc21,
            warnings: vec![],
        }
    } else {
        fields = vec![
            control("001", format!("RU\\KrCBS\\sb{n:08}")),
            data("010", ' ', ' ', vec![sf('a', isbn)]),
            data(
                "100",
                ' ',
                ' ',
                vec![sf(
                    'a',
                    format!("20240101d{year}    k  y0{}y50      ca", s.lang),
                )],
            ),
            data("101", '0', ' ', vec![sf('a', s.lang)]),
        ];
        let mut title = vec![sf('a', s.title.clone())];
        if let Some(other) = &s.other_title {
            title.push(sf('e', other.clone()));
        }
        title.push(sf('f', s.responsibility()));
        fields.push(data("200", '1', ' ', title));
        fields.push(data(
            "210",
            ' ',
            ' ',
            vec![sf('a', s.place), sf('c', s.publisher), sf('d', year)],
        ));
        fields.push(data("215", ' ', ' ', vec![sf('a', "256 с.")]));
        if let Some(a) = &s.annotation {
            fields.push(data("330", ' ', ' ', vec![sf('a', a.clone())]));
        }
        for &t in &s.topics {
            fields.push(data("606", '1', ' ', vec![sf('a', s.subject(t))]));
        }
        fields.push(data(
            "686",
            ' ',
            ' ',
            vec![sf('a', TOPICS[s.topics[0]].3), sf('2', "rubbk")],
        ));
        fields.push(data(
            "700",
            ' ',
            '1',
            vec![sf('a', s.surname.clone()), sf('g', s.forename.clone())],
        ));
        for (k, (library, status)) in s.copies.iter().enumerate() {
            fields.push(data(
                "910",
                ' ',
                ' ',
                vec![
                    sf('a', *status),
                    sf('b', format!("{n:07}-{k}")),
                    sf('c', "20240115"),
                    sf('d', *library),
                    sf('e', "1500"),
                    sf('h', format!("S{n:08}{k}")),
                ],
            ));
        }
        Record {
            leader: "00000nam0 2200000   450 ".to_owned(),
            fields,
            encoding: Encoding::Utf8,
            dialect: Dialect::Unimarc,
            warnings: vec![],
        }
    }
}

/// Writes the MARC file; returns the number of copies in it.
fn generate(path: &Path, count: u64) -> std::io::Result<u64> {
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    let mut copies = 0;
    for n in 0..count {
        let s = spec(n);
        copies += s.copies.len() as u64;
        kitap_marc::write_iso2709(&record(&s), &mut out)?;
    }
    out.flush()?;
    Ok(copies)
}

// ---------------------------------------------------------------------------
// Latin spellings, written here independently of kitap-text (what readers type).

#[derive(Clone, Copy)]
enum Latin {
    /// ж zh, қ q, ғ gh, ң ng, й y: "Abai zholy", "Qaraghandy".
    InformalZh,
    /// ж j, қ k, ғ g, ң n, й i: "Abai joly".
    InformalJ,
    /// The 2021 official alphabet: ä ğ q ñ ö ū ü ı ş.
    Official2021,
}

fn latin(text: &str, style: Latin) -> String {
    let mut out = String::new();
    for c in text.chars() {
        let lower = c.to_lowercase().next().unwrap_or(c);
        let t: &str = match (lower, style) {
            ('а', _) => "a",
            ('ә', Latin::Official2021) => "ä",
            ('ә', _) => "a",
            ('б', _) => "b",
            ('в', _) => "v",
            ('г', _) => "g",
            ('ғ', Latin::InformalZh) => "gh",
            ('ғ', Latin::InformalJ) => "g",
            ('ғ', Latin::Official2021) => "ğ",
            ('д', _) => "d",
            ('е', _) | ('ё', _) | ('э', _) => "e",
            ('ж', Latin::InformalZh) => "zh",
            ('ж', _) => "j",
            ('з', _) => "z",
            ('и', _) => "i",
            ('й', Latin::InformalZh) => "y",
            ('й', _) => "i",
            ('к', _) => "k",
            ('қ', Latin::InformalJ) => "k",
            ('қ', _) => "q",
            ('л', _) => "l",
            ('м', _) => "m",
            ('н', _) => "n",
            ('ң', Latin::InformalZh) => "ng",
            ('ң', Latin::InformalJ) => "n",
            ('ң', Latin::Official2021) => "ñ",
            ('о', _) => "o",
            ('ө', Latin::Official2021) => "ö",
            ('ө', _) => "o",
            ('п', _) => "p",
            ('р', _) => "r",
            ('с', _) => "s",
            ('т', _) => "t",
            ('у', _) => "u",
            ('ұ', Latin::Official2021) => "ū",
            ('ү', Latin::Official2021) => "ü",
            ('ұ', _) | ('ү', _) => "u",
            ('ф', _) => "f",
            ('х', Latin::Official2021) | ('һ', _) => "h",
            ('х', _) => "kh",
            ('ц', _) => "ts",
            ('ч', _) => "ch",
            ('ш', Latin::Official2021) => "ş",
            ('ш', _) => "sh",
            ('щ', Latin::Official2021) => "şş",
            ('щ', _) => "sh",
            ('ъ', _) | ('ь', _) => "",
            ('ы', _) => "y",
            ('і', Latin::Official2021) => "ı",
            ('і', _) => "i",
            ('ю', Latin::Official2021) => "iu",
            ('ю', _) => "yu",
            ('я', Latin::Official2021) => "ia",
            ('я', _) => "ya",
            _ => {
                out.push(lower);
                continue;
            }
        };
        out.push_str(t);
    }
    out
}

// ---------------------------------------------------------------------------
// Queries.

const MIX: [&str; 6] = [
    "one word",
    "two words",
    "author",
    "isbn",
    "facet-filtered",
    "latin script",
];

#[derive(Clone)]
struct Query {
    /// Index in MIX, or a recall set's label.
    kind: usize,
    label: String,
    /// The search box text.
    text: String,
    /// Extra URL parameters (facet filters), already encoded.
    params: String,
    /// PostgreSQL: the tsquery expression and the extra WHERE conditions.
    tsquery: String,
    pg_filter: String,
    /// The ISBN of the one record this query is meant to find.
    target: Option<String>,
}

fn url_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn sql_str(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

impl Query {
    fn words(kind: usize, label: &str, text: String) -> Query {
        Query {
            kind,
            label: label.to_string(),
            tsquery: format!("plainto_tsquery('simple', {})", sql_str(&text)),
            text,
            params: String::new(),
            pg_filter: String::new(),
            target: None,
        }
    }

    fn path(&self) -> String {
        format!(
            "/api/v1/search?q={}&limit=20{}",
            url_encode(&self.text),
            self.params
        )
    }

    fn pg_matches(&self, cols: &str) -> String {
        format!(
            "SELECT {cols}, ts_rank(tsv, {tq}) AS r FROM {{S}}.bib WHERE tsv @@ {tq}{f}",
            tq = self.tsquery,
            f = self.pg_filter
        )
    }

    /// Top 20 by rank and the total, in one statement.
    fn pg_top(&self, schema: &str) -> String {
        format!(
            "WITH m AS MATERIALIZED ({}) SELECT (SELECT count(*) FROM m) AS total, t.* FROM (SELECT id, isbn, r FROM m ORDER BY r DESC, id LIMIT 20) t",
            self.pg_matches("id, isbn")
        )
        .replace("{S}", schema)
    }

    /// The same plus language, library and year facet counts (top 20 each).
    fn pg_facets(&self, schema: &str) -> String {
        format!(
            "WITH m AS MATERIALIZED ({}) \
             SELECT 'total', (SELECT count(*) FROM m)::text, NULL \
             UNION ALL (SELECT 'hit', id::text, isbn FROM m ORDER BY r DESC, id LIMIT 20) \
             UNION ALL (SELECT 'lang', lang, count(*)::text FROM m GROUP BY lang ORDER BY count(*) DESC LIMIT 20) \
             UNION ALL (SELECT 'library', l, count(*)::text FROM m, unnest(libraries) l GROUP BY l ORDER BY count(*) DESC LIMIT 20) \
             UNION ALL (SELECT 'year', year::text, count(*)::text FROM m GROUP BY year ORDER BY count(*) DESC LIMIT 20)",
            self.pg_matches("id, isbn, lang, year, libraries")
        )
        .replace("{S}", schema)
    }
}

fn one_word(s: &Spec, r: &mut Rng) -> Option<String> {
    let words: Vec<String> = s
        .title_words()
        .into_iter()
        .filter(|w| w.chars().count() >= 3 && !STOP.contains(&w.as_str()))
        .collect();
    (!words.is_empty()).then(|| r.pick(&words).clone())
}

fn two_words(s: &Spec, r: &mut Rng) -> Option<String> {
    let words = s.title_words();
    if words.len() < 2 {
        return None;
    }
    let i = r.below(words.len() - 1);
    Some(format!("{} {}", words[i], words[i + 1]))
}

/// The latency mix: `per_kind` queries of each of the six kinds, from random records.
fn mix_queries(count: u64, per_kind: usize) -> Vec<Query> {
    let mut r = Rng::new(0x5EED);
    let mut out = Vec::new();
    for (kind, label) in MIX.iter().enumerate() {
        let mut made = 0;
        let mut tries = 0;
        while made < per_kind && tries < per_kind * 100 {
            tries += 1;
            let n = r.next() % count;
            let s = spec(n);
            let q = match kind {
                0 => one_word(&s, &mut r).map(|w| Query::words(kind, label, w)),
                1 => two_words(&s, &mut r).map(|w| Query::words(kind, label, w)),
                2 => {
                    let mut q = Query::words(kind, label, format!("author:{}", s.surname));
                    q.tsquery = format!(
                        "to_tsquery('simple', {})",
                        sql_str(&format!("{}:B", s.surname.to_lowercase()))
                    );
                    Some(q)
                }
                3 => {
                    let text = match made % 3 {
                        0 => isbn13(n),
                        1 => isbn_hyphenated(n),
                        _ => isbn10(n),
                    };
                    let mut q = Query::words(kind, label, text);
                    q.target = Some(isbn13(n));
                    Some(q)
                }
                4 => one_word(&s, &mut r).map(|w| {
                    let mut q = Query::words(kind, label, w);
                    match made % 3 {
                        0 => {
                            q.params = format!("&lang={}", s.lang);
                            q.pg_filter = format!(" AND lang = '{}'", s.lang);
                        }
                        1 if !s.copies.is_empty() => {
                            let lib = s.copies[0].0;
                            q.params = format!("&library={lib}");
                            q.pg_filter = format!(" AND libraries @> ARRAY['{lib}']");
                        }
                        _ => {
                            let from = s.year.saturating_sub(10);
                            q.params = format!("&year_from={from}");
                            q.pg_filter = format!(" AND year >= {from}");
                        }
                    }
                    q
                }),
                _ => {
                    let words = s.title_words();
                    (s.lang == "kaz" && s.noun.is_some() && words.len() >= 2).then(|| {
                        let style =
                            [Latin::InformalZh, Latin::InformalJ, Latin::Official2021][made % 3];
                        let text = words
                            .iter()
                            .take(3)
                            .map(|w| latin(w, style))
                            .collect::<Vec<_>>()
                            .join(" ");
                        Query::words(kind, label, text)
                    })
                }
            };
            if let Some(q) = q {
                out.push(q);
                made += 1;
            }
        }
    }
    out
}

/// Queries with one intended record (its ISBN), by recall set.
fn recall_queries(count: u64, per_set: usize) -> Vec<Query> {
    let mut r = Rng::new(0xACC);
    let mut out = Vec::new();
    let mut kaz = 0;
    let mut rus = 0;
    let mut isbn = 0;
    let mut tries = 0;
    let push = |out: &mut Vec<Query>, label: &str, text: String, n: u64| {
        let mut q = Query::words(usize::MAX, label, text);
        q.target = Some(isbn13(n));
        out.push(q);
    };
    while (kaz < per_set || rus < per_set / 2 || isbn < per_set / 2) && tries < per_set * 1000 {
        tries += 1;
        let n = r.next() % count;
        let s = spec(n);
        let words = s.title_words();
        if isbn < per_set / 2 {
            isbn += 1;
            push(&mut out, "ISBN-13 as stored", isbn13(n), n);
            push(&mut out, "ISBN-13 hyphenated", isbn_hyphenated(n), n);
            push(&mut out, "ISBN-10", isbn10(n), n);
        }
        if s.lang == "kaz" && s.synthetic && words.len() >= 2 && kaz < per_set {
            let Some((noun, used)) = s.noun else { continue };
            kaz += 1;
            let surname = s.surname.to_lowercase();
            let title2 = format!("{} {}", words[0], words[1]);
            let control = format!("{surname} {title2}");
            push(
                &mut out,
                "kaz: surname + 2 title words (Cyrillic)",
                control.clone(),
                n,
            );
            push(
                &mut out,
                "kaz: same, informal Latin (zh, q, gh)",
                latin(&control, Latin::InformalZh),
                n,
            );
            push(
                &mut out,
                "kaz: same, informal Latin (j, k, g)",
                latin(&control, Latin::InformalJ),
                n,
            );
            push(
                &mut out,
                "kaz: same, Latin 2021 (ä ğ q ñ ö ū ü ı ş)",
                latin(&control, Latin::Official2021),
                n,
            );
            // One letter dropped from the middle of the surname.
            let chars: Vec<char> = surname.chars().collect();
            let mid = chars.len() / 2;
            let typo: String = chars
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != mid)
                .map(|(_, c)| c)
                .collect();
            push(
                &mut out,
                "kaz: surname with a typo + 2 title words",
                format!("{typo} {title2}"),
                n,
            );
            // The title noun in another case or number.
            let other = [2, 3, 4, 1, 3][used];
            push(
                &mut out,
                "kaz: surname + title noun inflected otherwise",
                format!("{surname} {}", KZ_NOUNS[noun][other]),
                n,
            );
        }
        if s.lang == "rus" && s.synthetic && rus < per_set / 2 {
            let Some((noun, used)) = s.noun else { continue };
            let form = if used == 0 { 1 } else { 0 };
            if RU_NOUNS[noun][form] == RU_NOUNS[noun][used] {
                continue;
            }
            rus += 1;
            push(
                &mut out,
                "rus: surname forename + title noun inflected otherwise",
                format!(
                    "{} {} {}",
                    s.surname.to_lowercase(),
                    s.forename.to_lowercase(),
                    RU_NOUNS[noun][form]
                ),
                n,
            );
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Measuring.

/// Resident set size now, and the peak so far, in MiB, of a process.
fn status_mib(pid: Option<u32>, name: &str) -> f64 {
    let path = match pid {
        Some(pid) => format!("/proc/{pid}/status"),
        None => "/proc/self/status".to_string(),
    };
    let status = std::fs::read_to_string(path).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(name))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0)
}

fn memory_line(pid: Option<u32>) -> String {
    format!(
        "VmRSS {:.0} MiB (anon {:.0}, file {:.0}), VmHWM {:.0} MiB",
        status_mib(pid, "VmRSS:"),
        status_mib(pid, "RssAnon:"),
        status_mib(pid, "RssFile:"),
        status_mib(pid, "VmHWM:")
    )
}

/// User + system CPU seconds of a process so far (Linux, 100 ticks a second).
fn cpu_seconds(pid: Option<u32>) -> f64 {
    let path = match pid {
        Some(pid) => format!("/proc/{pid}/stat"),
        None => "/proc/self/stat".to_string(),
    };
    let stat = std::fs::read_to_string(path).unwrap_or_default();
    let Some(after) = stat.rfind(')') else {
        return 0.0;
    };
    let fields: Vec<&str> = stat[after + 1..].split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs `load` and reports it with the CPU the server processes (`pids`) and
/// this process (the load generator) used per request, and the load average
/// (the machine is shared: other work shows there).
fn measured(title: &str, pids: &[u32], run: impl FnOnce() -> LoadResult) {
    let before_load = loadavg();
    let server0: f64 = pids.iter().map(|&p| cpu_seconds(Some(p))).sum();
    let client0 = cpu_seconds(None);
    let result = run();
    let server = pids.iter().map(|&p| cpu_seconds(Some(p))).sum::<f64>() - server0;
    let client = cpu_seconds(None) - client0;
    report(title, &result);
    let n: usize = result.kinds.iter().map(|k| k.micros.len()).sum();
    println!(
        "CPU per request: server {:.2} ms, load generator {:.2} ms; server busy {:.2} of {} cores; \
         load average before {before_load}, after {}",
        1000.0 * server / n.max(1) as f64,
        1000.0 * client / n.max(1) as f64,
        server / result.seconds,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        loadavg()
    );
}

fn dir_size(path: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

#[derive(Default)]
struct KindStats {
    micros: Vec<u32>,
    errors: u64,
    totals: u64,
    counted: u64,
}

struct LoadResult {
    kinds: Vec<KindStats>,
    seconds: f64,
}

fn pct(sorted: &[u32], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
    f64::from(sorted[i]) / 1000.0
}

/// Runs `clients` threads for `seconds`, each going round `queries` from its
/// own offset; `run` answers Ok(total hits if known) or Err on failure.
fn load<C>(
    clients: usize,
    seconds: f64,
    queries: &[Query],
    connect: impl Fn() -> C + Sync,
    run: impl Fn(&mut C, &Query) -> Result<Option<u64>, String> + Sync,
) -> LoadResult {
    let mut order: Vec<usize> = (0..queries.len()).collect();
    let mut r = Rng::new(7);
    for i in (1..order.len()).rev() {
        order.swap(i, r.below(i + 1));
    }
    let start = Instant::now();
    let deadline = start + Duration::from_secs_f64(seconds);
    let results: Vec<Vec<KindStats>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..clients)
            .map(|t| {
                let order = &order;
                let connect = &connect;
                let run = &run;
                scope.spawn(move || {
                    let mut client = connect();
                    let mut stats: Vec<KindStats> =
                        (0..MIX.len()).map(|_| KindStats::default()).collect();
                    let mut i = t * order.len() / clients;
                    // Bounded in time and in count.
                    for _ in 0..10_000_000u64 {
                        if Instant::now() >= deadline {
                            break;
                        }
                        let q = &queries[order[i % order.len()]];
                        i += 1;
                        let began = Instant::now();
                        let outcome = run(&mut client, q);
                        let took = began.elapsed().as_micros().min(u128::from(u32::MAX)) as u32;
                        let s = &mut stats[q.kind];
                        match outcome {
                            Ok(total) => {
                                s.micros.push(took);
                                if let Some(t) = total {
                                    s.totals += t;
                                    s.counted += 1;
                                }
                            }
                            Err(err) => {
                                if s.errors < 3 {
                                    eprintln!("request failed ({}): {err}", q.text);
                                }
                                s.errors += 1;
                            }
                        }
                    }
                    stats
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let seconds = start.elapsed().as_secs_f64();
    let mut kinds: Vec<KindStats> = (0..MIX.len()).map(|_| KindStats::default()).collect();
    for per_thread in results {
        for (k, s) in per_thread.into_iter().enumerate() {
            kinds[k].micros.extend(s.micros);
            kinds[k].errors += s.errors;
            kinds[k].totals += s.totals;
            kinds[k].counted += s.counted;
        }
    }
    for k in &mut kinds {
        k.micros.sort_unstable();
    }
    LoadResult { kinds, seconds }
}

fn report(title: &str, result: &LoadResult) {
    let all: Vec<u32> = {
        let mut v: Vec<u32> = result
            .kinds
            .iter()
            .flat_map(|k| k.micros.iter().copied())
            .collect();
        v.sort_unstable();
        v
    };
    let errors: u64 = result.kinds.iter().map(|k| k.errors).sum();
    println!(
        "\n{title}: {} requests in {:.1} s = {:.0} requests/s, {errors} errors",
        all.len(),
        result.seconds,
        all.len() as f64 / result.seconds
    );
    println!("| query kind | requests | mean total hits | p50 ms | p95 ms | p99 ms | max ms |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (k, s) in result.kinds.iter().enumerate() {
        let mean = if s.counted > 0 {
            format!("{:.0}", s.totals as f64 / s.counted as f64)
        } else {
            "—".to_string()
        };
        println!(
            "| {} | {} | {mean} | {:.1} | {:.1} | {:.1} | {:.1} |",
            MIX[k],
            s.micros.len(),
            pct(&s.micros, 0.5),
            pct(&s.micros, 0.95),
            pct(&s.micros, 0.99),
            pct(&s.micros, 1.0)
        );
    }
    println!(
        "| **all** | {} | | **{:.1}** | {:.1} | **{:.1}** | {:.1} |",
        all.len(),
        pct(&all, 0.5),
        pct(&all, 0.95),
        pct(&all, 0.99),
        pct(&all, 1.0)
    );
}

fn report_recall(title: &str, queries: &[Query], found: &[bool]) {
    let mut sets: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut order: Vec<&str> = Vec::new();
    for (q, f) in queries.iter().zip(found) {
        if !sets.contains_key(q.label.as_str()) {
            order.push(&q.label);
        }
        let e = sets.entry(&q.label).or_default();
        e.0 += 1;
        e.1 += usize::from(*f);
    }
    println!("\n{title}: intended record in the top 20");
    for label in order {
        let (n, f) = sets[label];
        println!(
            "| {label} | {f}/{n} ({:.0}%) |",
            100.0 * f as f64 / n as f64
        );
    }
    // A few misses of each set, to look into (PostgreSQL misses whole sets).
    if !title.starts_with("PostgreSQL") {
        for label in sets.keys() {
            let missed: Vec<&str> = queries
                .iter()
                .zip(found)
                .filter(|(q, f)| q.label == *label && !**f)
                .take(6)
                .map(|(q, _)| q.text.as_str())
                .collect();
            if !missed.is_empty() {
                println!("  missed ({label}): {}", missed.join(" | "));
            }
        }
    }
}

// ---------------------------------------------------------------------------
// HTTP/1.1 client: keep-alive, Content-Length or chunked.

struct Http {
    addr: String,
    conn: Option<BufReader<TcpStream>>,
    body: Vec<u8>,
}

impl Http {
    fn new(addr: &str) -> Http {
        Http {
            addr: addr.to_string(),
            conn: None,
            body: Vec::with_capacity(1 << 16),
        }
    }

    fn get(&mut self, path: &str) -> std::io::Result<u16> {
        let mut last = None;
        for _ in 0..2 {
            if self.conn.is_none() {
                let stream = TcpStream::connect(&self.addr)?;
                stream.set_nodelay(true)?;
                stream.set_read_timeout(Some(Duration::from_secs(60)))?;
                self.conn = Some(BufReader::with_capacity(1 << 16, stream));
            }
            match self.exchange(path) {
                Ok(status) => return Ok(status),
                Err(err) => {
                    // A kept-alive connection the server closed: once more on a new one.
                    self.conn = None;
                    last = Some(err);
                }
            }
        }
        Err(last.unwrap())
    }

    fn exchange(&mut self, path: &str) -> std::io::Result<u16> {
        let conn = self.conn.as_mut().unwrap();
        let request =
            format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n");
        conn.get_mut().write_all(request.as_bytes())?;
        let mut line = String::new();
        if conn.read_line(&mut line)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
        let mut length = None;
        let mut chunked = false;
        let mut close = false;
        loop {
            line.clear();
            if conn.read_line(&mut line)? == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                let value = value.trim();
                match name.to_ascii_lowercase().as_str() {
                    "content-length" => length = value.parse::<usize>().ok(),
                    "transfer-encoding" => chunked = value.eq_ignore_ascii_case("chunked"),
                    "connection" => close = value.eq_ignore_ascii_case("close"),
                    _ => {}
                }
            }
        }
        self.body.clear();
        if chunked {
            loop {
                line.clear();
                conn.read_line(&mut line)?;
                let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or("0"), 16)
                    .map_err(std::io::Error::other)?;
                if size == 0 {
                    line.clear();
                    conn.read_line(&mut line)?;
                    break;
                }
                let start = self.body.len();
                self.body.resize(start + size, 0);
                conn.read_exact(&mut self.body[start..])?;
                line.clear();
                conn.read_line(&mut line)?;
            }
        } else if let Some(n) = length {
            self.body.resize(n, 0);
            conn.read_exact(&mut self.body)?;
        }
        if close {
            self.conn = None;
        }
        Ok(status)
    }

    /// `"total":N` of a search page.
    fn total(&self) -> Option<u64> {
        let key = b"\"total\":";
        let at = self.body.windows(key.len()).position(|w| w == key)? + key.len();
        let digits: Vec<u8> = self.body[at..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .copied()
            .collect();
        std::str::from_utf8(&digits).ok()?.parse().ok()
    }

    fn contains(&self, needle: &str) -> bool {
        let quoted = format!("\"{needle}\"");
        self.body
            .windows(quoted.len())
            .any(|w| w == quoted.as_bytes())
    }
}

fn search_once(http: &mut Http, q: &Query) -> Result<Option<u64>, String> {
    match http.get(&q.path()) {
        Ok(200) => Ok(http.total()),
        Ok(status) => Err(format!(
            "HTTP {status}: {}",
            String::from_utf8_lossy(&http.body[..http.body.len().min(300)])
        )),
        Err(err) => Err(err.to_string()),
    }
}

// ---------------------------------------------------------------------------
// The phases.

struct Args {
    count: u64,
    seconds: f64,
    clients: usize,
    pg: bool,
    bin: PathBuf,
    per_kind: usize,
    keep: Option<PathBuf>,
    /// With `keep`: use the database and index already there.
    reuse: bool,
    /// With `reuse`: rebuild the index all the same.
    reindex: bool,
    /// Skip the HTTP phase.
    http: bool,
    /// Writer memory for the rebuild in MiB (default: the config's).
    memory: Option<usize>,
    /// Appended to every search URL (e.g. `&facets=false`), for experiments.
    extra: String,
}

fn args() -> Args {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut a = Args {
        count: 1_000_000,
        seconds: 30.0,
        clients: 8,
        pg: true,
        bin: root.join("target/release/kitap"),
        per_kind: 500,
        keep: None,
        reuse: false,
        reindex: false,
        http: true,
        extra: String::new(),
        memory: None,
    };
    for arg in std::env::args().skip(1).filter(|a| !a.starts_with("--")) {
        match arg.split_once('=') {
            Some(("seconds", v)) => a.seconds = v.parse().expect("seconds"),
            Some(("clients", v)) => a.clients = v.parse().expect("clients"),
            Some(("pg", v)) => a.pg = v != "off",
            Some(("bin", v)) => a.bin = PathBuf::from(v),
            Some(("queries", v)) => a.per_kind = v.parse().expect("queries"),
            Some(("keep", v)) => a.keep = Some(PathBuf::from(v)),
            Some(("reuse", v)) => a.reuse = v == "on",
            Some(("http", v)) => a.http = v != "off",
            Some(("reindex", v)) => a.reindex = v == "on",
            Some(("extra", v)) => a.extra = v.to_string(),
            Some(("memory", v)) => a.memory = Some(v.parse().expect("memory")),
            None => a.count = arg.parse().expect("RECORDS"),
            Some((k, _)) => panic!("unknown argument {k}"),
        }
    }
    a
}

fn import(db_url: &DbUrl, file: &Path, count: u64) -> App {
    let db = Db::connect(db_url, 4).expect("connect");
    db.migrate().expect("migrate");
    let app = App::new(db, &AuthConfig::default()).expect("app");
    app.seed_branches().expect("seed");
    let actor = Actor::system("bench");
    let job = app
        .queue_import(
            None,
            &actor,
            ImportRequest {
                file_name: "search-bench.mrc".into(),
                file_path: file.to_path_buf(),
                format: None,
                encoding: None,
                on_match: OnMatch::Skip,
                library: None,
            },
        )
        .expect("queue");
    let start = Instant::now();
    let done = app.run_import(job.id, &actor, &mut |_| {}).expect("import");
    let p = done.progress;
    assert_eq!(p.created as u64, count, "{p:?}");
    println!(
        "imported {count} records into SQLite in {:.1} s ({:.0} records/s)",
        start.elapsed().as_secs_f64(),
        count as f64 / start.elapsed().as_secs_f64()
    );
    app
}

/// CPU seconds of each thread of this process: tid -> (name, seconds).
fn thread_cpu() -> BTreeMap<u32, (String, f64)> {
    let mut out = BTreeMap::new();
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return out;
    };
    for task in tasks.flatten() {
        let Ok(tid) = task.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let stat = std::fs::read_to_string(task.path().join("stat")).unwrap_or_default();
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let name = stat[open + 1..close].to_string();
        let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
        let ticks = |i: usize| {
            fields
                .get(i)
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        out.insert(tid, (name, (ticks(11) + ticks(12)) / 100.0));
    }
    out
}

fn reindex(app: &App, index_dir: &Path, memory_mib: Option<usize>) {
    let memory = memory_mib.map_or_else(
        || Config::default().search_settings().rebuild_memory,
        |m| m << 20,
    );
    // Reset the peak RSS so it shows the rebuild alone (Linux: clear_refs 5).
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let before = status_mib(None, "VmRSS:");
    let cpu_before = cpu_seconds(None);
    let threads_before = thread_cpu();
    let (index, _) = SearchIndex::open(index_dir).expect("open index");
    let start = Instant::now();
    // Per-thread CPU, sampled while the rebuild's threads are alive.
    let stop = std::sync::atomic::AtomicBool::new(false);
    let seen = std::sync::Mutex::new(BTreeMap::<u32, (String, f64)>::new());
    std::thread::scope(|scope| {
        scope.spawn(|| {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let now = thread_cpu();
                seen.lock().unwrap().extend(now);
                std::thread::sleep(Duration::from_millis(250));
            }
        });
        rebuild(app.db(), &index, memory, true).expect("rebuild");
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
    });
    let secs = start.elapsed().as_secs_f64();
    let cpu = cpu_seconds(None) - cpu_before;
    let generation = index.current();
    let docs = generation.num_docs();
    let segments = generation.reader.searcher().segment_readers().len();
    let size = dir_size(index_dir);
    println!(
        "reindex: {docs} documents in {secs:.1} s ({:.0} documents/s), writer memory {} MiB, {segments} segments, \
         index {:.0} MiB on disk; process RSS before {before:.0} MiB, peak during rebuild {:.0} MiB, after {:.0} MiB; \
         CPU {cpu:.1} s ({:.2} cores on average); load average {}",
        docs as f64 / secs,
        memory >> 20,
        size as f64 / (1 << 20) as f64,
        status_mib(None, "VmHWM:"),
        status_mib(None, "VmRSS:"),
        cpu / secs,
        loadavg()
    );
    let mut threads: Vec<(String, f64)> = seen
        .into_inner()
        .unwrap()
        .into_iter()
        .map(|(tid, (name, secs))| {
            let earlier = threads_before.get(&tid).map_or(0.0, |t| t.1);
            (format!("{name} [{tid}]"), secs - earlier)
        })
        .filter(|t| t.1 >= 0.5)
        .collect();
    threads.sort_by(|a, b| b.1.total_cmp(&a.1));
    let listed: Vec<String> = threads
        .iter()
        .take(8)
        .map(|(name, secs)| format!("{name} {secs:.1} s"))
        .collect();
    println!("reindex CPU by thread: {}", listed.join(", "));
}

struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_server(bin: &Path, work: &Path, db_url: &str, index_dir: &Path) -> Server {
    assert!(
        bin.exists(),
        "{} not found: run `cargo build --release -p kitap-cli` first or pass bin=PATH",
        bin.display()
    );
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let log = std::fs::File::create(work.join("server.log")).unwrap();
    let child = Command::new(bin)
        .arg("serve")
        .env("KITAP_DATABASE_URL", db_url)
        .env("KITAP_SEARCH_DIR", index_dir)
        .env("KITAP_SEARCH_RATE_LIMIT", "0")
        .env("KITAP_LISTEN", &addr)
        .env("KITAP_DATA_DIR", work.join("data"))
        .env("KITAP_ADMIN_PASSWORD", "search-bench-admin-password")
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .expect("start kitap serve");
    let server = Server { child, addr };
    let mut http = Http::new(&server.addr);
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Ok(200) = http.get("/api/v1/search/status") {
            let status = String::from_utf8_lossy(&http.body).to_string();
            if status.contains("\"building\":false") {
                println!(
                    "server pid {} on {}: {status}",
                    server.child.id(),
                    server.addr
                );
                break;
            }
        }
        assert!(
            Instant::now() < deadline,
            "the server did not come up; see server.log"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    server
}

fn http_phase(args: &Args, server: &Server, mix: &[Query], recall: &[Query]) {
    let pid = Some(server.child.id());
    println!("server after start: {}", memory_line(pid));
    // Recall pass, one query at a time (also warms the caches).
    let mut http = Http::new(&server.addr);
    let found: Vec<bool> = recall
        .iter()
        .map(|q| {
            search_once(&mut http, q).expect("recall query");
            q.target.as_deref().is_some_and(|t| http.contains(t))
        })
        .collect();
    report_recall("Kitap (tantivy) recall", recall, &found);
    // ISBN queries of the mix have a target too: check them on the way.
    let isbn_found = mix
        .iter()
        .filter(|q| q.target.is_some())
        .filter(|q| {
            search_once(&mut http, q).is_ok() && http.contains(q.target.as_deref().unwrap())
        })
        .count();
    println!(
        "mix ISBN queries finding their record: {isbn_found}/{}",
        mix.iter().filter(|q| q.target.is_some()).count()
    );
    let warm = load(
        args.clients,
        5.0_f64.min(args.seconds),
        mix,
        || Http::new(&server.addr),
        search_once,
    );
    let warm_n: usize = warm.kinds.iter().map(|k| k.micros.len()).sum();
    println!("warm-up: {warm_n} requests; server {}", memory_line(pid));
    measured(
        &format!(
            "Kitap HTTP GET /api/v1/search (limit=20{}), {} clients",
            if args.extra.is_empty() {
                ", facets on"
            } else {
                &args.extra
            },
            args.clients
        ),
        &[server.child.id()],
        || {
            load(
                args.clients,
                args.seconds,
                mix,
                || Http::new(&server.addr),
                search_once,
            )
        },
    );
    println!("server after the run: {}", memory_line(pid));
}

fn psql(url: &str, sql: &str) -> String {
    let out = Command::new("psql")
        .args([url, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql])
        .output()
        .expect("run psql");
    assert!(
        out.status.success(),
        "psql failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn tsv_field(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('\t', " ")
        .replace('\n', " ")
}

fn pg_phase(args: &Args, work: &Path, mix: &[Query], recall: &[Query]) {
    let base = std::env::var("KITAP_BENCH_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let schema = format!("kitap_search_bench_{}", std::process::id());
    println!(
        "\nPostgreSQL {} ({base}, schema {schema})",
        psql(&base, "SHOW server_version")
    );
    println!(
        "settings: shared_buffers {}, work_mem {}, maintenance_work_mem {}, jit {}",
        psql(&base, "SHOW shared_buffers"),
        psql(&base, "SHOW work_mem"),
        psql(&base, "SHOW maintenance_work_mem"),
        psql(&base, "SHOW jit")
    );
    psql(
        &base,
        &format!(
            "CREATE SCHEMA {schema}; CREATE TABLE {schema}.bib (
               id integer PRIMARY KEY, isbn text NOT NULL, lang text NOT NULL, year integer,
               libraries text[] NOT NULL, title text NOT NULL, author text NOT NULL,
               subject text NOT NULL, other text NOT NULL,
               tsv tsvector GENERATED ALWAYS AS (
                 setweight(to_tsvector('simple', title), 'A') ||
                 setweight(to_tsvector('simple', author), 'B') ||
                 setweight(to_tsvector('simple', subject), 'C') ||
                 setweight(to_tsvector('simple', other || ' ' || isbn), 'D')) STORED)"
        ),
    );
    // Load: COPY through psql (the generated column computes the tsvector).
    let start = Instant::now();
    let mut child = Command::new("psql")
        .args([
            base.as_str(),
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            &format!(
                "\\copy {schema}.bib (id, isbn, lang, year, libraries, title, author, subject, other) FROM pstdin"
            ),
        ])
        .stdin(Stdio::piped())
        .spawn()
        .expect("psql copy");
    {
        let mut w = BufWriter::with_capacity(1 << 20, child.stdin.take().unwrap());
        for n in 0..args.count {
            let s = spec(n);
            let mut title = s.title.clone();
            if let Some(o) = &s.other_title {
                title = format!("{title} : {o}");
            }
            let subjects: Vec<&str> = s.topics.iter().map(|&t| s.subject(t)).collect();
            let other = format!(
                "{} {} {}",
                s.annotation.as_deref().unwrap_or(""),
                s.place,
                s.publisher
            );
            writeln!(
                w,
                "{n}\t{}\t{}\t{}\t{{{}}}\t{}\t{}\t{}\t{}",
                isbn13(n),
                s.lang,
                s.year,
                s.libraries().join(","),
                tsv_field(&title),
                tsv_field(&format!("{} {}", s.author(), s.responsibility())),
                tsv_field(&subjects.join("; ")),
                tsv_field(&other)
            )
            .unwrap();
        }
        w.flush().unwrap();
    }
    assert!(child.wait().unwrap().success(), "COPY failed");
    let t_copy = start.elapsed().as_secs_f64();
    let start = Instant::now();
    psql(
        &base,
        &format!("CREATE INDEX bib_tsv ON {schema}.bib USING gin (tsv)"),
    );
    let t_gin = start.elapsed().as_secs_f64();
    let start = Instant::now();
    psql(&base, &format!("VACUUM ANALYZE {schema}.bib"));
    let t_vacuum = start.elapsed().as_secs_f64();
    let sizes = psql(
        &base,
        &format!(
            "SELECT pg_size_pretty(pg_table_size('{schema}.bib')), pg_size_pretty(pg_relation_size('{schema}.bib_tsv')), pg_size_pretty(pg_total_relation_size('{schema}.bib'))"
        ),
    );
    println!(
        "PostgreSQL load: COPY {} rows with tsvector {t_copy:.1} s, GIN index {t_gin:.1} s, VACUUM ANALYZE {t_vacuum:.1} s \
         (total {:.1} s); sizes table | GIN | total: {sizes}",
        args.count,
        t_copy + t_gin + t_vacuum
    );

    // Recall: one statement per query, through psql.
    let mut sql = String::new();
    for (i, q) in recall.iter().enumerate() {
        sql.push_str(&format!(
            "SELECT {i}, EXISTS (SELECT 1 FROM (SELECT isbn FROM {schema}.bib WHERE tsv @@ {tq} ORDER BY ts_rank(tsv, {tq}) DESC, id LIMIT 20) t WHERE isbn = {target});\n",
            tq = q.tsquery,
            target = sql_str(q.target.as_deref().unwrap())
        ));
    }
    let file = work.join("recall.sql");
    std::fs::write(&file, sql).unwrap();
    let out = Command::new("psql")
        .args([
            base.as_str(),
            "-X",
            "-q",
            "-At",
            "-v",
            "ON_ERROR_STOP=1",
            "-f",
        ])
        .arg(&file)
        .output()
        .expect("psql recall");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut found = vec![false; recall.len()];
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        if let Some((i, f)) = line.split_once('|') {
            found[i.parse::<usize>().unwrap()] = f == "t";
        }
    }
    report_recall("PostgreSQL FTS ('simple') recall", recall, &found);

    let sep = if base.contains('?') { '&' } else { '?' };
    let url =
        DbUrl::parse(&format!("{base}{sep}application_name=kitap_search_bench")).expect("url");
    let db = Db::connect(&url, args.clients as u32).expect("connect");
    let top: Vec<(Query, String)> = mix.iter().map(|q| (q.clone(), q.pg_top(&schema))).collect();
    let facets: Vec<(Query, String)> = mix
        .iter()
        .map(|q| (q.clone(), q.pg_facets(&schema)))
        .collect();
    let as_queries = |v: &[(Query, String)]| -> Vec<Query> {
        v.iter()
            .map(|(q, sql)| Query {
                text: sql.clone(),
                ..q.clone()
            })
            .collect()
    };
    let top_q = as_queries(&top);
    let facet_q = as_queries(&facets);
    let run = |db: &mut Db, q: &Query| -> Result<Option<u64>, String> {
        db.execute_script(&q.text)
            .map(|_| None)
            .map_err(|e| e.to_string())
    };
    let warm = load(
        args.clients,
        5.0_f64.min(args.seconds),
        &top_q,
        || db.clone(),
        run,
    );
    println!(
        "PostgreSQL warm-up: {} statements",
        warm.kinds.iter().map(|k| k.micros.len()).sum::<usize>()
    );
    let pids: Vec<u32> = psql(
        &base,
        "SELECT pid FROM pg_stat_activity WHERE application_name = 'kitap_search_bench'",
    )
    .lines()
    .filter_map(|l| l.trim().parse().ok())
    .collect();
    println!("PostgreSQL backends of the pool: {}", pids.len());
    measured(
        &format!(
            "PostgreSQL FTS, top 20 by ts_rank + total count, {} connections",
            args.clients
        ),
        &pids,
        || load(args.clients, args.seconds, &top_q, || db.clone(), run),
    );
    measured(
        &format!(
            "PostgreSQL FTS, top 20 + total + language/library/year facets, {} connections",
            args.clients
        ),
        &pids,
        || load(args.clients, args.seconds, &facet_q, || db.clone(), run),
    );
    drop(db);
    psql(&base, &format!("DROP SCHEMA {schema} CASCADE"));
}

fn main() {
    let args = args();
    let temp = tempfile::tempdir().expect("tempdir");
    let work = args
        .keep
        .clone()
        .unwrap_or_else(|| temp.path().to_path_buf());
    std::fs::create_dir_all(&work).unwrap();
    println!(
        "machine: {} CPUs ({}), {}; records {}, clients {}, {} s per run, {} queries per kind",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        std::fs::read_to_string("/proc/cpuinfo")
            .unwrap_or_default()
            .lines()
            .find(|l| l.starts_with("model name"))
            .and_then(|l| l.split(':').nth(1))
            .unwrap_or("?")
            .trim(),
        std::fs::read_to_string("/proc/meminfo")
            .unwrap_or_default()
            .lines()
            .next()
            .unwrap_or("")
            .split_whitespace()
            .nth(1)
            .and_then(|k| k.parse::<f64>().ok())
            .map_or("?".to_string(), |k| format!(
                "{:.1} GiB",
                k / 1024.0 / 1024.0
            )),
        args.count,
        args.clients,
        args.seconds,
        args.per_kind
    );
    let db_path = work.join("search-bench.db");
    let db_url = format!("sqlite://{}", db_path.display());
    let index_dir = work.join("index");
    if args.reuse && db_path.exists() && index_dir.join("CURRENT").exists() {
        println!("reusing the database and index in {}", work.display());
        if args.reindex {
            std::fs::remove_dir_all(&index_dir).ok();
            let db = Db::connect(&DbUrl::parse(&db_url).expect("url"), 4).expect("connect");
            let app = App::new(db, &AuthConfig::default()).expect("app");
            reindex(&app, &index_dir, args.memory);
        }
    } else {
        let file = work.join("search-bench.mrc");
        let t = Instant::now();
        let copies = generate(&file, args.count).expect("generate");
        println!(
            "generated {} records with {copies} copies, {:.0} MB, in {:.1} s",
            args.count,
            std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0) as f64 / 1e6,
            t.elapsed().as_secs_f64()
        );
        std::fs::remove_file(&db_path).ok();
        std::fs::remove_dir_all(&index_dir).ok();
        let app = import(&DbUrl::parse(&db_url).expect("url"), &file, args.count);
        std::fs::remove_file(&file).ok();
        reindex(&app, &index_dir, args.memory);
    }
    let mut mix = mix_queries(args.count, args.per_kind);
    let mut recall = recall_queries(args.count, 200);
    for q in mix.iter_mut().chain(recall.iter_mut()) {
        q.params.push_str(&args.extra);
    }
    println!(
        "query mix: {} queries; recall set: {} queries",
        mix.len(),
        recall.len()
    );
    for q in mix.iter().step_by(args.per_kind.max(1) / 2 + 1).take(12) {
        println!("  e.g. [{}] {}", q.label, q.path());
    }
    if args.http {
        let server = start_server(&args.bin, &work, &db_url, &index_dir);
        http_phase(&args, &server, &mix, &recall);
    }
    if args.pg {
        pg_phase(&args, &work, &mix, &recall);
    }
}
