//! The demo regatta: an invented event with classes, riders, a course and every run's outcome,
//! a pure function of (seed, day, date).
//!
//! Times are race-time milliseconds from the moment the demo creates the event (`t = 0` is
//! 09:00:00 on the course clock); run times and totals are centiseconds and gate penalties
//! seconds, as on the wire (computations.md §1).

use chrono::{Datelike, NaiveDate};

use super::rng::{Rng, derive};

/// When the first rider of the day starts.
pub const FIRST_START_MS: u64 = 60_000;
/// Start interval of every race (`StartInterval` `0:30`): three or four riders on course at once.
pub const INTERVAL_MS: u64 = 30_000;
/// Between the last start of one race and the first of the next.
const RACE_BREAK_MS: u64 = 60_000;
/// Extra pause between the first-run block and the second-run block.
const RUN_BREAK_MS: u64 = 60_000;
/// The course clock at `t = 0`, seconds after midnight (09:00:00).
pub const CLOCK_START_S: u64 = 9 * 3600;

/// One demo event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Regatta {
    /// The seed it was generated from.
    pub seed: u64,
    /// Day number, 1-based: the demo runs day after day.
    pub day: u32,
    /// Its date.
    pub date: NaiveDate,
    /// `demo-<seed>-<day>`.
    pub event_id: String,
    /// Admin `mainTitle`.
    pub main_title: String,
    /// XML `SubTitle`.
    pub sub_title: String,
    /// XML `Location`.
    pub location: String,
    /// XML `Facility`.
    pub facility: String,
    /// `CourseConfig` as Canoe123 writes it: `N`/`R` gates with `S` section markers.
    pub course_config: String,
    /// Classes in export order.
    pub classes: Vec<Class>,
    /// Every participant (a crew counts once).
    pub participants: Vec<Participant>,
    /// Races in schedule order.
    pub races: Vec<Race>,
    /// Where the special cases are.
    pub features: Features,
}

/// A class and its categories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Class {
    /// `ClassId`.
    pub id: String,
    /// `Class`.
    pub name: String,
    /// `LongTitle`.
    pub long_title: String,
    /// `Categories`.
    pub categories: Vec<Category>,
}

/// An age category (birth years).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    /// `CatId`.
    pub id: String,
    /// `Category`.
    pub name: String,
    /// Oldest birth year.
    pub first_year: i32,
    /// Youngest birth year.
    pub last_year: i32,
}

/// An athlete, or a C2 crew, entered in one class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    /// `Id`: `<icf>.<class>` or `<icf1>.<icf2>.<class>` for a crew, as Canoe123 builds them.
    pub id: String,
    /// `ClassId`.
    pub class_id: String,
    /// Bib, the same in every run.
    pub bib: i32,
    /// `ICFId` (of the first paddler).
    pub icf_id: String,
    /// `FamilyName` (upper case, as Canoe123 keeps it).
    pub family: String,
    /// `GivenName`.
    pub given: String,
    /// `FamilyName2` / `GivenName2` of a crew's second paddler.
    pub second: Option<(String, String)>,
    /// `NOC` (region code).
    pub noc: String,
    /// `Club`.
    pub club: String,
    /// Birth year.
    pub year: i32,
    /// `CatId`.
    pub cat_id: String,
}

impl Participant {
    /// The displayed name: `FAMILY Given`, a crew `FAMILY Given / FAMILY2 Given2`
    /// (computations.md §2).
    pub fn name(&self) -> String {
        match &self.second {
            Some((family2, given2)) => {
                format!("{} {} / {family2} {given2}", self.family, self.given)
            }
            None => format!("{} {}", self.family, self.given),
        }
    }

    /// The scoreboard's short form for the time to beat: `J. FAMILY`.
    pub fn short_name(&self) -> String {
        let initial = self
            .given
            .chars()
            .next()
            .map(String::from)
            .unwrap_or_default();
        format!("{initial}. {}", self.family)
    }
}

/// Race format, Canoe123 `DisId`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dis {
    /// First run of a best-run pair.
    Br1,
    /// Second run of a best-run pair.
    Br2,
    /// A single-run qualification.
    Qua,
}

