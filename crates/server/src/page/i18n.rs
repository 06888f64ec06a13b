//! The page's two languages: Czech and English. The language comes from `?lang=`, else the
//! `lang` cookie (set by `?lang=`), else the browser's `Accept-Language`, else Czech.

use actix_web::HttpRequest;
use actix_web::http::header::ACCEPT_LANGUAGE;

/// A page language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    /// Czech.
    Cs,
    /// English.
    En,
}

impl Lang {
    /// The BCP 47 code (`cs`, `en`).
    pub(crate) fn code(self) -> &'static str {
        match self {
            Self::Cs => "cs",
            Self::En => "en",
        }
    }

    /// The other language (the switch link).
    pub(crate) fn other(self) -> Self {
        match self {
            Self::Cs => Self::En,
            Self::En => Self::Cs,
        }
    }

    fn parse(code: &str) -> Option<Self> {
        let primary = code.split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("cs") || primary.eq_ignore_ascii_case("sk") {
            Some(Self::Cs)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Self::En)
        } else {
            None
        }
    }

    /// The texts of this language.
    pub(crate) fn t(self) -> &'static Texts {
        match self {
            Self::Cs => &CS,
            Self::En => &EN,
        }
    }
}

/// How the language was chosen: an explicit `?lang=` is remembered in a cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Chosen {
    /// The language.
    pub(crate) lang: Lang,
    /// Whether `?lang=` chose it (the answer sets the cookie).
    pub(crate) from_query: bool,
}

/// The language of `req` (see the module doc).
pub(crate) fn negotiate(req: &HttpRequest, query_lang: Option<&str>) -> Chosen {
    if let Some(lang) = query_lang.and_then(Lang::parse) {
        return Chosen {
            lang,
            from_query: true,
        };
    }
    let cookie = req
        .headers()
        .get_all(actix_web::http::header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix("lang="))
        .and_then(Lang::parse);
    let lang = cookie
        .or_else(|| {
            req.headers()
                .get(ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(from_accept_language)
        })
        .unwrap_or(Lang::Cs);
    Chosen {
        lang,
        from_query: false,
    }
}

/// The best supported language of an `Accept-Language` value (highest quality, first wins).
fn from_accept_language(value: &str) -> Option<Lang> {
    let mut best: Option<(f32, Lang)> = None;
    for item in value.split(',') {
        let mut parts = item.split(';').map(str::trim);
        let Some(lang) = parts.next().and_then(Lang::parse) else {
            continue;
        };
        let q = parts
            .find_map(|p| p.strip_prefix("q=").and_then(|q| q.parse::<f32>().ok()))
            .unwrap_or(1.0);
        if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
            best = Some((q, lang));
        }
    }
    best.map(|(_, lang)| lang)
}