impl Dis {
    /// The `DisId` code, also part of the race id.
    pub fn code(self) -> &'static str {
        match self {
            Self::Br1 => "BR1",
            Self::Br2 => "BR2",
            Self::Qua => "QUA",
        }
    }
}

/// One race: a class running one run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Race {
    /// `<class>_<dis>_<day of month>`, the real export's pattern.
    pub id: String,
    /// Index into [`Regatta::classes`].
    pub class: usize,
    /// Format.
    pub dis: Dis,
    /// `RaceOrder`.
    pub order: i32,
    /// Planned start of the first rider.
    pub first_start_ms: u64,
    /// Runs in start order.
    pub runs: Vec<Run>,
}

/// One rider's run in one race.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// Index into [`Regatta::participants`].
    pub participant: usize,
    /// Bib.
    pub bib: i32,
    /// 1-based start order.
    pub start_order: i32,
    /// Planned start.
    pub planned_ms: u64,
    /// What happened.
    pub outcome: Outcome,
}

/// What happened in a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Did not start.
    Dns,
    /// Started.
    Started(Started),
}

/// A run that started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    /// Actual start (a little after the planned one).
    pub start_ms: u64,
    /// When each passed gate was passed.
    pub gate_ms: Vec<u64>,
    /// Penalty of each passed gate, seconds (0, 2, 50) — as first judged.
    pub gates: Vec<i32>,
    /// How it ended.
    pub end: End,
}

impl Started {
    /// Sum of the gate penalties, centiseconds.
    pub fn pen_cs(&self) -> i32 {
        self.gates.iter().sum::<i32>() * 100
    }
}

/// How a started run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// Did not finish: stopped on course, marked at `stop_ms`.
    Dnf {
        /// When the rider was marked DNF.
        stop_ms: u64,
    },
    /// Crossed the finish line.
    Finish {
        /// When.
        finish_ms: u64,
        /// Run time, centiseconds.
        time_cs: i32,
        /// Disqualified afterwards (announced [`DSQ_DELAY_MS`] after the finish).
        dsq: bool,
    },
}

/// How long after the finish a disqualification is announced.
pub const DSQ_DELAY_MS: u64 = 20_000;
/// How long after the finish the judges' correction arrives.
pub const CORRECTION_DELAY_MS: u64 = 25_000;

/// Where the special cases of this regatta are (indices into races and their runs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Features {
    /// Two finishers of the single-run race with exactly the same total.
    pub tie: Tie,
    /// A gate penalty changed after a judges' review.
    pub correction: Correction,
    /// A run that did not start.
    pub dns: (usize, usize),
    /// A run that did not finish.
    pub dnf: (usize, usize),
    /// A disqualified run.
    pub dsq: (usize, usize),
    /// A C2 crew (participant index).
    pub crew: usize,
}

/// An exact tie of totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tie {
    /// Race index (a single-run race).
    pub race: usize,
    /// The two runs.
    pub runs: [usize; 2],
    /// Their common total, centiseconds.
    pub total_cs: i32,
}

/// A penalty changed after the result was published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Correction {
    /// Race index.
    pub race: usize,
    /// Run index.
    pub run: usize,
    /// Gate index (0-based).
    pub gate: usize,
    /// Penalty first published (seconds).
    pub from: i32,
    /// Penalty after the review (seconds).
    pub to: i32,
}

impl Regatta {
    /// The run a pair of indices names.
    pub fn run(&self, (race, run): (usize, usize)) -> &Run {
        &self.races[race].runs[run]
    }

    /// Number of gates of the course.
    pub fn nr_gates(&self) -> usize {
        self.course_config.chars().filter(|c| *c != 'S').count()
    }

    /// The course clock (`hh:mm:ss.mmm`) at race time `t_ms`.
    pub fn clock(t_ms: u64) -> String {
        let total_ms = CLOCK_START_S * 1000 + t_ms;
        let (h, m) = (total_ms / 3_600_000, (total_ms / 60_000) % 60);
        let (s, ms) = ((total_ms / 1000) % 60, total_ms % 1000);
        format!("{h:02}:{m:02}:{s:02}.{ms:03}")
    }