/// Every text of the page in one language.
#[derive(Debug)]
pub(crate) struct Texts {
    pub(crate) site: &'static str,
    pub(crate) skip: &'static str,
    pub(crate) all_events: &'static str,
    pub(crate) live_now: &'static str,
    pub(crate) upcoming: &'static str,
    pub(crate) past: &'static str,
    pub(crate) no_events: &'static str,
    pub(crate) results: &'static str,
    pub(crate) startlist: &'static str,
    pub(crate) schedule: &'static str,
    pub(crate) views: &'static str,
    pub(crate) days: &'static str,
    pub(crate) classes: &'static str,
    pub(crate) races_of_class: &'static str,
    pub(crate) category: &'static str,
    pub(crate) all_categories: &'static str,
    pub(crate) search: &'static str,
    pub(crate) search_hint: &'static str,
    pub(crate) apply: &'static str,
    pub(crate) detail: &'static str,
    pub(crate) best_of_two: &'static str,
    pub(crate) rank: &'static str,
    pub(crate) cat_rank: &'static str,
    pub(crate) bib: &'static str,
    pub(crate) name: &'static str,
    pub(crate) time: &'static str,
    pub(crate) total: &'static str,
    pub(crate) pen: &'static str,
    pub(crate) behind: &'static str,
    pub(crate) run1: &'static str,
    pub(crate) run2: &'static str,
    pub(crate) better: &'static str,
    pub(crate) result: &'static str,
    pub(crate) no_results: &'static str,
    pub(crate) on_course: &'static str,
    pub(crate) start: &'static str,
    pub(crate) order: &'static str,
    pub(crate) race: &'static str,
    pub(crate) race_type: &'static str,
    pub(crate) gates: &'static str,
    pub(crate) touch: &'static str,
    pub(crate) miss: &'static str,
    pub(crate) reverse: &'static str,
    pub(crate) to_beat: &'static str,
    pub(crate) favourite: &'static str,
    pub(crate) legend: &'static str,
    pub(crate) not_found: &'static str,
    pub(crate) not_found_text: &'static str,
    pub(crate) language_switch: &'static str,
    pub(crate) status_startlist: &'static str,
    pub(crate) status_running: &'static str,
    pub(crate) status_finished: &'static str,
    pub(crate) status_official: &'static str,
    pub(crate) conn_connecting: &'static str,
    pub(crate) conn_live: &'static str,
    pub(crate) conn_reconnecting: &'static str,
    pub(crate) conn_official: &'static str,
    pub(crate) dns: &'static str,
    pub(crate) dnf: &'static str,
    pub(crate) dsq: &'static str,
    pub(crate) weekdays: [&'static str; 7],
    pub(crate) months: [&'static str; 12],
    pub(crate) race_types: RaceTypeTexts,
}

/// Race type names.
#[derive(Debug)]
pub(crate) struct RaceTypeTexts {
    pub(crate) best_run_1: &'static str,
    pub(crate) best_run_2: &'static str,
    pub(crate) training: &'static str,
    pub(crate) seeding: &'static str,
    pub(crate) qualification: &'static str,
    pub(crate) semifinal: &'static str,
    pub(crate) final_: &'static str,
    pub(crate) cross: &'static str,
    pub(crate) unknown: &'static str,
}

static CS: Texts = Texts {
    site: "Živé výsledky",
    skip: "Přeskočit na obsah",
    all_events: "Všechny závody",
    live_now: "Právě probíhá",
    upcoming: "Připravované",
    past: "Proběhlé",
    no_events: "Zatím žádné závody.",
    results: "Výsledky",
    startlist: "Startovka",
    schedule: "Program",
    views: "Zobrazení",
    days: "Dny",
    classes: "Kategorie lodí",
    races_of_class: "Jízdy",
    category: "Kategorie",
    all_categories: "Všechny kategorie",
    search: "Hledat",
    search_hint: "Jméno nebo startovní číslo",
    apply: "Použít",
    detail: "Detailně",
    best_of_two: "lepší ze dvou jízd",
    rank: "Poř.",
    cat_rank: "Poř. v kat.",
    bib: "St. č.",
    name: "Jméno",
    time: "Čas",
    total: "Celkem",
    pen: "Trest",
    behind: "Ztráta",
    run1: "1. jízda",
    run2: "2. jízda",
    better: "lepší",
    result: "Výsledek",
    no_results: "Zatím žádné výsledky.",
    on_course: "Na trati",
    start: "Start",
    order: "Pořadí",
    race: "Závod",
    race_type: "Typ",
    gates: "Branky",
    touch: "dotyk",
    miss: "neprojetí",
    reverse: "protivodná",
    to_beat: "na vedoucího",
    favourite: "Oblíbený závodník",
    legend: "Branky: zelená čistě, oranžová dotyk (2 s), červená neprojetí (50 s), podtržená protivodná.",
    not_found: "Stránka nenalezena",
    not_found_text: "Tahle stránka neexistuje nebo ještě není zveřejněná.",
    language_switch: "English",
    status_startlist: "Startovka",
    status_running: "Živě",
    status_finished: "Dojeto",
    status_official: "Oficiální výsledky",
    conn_connecting: "Připojuji…",
    conn_live: "Živě",
    conn_reconnecting: "Spojení přerušeno, připojuji znovu…",
    conn_official: "Oficiální výsledky",
    dns: "Nestartoval",
    dnf: "Nedojel",
    dsq: "Diskvalifikován",
    weekdays: ["po", "út", "st", "čt", "pá", "so", "ne"],
    months: [
        "1.", "2.", "3.", "4.", "5.", "6.", "7.", "8.", "9.", "10.", "11.", "12.",
    ],
    race_types: RaceTypeTexts {
        best_run_1: "1. jízda",
        best_run_2: "2. jízda",
        training: "Trénink",
        seeding: "Nasazovací jízda",
        qualification: "Kvalifikace",
        semifinal: "Semifinále",
        final_: "Finále",
        cross: "Slalom cross",
        unknown: "Jízda",
    },
};

static EN: Texts = Texts {
    site: "Live results",
    skip: "Skip to content",
    all_events: "All events",
    live_now: "Live now",
    upcoming: "Upcoming",
    past: "Past",
    no_events: "No events yet.",
    results: "Results",
    startlist: "Start list",
    schedule: "Schedule",
    views: "Views",
    days: "Days",
    classes: "Classes",
    races_of_class: "Runs",
    category: "Category",
    all_categories: "All categories",
    search: "Search",
    search_hint: "Name or bib",
    apply: "Apply",
    detail: "Details",
    best_of_two: "best of two runs",
    rank: "Rank",
    cat_rank: "Cat. rank",
    bib: "Bib",
    name: "Name",
    time: "Time",
    total: "Total",
    pen: "Penalty",
    behind: "Behind",
    run1: "Run 1",
    run2: "Run 2",
    better: "better",
    result: "Result",
    no_results: "No results yet.",
    on_course: "On course",
    start: "Start",
    order: "Order",
    race: "Race",
    race_type: "Type",
    gates: "Gates",
    touch: "touch",
    miss: "missed",
    reverse: "upstream",
    to_beat: "to beat",
    favourite: "Favourite rider",
    legend: "Gates: green clean, orange touch (2 s), red missed (50 s), underlined upstream.",
    not_found: "Page not found",
    not_found_text: "This page does not exist or is not published yet.",
    language_switch: "Česky",
    status_startlist: "Start list",
    status_running: "Live",
    status_finished: "Finished",
    status_official: "Official results",
    conn_connecting: "Connecting…",
    conn_live: "Live",
    conn_reconnecting: "Connection lost, reconnecting…",
    conn_official: "Official results",
    dns: "Did not start",
    dnf: "Did not finish",
    dsq: "Disqualified",
    weekdays: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
    months: [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ],
    race_types: RaceTypeTexts {
        best_run_1: "Run 1",
        best_run_2: "Run 2",
        training: "Training",
        seeding: "Seeding run",
        qualification: "Qualification",
        semifinal: "Semi-final",
        final_: "Final",
        cross: "Slalom cross",
        unknown: "Run",
    },
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_best_supported() {
        assert_eq!(from_accept_language("en-GB,en;q=0.9"), Some(Lang::En));
        assert_eq!(
            from_accept_language("de, cs;q=0.8, en;q=0.5"),
            Some(Lang::Cs)
        );
        assert_eq!(
            from_accept_language("en;q=0.4, cs-CZ;q=0.9"),
            Some(Lang::Cs)
        );
        assert_eq!(from_accept_language("de, fr"), None);
        assert_eq!(from_accept_language("en;q=0"), None);
    }
}