    /// The course clock without milliseconds, unpadded hours (`9:01:40`), as in `Results/StartTime`.
    pub fn clock_s(t_ms: u64) -> String {
        let total_s = CLOCK_START_S + t_ms / 1000;
        format!(
            "{}:{:02}:{:02}",
            total_s / 3600,
            (total_s / 60) % 60,
            total_s % 60
        )
    }

    /// UTC offset of the (Czech) course clock on this date: summer time April–October.
    pub fn utc_offset(&self) -> &'static str {
        if (4..=10).contains(&self.date.month()) {
            "+02:00"
        } else {
            "+01:00"
        }
    }
}

struct ClassSpec {
    id: &'static str,
    long_title: &'static str,
    riders: (i64, i64),
    bib_base: i32,
    base_time_cs: i64,
    crew: Crew,
    dis: &'static [Dis],
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Crew {
    Man,
    Woman,
    Mixed,
}

const CLASSES: [ClassSpec; 4] = [
    ClassSpec {
        id: "K1M",
        long_title: "K1 muži",
        riders: (11, 14),
        bib_base: 1,
        base_time_cs: 9_100,
        crew: Crew::Man,
        dis: &[Dis::Br1, Dis::Br2],
    },
    ClassSpec {
        id: "K1W",
        long_title: "K1 ženy",
        riders: (9, 12),
        bib_base: 21,
        base_time_cs: 10_100,
        crew: Crew::Woman,
        dis: &[Dis::Br1, Dis::Br2],
    },
    ClassSpec {
        id: "C1M",
        long_title: "C1 muži",
        riders: (8, 11),
        bib_base: 41,
        base_time_cs: 9_900,
        crew: Crew::Man,
        dis: &[Dis::Qua],
    },
    ClassSpec {
        id: "C2MIX",
        long_title: "C2 smíšené posádky",
        riders: (8, 9),
        bib_base: 61,
        base_time_cs: 10_800,
        crew: Crew::Mixed,
        dis: &[Dis::Br1, Dis::Br2],
    },
];

const K1M: usize = 0;
const K1W: usize = 1;
const C1M: usize = 2;
const C2MIX: usize = 3;

const MEN: &[&str] = &[
    "Adam",
    "Jakub",
    "Tomáš",
    "Matěj",
    "Vojtěch",
    "Ondřej",
    "Lukáš",
    "Filip",
    "David",
    "Šimon",
    "Marek",
    "Petr",
    "Jan",
    "Jiří",
    "Michal",
    "Vít",
    "Daniel",
    "Štěpán",
    "Prokop",
    "Kryštof",
    "Radek",
    "Vilém",
    "Bořek",
    "Dalibor",
];
const WOMEN: &[&str] = &[
    "Tereza",
    "Anna",
    "Eliška",
    "Kateřina",
    "Barbora",
    "Adéla",
    "Klára",
    "Lucie",
    "Markéta",
    "Veronika",
    "Zuzana",
    "Johana",
    "Alžběta",
    "Magdaléna",
    "Nikola",
    "Simona",
    "Radka",
    "Ivana",
    "Hana",
    "Dorota",
];
/// Invented, water-themed family names: (masculine, feminine).
const FAMILIES: &[(&str, &str)] = &[
    ("BROUK", "BROUKOVÁ"),
    ("VRABEC", "VRABCOVÁ"),
    ("KOSTKA", "KOSTKOVÁ"),
    ("JAVOR", "JAVOROVÁ"),
    ("KAMENÍK", "KAMENÍKOVÁ"),
    ("PEŘINA", "PEŘINOVÁ"),
    ("JEZEVEC", "JEZEVCOVÁ"),
    ("BRODSKÝ", "BRODSKÁ"),
    ("PROUDNÝ", "PROUDNÁ"),
    ("VLNKA", "VLNKOVÁ"),
    ("PÁDLO", "PÁDLOVÁ"),
    ("KORMORÁN", "KORMORÁNOVÁ"),
    ("OLŠINA", "OLŠINOVÁ"),
    ("RÁKOS", "RÁKOSOVÁ"),
    ("POTŮČEK", "POTŮČKOVÁ"),
    ("LÁVKA", "LÁVKOVÁ"),
    ("KAPR", "KAPROVÁ"),
    ("ŠTIKA", "ŠTIKOVÁ"),
    ("PSTRUH", "PSTRUHOVÁ"),
    ("SPLAVNÝ", "SPLAVNÁ"),
    ("ZÁTOČIL", "ZÁTOČILOVÁ"),
    ("PEŘEJKA", "PEŘEJKOVÁ"),
    ("OKOUN", "OKOUNOVÁ"),
    ("VESLAŘ", "VESLAŘOVÁ"),
    ("TŮŇKA", "TŮŇKOVÁ"),
    ("ZÁVODNÝ", "ZÁVODNÁ"),
    ("BYSTRÝ", "BYSTRÁ"),
    ("STRMÝ", "STRMÁ"),
    ("VÍRNÍK", "VÍRNÍKOVÁ"),
    ("JEZOVÝ", "JEZOVÁ"),
    ("SPÁDNÍK", "SPÁDNÍKOVÁ"),
    ("LOPATKA", "LOPATKOVÁ"),
];
/// Invented clubs with a region code.
const CLUBS: &[(&str, &str)] = &[
    ("KK Peřeje Skalná", "KHK"),
    ("TJ Vodák Horní Lávka", "JCK"),
    ("SK Jez Brodek", "STC"),
    ("USK Kamenná Lhota", "PHA"),
    ("Kanoe klub Pod Hrází", "OLK"),
    ("VS Tůně Vranov", "JMK"),
    ("Oddíl vodáků Splavy", "ZLK"),
    ("SKV Dolní Proud", "ULK"),
    ("TJ Slalom Mlýnek", "PLK"),
    ("KVS Rákosí", "VYS"),
];
/// Invented venues: (location, facility).
const VENUES: &[(&str, &str)] = &[
    ("Skalná nad Peřejí", "Kanál Pod Hrází"),
    ("Horní Lávka", "Slalomová dráha U Mlýna"),
    ("Brodek u Jezu", "Areál Na Splavu"),
    ("Kamenná Lhota", "Umělý kanál Kamenka"),
];

/// Generates day `day` (1-based) of the demo for `seed`, dated `date`.
pub fn regatta(seed: u64, day: u32, date: NaiveDate) -> Regatta {
    let mut rng = Rng::new(derive(seed, u64::from(day)));
    let (location, facility) = *rng.pick(VENUES);
    let year = date.year();
    let course_config = course(&mut rng);
    let nr_gates = course_config.chars().filter(|c| *c != 'S').count();

    let mut classes = Vec::new();
    let mut participants = Vec::new();
    let mut skills = Vec::new();
    let mut used_ids = std::collections::BTreeSet::new();
    let mut used_names = std::collections::BTreeSet::new();
    let mut class_members: Vec<Vec<usize>> = Vec::new();
    for spec in &CLASSES {
        let categories = categories(year, spec.crew);
        let n = rng.range(spec.riders.0, spec.riders.1);
        let mut members = Vec::new();
        for i in 0..n {
            let cat = rng.pick(&categories).clone();
            let birth =
                i32::try_from(rng.range(i64::from(cat.first_year), i64::from(cat.last_year)))
                    .unwrap_or(cat.first_year);
            let (club, noc) = *rng.pick(CLUBS);
            let first = person(&mut rng, spec.crew != Crew::Woman, &mut used_names);
            let icf = fresh_icf(&mut rng, &mut used_ids);
            let second = if spec.crew == Crew::Mixed {
                let p2 = person(&mut rng, false, &mut used_names);
                let icf2 = fresh_icf(&mut rng, &mut used_ids);
                let id = format!("{icf}.{icf2}.{}", spec.id);
                Some((p2, id))
            } else {
                None
            };
            let id = match &second {
                Some((_, crew_id)) => crew_id.clone(),
                None => format!("{icf}.{}", spec.id),
            };
            members.push(participants.len());
            skills.push(rng.bell(1_300));
            participants.push(Participant {
                id,
                class_id: spec.id.to_owned(),
                bib: spec.bib_base + i32::try_from(i).unwrap_or(0),
                icf_id: icf,
                family: first.0,
                given: first.1,
                second: second.map(|(p, _)| p),
                noc: noc.to_owned(),
                club: club.to_owned(),
                year: birth,
                cat_id: cat.id.clone(),
            });
        }
        class_members.push(members);
        classes.push(Class {
            id: spec.id.to_owned(),
            name: spec.id.to_owned(),
            long_title: spec.long_title.to_owned(),
            categories,
        });
    }

    // Run 1 of every class, then run 2 of the best-run classes.
    let mut plan: Vec<(usize, Dis)> = Vec::new();
    for (c, spec) in CLASSES.iter().enumerate() {
        plan.push((c, spec.dis[0]));
    }
    for (c, spec) in CLASSES.iter().enumerate() {
        if let Some(d) = spec.dis.get(1) {
            plan.push((c, *d));
        }
    }
    let dom = date.day();
    let mut races = Vec::new();
    let mut next_start = FIRST_START_MS;
    for (i, (c, dis)) in plan.iter().copied().enumerate() {
        if i > 0 && dis == Dis::Br2 && plan[i - 1].1 != Dis::Br2 {
            next_start += RUN_BREAK_MS;
        }
        let spec = &CLASSES[c];
        let mut runs = Vec::new();
        for (k, &p) in class_members[c].iter().enumerate() {
            let planned = next_start + k as u64 * INTERVAL_MS;
            let skill = skills[p];
            runs.push(Run {
                participant: p,
                bib: participants[p].bib,
                start_order: i32::try_from(k + 1).unwrap_or(0),
                planned_ms: planned,
                outcome: Outcome::Started(ride(&mut rng, planned, spec, skill, nr_gates)),
            });
        }
        let last = runs.last().map_or(next_start, |r| r.planned_ms);
        races.push(Race {
            id: format!("{}_{}_{dom}", spec.id, dis.code()),
            class: c,
            dis,
            order: i32::try_from(i + 1).unwrap_or(0) * 10,
            first_start_ms: next_start,
            runs,
        });
        next_start = last + INTERVAL_MS + RACE_BREAK_MS;
    }

    let features = special_cases(&mut rng, &mut races, &class_members, nr_gates);

    Regatta {
        seed,
        day,
        date,
        event_id: format!("demo-{seed}-{day}"),
        main_title: format!("Demo – Slalom {location}"),
        sub_title: format!("Generated demo race · seed {seed} · day {day}"),
        location: location.to_owned(),
        facility: facility.to_owned(),
        course_config,
        classes,
        participants,
        races,
        features,
    }
}

fn race_index(races: &[Race], class: usize, dis: Dis) -> usize {
    races
        .iter()
        .position(|r| r.class == class && r.dis == dis)
        .unwrap_or(0)
}

/// Places the required special cases, then a few random extra DNS/DNF.
fn special_cases(
    rng: &mut Rng,
    races: &mut [Race],
    class_members: &[Vec<usize>],
    nr_gates: usize,
) -> Features {
    let men_first = race_index(races, K1M, Dis::Br1);
    let men_second = race_index(races, K1M, Dis::Br2);
    let women_second = race_index(races, K1W, Dis::Br2);
    let c1m = race_index(races, C1M, Dis::Qua);
    let crews_first = race_index(races, C2MIX, Dis::Br1);

    // A K1M rider who does not show up for either run.
    let n_k1m = races[men_first].runs.len();
    let absent = usize::try_from(rng.range(2, i64::try_from(n_k1m).unwrap_or(3) - 1)).unwrap_or(2);
    races[men_first].runs[absent].outcome = Outcome::Dns;
    races[men_second].runs[absent].outcome = Outcome::Dns;

    // The correction: a K1M first-run rider in the middle of the field, a gate first judged
    // missed (50) and changed to a touch (2) after the video review.
    let third = n_k1m / 3;
    let mut reviewed = third + rng.index(third.max(1));
    if reviewed == absent {
        reviewed += 1;
    }
    let corr_gate = 2 + rng.index(nr_gates - 4);
    // Every ride is a clean finish with all its gates until the cases below change some.
    if let Outcome::Started(s) = &mut races[men_first].runs[reviewed].outcome {
        s.gates[corr_gate] = 50;
    }

    // A K1W rider who stops on course in the second run.
    let stopped = rng.index(races[women_second].runs.len());
    force_dnf(rng, &mut races[women_second].runs[stopped], nr_gates);

    // A C2 crew disqualified in the first run.
    let disqualified = rng.index(races[crews_first].runs.len());
    if let Outcome::Started(s) = &mut races[crews_first].runs[disqualified].outcome
        && let End::Finish { dsq, .. } = &mut s.end
    {
        *dsq = true;
    }

    // A few random extras elsewhere (never on the runs above, never in the tie's race).
    let protected = [
        (men_first, absent),
        (men_second, absent),
        (men_first, reviewed),
        (women_second, stopped),
        (crews_first, disqualified),
    ];
    for (ri, race) in races.iter_mut().enumerate() {
        if ri == c1m {
            continue;
        }
        for (ki, run) in race.runs.iter_mut().enumerate() {
            if protected.contains(&(ri, ki)) {
                continue;
            }
            if rng.chance(15) {
                run.outcome = Outcome::Dns;
            } else if rng.chance(20) {
                force_dnf(rng, run, nr_gates);
            }
        }
    }

    // The tie: the two C1M finishers closest in total; the slower one's time shrinks by the gap.
    let tie = make_tie(&mut races[c1m], c1m);

    let crew = class_members[C2MIX][rng.index(class_members[C2MIX].len())];

    Features {
        tie,
        correction: Correction {
            race: men_first,
            run: reviewed,
            gate: corr_gate,
            from: 50,
            to: 2,
        },
        dns: (men_first, absent),
        dnf: (women_second, stopped),
        dsq: (crews_first, disqualified),
        crew,
    }
}

fn force_dnf(rng: &mut Rng, run: &mut Run, nr_gates: usize) {
    let planned = run.planned_ms;
    let s = match &mut run.outcome {
        Outcome::Started(s) => s,
        Outcome::Dns => {
            run.outcome = Outcome::Started(Started {
                start_ms: planned + 1_000,
                gate_ms: Vec::new(),
                gates: Vec::new(),
                end: End::Dnf {
                    stop_ms: planned + 20_000,
                },
            });
            return;
        }
    };
    let passed = nr_gates / 3 + rng.index(nr_gates / 3);
    s.gate_ms.truncate(passed);
    s.gates.truncate(passed);
    let last = s.gate_ms.last().copied().unwrap_or(s.start_ms);
    s.end = End::Dnf {
        stop_ms: last + 6_000,
    };
}

fn make_tie(race: &mut Race, race_index: usize) -> Tie {
    let mut finishers: Vec<(usize, i32)> = race
        .runs
        .iter()
        .enumerate()
        .filter_map(|(k, r)| match &r.outcome {
            Outcome::Started(s) => match s.end {
                End::Finish {
                    time_cs,
                    dsq: false,
                    ..
                } => Some((k, time_cs + s.pen_cs())),
                _ => None,
            },
            Outcome::Dns => None,
        })
        .collect();
    finishers.sort_by_key(|&(k, total)| (total, k));
    let (a, b) = finishers
        .windows(2)
        .map(|w| (w[0], w[1]))
        .min_by_key(|(x, y)| (y.1 - x.1, x.0))
        .unwrap_or(((0, 0), (0, 0)));
    let gap = b.1 - a.1;
    if let Outcome::Started(s) = &mut race.runs[b.0].outcome
        && let End::Finish {
            time_cs, finish_ms, ..
        } = &mut s.end
    {
        *time_cs -= gap;
        *finish_ms = s.start_ms + u64::try_from(*time_cs).unwrap_or(0) * 10;
        let last_gate = s.gate_ms.last().copied().unwrap_or(s.start_ms);
        if last_gate >= *finish_ms {
            // Keep the gates before the line (the gap is a fraction of a second).
            let shift = last_gate - *finish_ms + 500;
            for g in &mut s.gate_ms {
                *g = g.saturating_sub(shift).max(s.start_ms);
            }
        }
    }
    let mut runs = [a.0, b.0];
    runs.sort_unstable();
    Tie {
        race: race_index,
        runs,
        total_cs: a.1,
    }
}

/// One ride down the course: time, gate penalties and when each gate is passed.
fn ride(rng: &mut Rng, planned: u64, spec: &ClassSpec, skill: i64, nr_gates: usize) -> Started {
    let start_ms = planned + u64::try_from(rng.range(200, 2_500)).unwrap_or(0);
    let time_cs = (spec.base_time_cs + skill + rng.bell(500)).clamp(7_800, 13_500);
    let touch = (55 + skill / 30).clamp(15, 130).unsigned_abs();
    let gates: Vec<i32> = (0..nr_gates)
        .map(|_| {
            if rng.chance(6) {
                50
            } else if rng.chance(touch) {
                2
            } else {
                0
            }
        })
        .collect();
    let run_ms = u64::try_from(time_cs).unwrap_or(0) * 10;
    let n = nr_gates as u64;
    let step = run_ms / (n + 1);
    let mut gate_ms = Vec::with_capacity(nr_gates);
    let mut prev = start_ms;
    for g in 0..n {
        let nominal = start_ms + step * (g + 1);
        let jitter = rng.range(
            -i64::try_from(step / 4).unwrap_or(0),
            i64::try_from(step / 4).unwrap_or(0),
        );
        let at = nominal
            .saturating_add_signed(jitter)
            .max(prev + 300)
            .min(start_ms + run_ms - 500);
        gate_ms.push(at);
        prev = at;
    }
    Started {
        start_ms,
        gate_ms,
        gates,
        end: End::Finish {
            finish_ms: start_ms + run_ms,
            time_cs: i32::try_from(time_cs).unwrap_or(i32::MAX),
            dsq: false,
        },
    }
}

/// 18–24 gates, 6–8 of them upstream, `S` markers every 3–4 gates (as Canoe123 writes it).
fn course(rng: &mut Rng) -> String {
    let n = usize::try_from(rng.range(18, 24)).unwrap_or(20);
    let mut kinds = vec!['N'; n];
    let ups = usize::try_from(rng.range(6, 8)).unwrap_or(6);
    // Never two upstream gates in a row, never the first or the last gate.
    for _ in 0..ups {
        let free: Vec<usize> = (1..n - 1)
            .filter(|&g| kinds[g - 1] == 'N' && kinds[g] == 'N' && kinds[g + 1] == 'N')
            .collect();
        if free.is_empty() {
            break;
        }
        kinds[*rng.pick(&free)] = 'R';
    }
    let mut out = String::new();
    let mut since = 0;
    let mut section = rng.range(3, 4);
    for k in kinds {
        out.push(k);
        since += 1;
        if since == section {
            out.push('S');
            since = 0;
            section = rng.range(3, 4);
        }
    }
    out
}

fn categories(year: i32, crew: Crew) -> Vec<Category> {
    let cat = |id: &str, name: &str, oldest: i32, youngest: i32| Category {
        id: id.to_owned(),
        name: name.to_owned(),
        first_year: year - oldest,
        last_year: year - youngest,
    };
    let mut out = vec![
        cat("JUN", "Junioři", 18, 17),
        cat("U23", "Do 23 let", 22, 19),
        cat("SEN", "Dospělí", 45, 23),
    ];
    if crew != Crew::Mixed {
        out.insert(0, cat("DOR", "Dorost", 16, 14));
    }
    out
}

fn person(
    rng: &mut Rng,
    man: bool,
    used: &mut std::collections::BTreeSet<(String, String)>,
) -> (String, String) {
    loop {
        let (m, w) = *rng.pick(FAMILIES);
        let (family, given) = if man {
            (m, *rng.pick(MEN))
        } else {
            (w, *rng.pick(WOMEN))
        };
        let key = (family.to_owned(), given.to_owned());
        if used.insert(key.clone()) {
            return key;
        }
    }
}

fn fresh_icf(rng: &mut Rng, used: &mut std::collections::BTreeSet<u64>) -> String {
    loop {
        let id = 10_000 + rng.below(90_000);
        if used.insert(id) {
            return id.to_string();
        }
    }
}
