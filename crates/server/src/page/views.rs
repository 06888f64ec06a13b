//! The page's HTML (maud, checked at compile time). Every view is complete without JavaScript;
//! `assets/live.js` patches the elements named here (ids `r<bib>` for result rows, `oc` for the
//! on-course panel, `conn` for the connection indicator, `announce` for the live region).

use live_domain::EventStatus;
use live_domain::gates::{Gate, GateType};
use live_domain::oncourse::OncourseItem;
use live_domain::public::{EventDetail, PublicEventItem, RaceItem, RaceResultList};
use live_domain::race::RaceType;
use live_domain::results::{BestRunItem, ResultItem, StartlistItem};
use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::assets::Assets;
use super::fmt;
use super::i18n::{Lang, Texts};
use crate::services::page::{PageView, RacePage};

/// What every page needs besides its data.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ctx<'a> {
    /// The page language.
    pub(crate) lang: Lang,
    /// The request path (for the language switch).
    pub(crate) path: &'a str,
    /// The request query without `lang` (for the language switch).
    pub(crate) query: &'a str,
    /// The hashed asset names.
    pub(crate) assets: &'a Assets,
}

impl Ctx<'_> {
    fn t(&self) -> &'static Texts {
        self.lang.t()
    }

    fn switch_href(&self) -> String {
        let other = self.lang.other().code();
        if self.query.is_empty() {
            format!("{}?lang={other}", self.path)
        } else {
            format!("{}?{}&lang={other}", self.path, self.query)
        }
    }
}

fn layout(ctx: Ctx<'_>, title: &str, live: bool, main: &Markup) -> Markup {
    let t = ctx.t();
    html! {
        (DOCTYPE)
        html lang=(ctx.lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width,initial-scale=1";
                title { (title) " · " (t.site) }
                link rel="stylesheet" href=(ctx.assets.css_url());
                @if live {
                    script type="module" src=(ctx.assets.js_url()) {}
                }
            }
            body {
                a.skip href="#main" { (t.skip) }
                header.top {
                    nav aria-label=(t.site) { a.home href="/" { (t.site) } }
                    a.lang href=(ctx.switch_href()) lang=(ctx.lang.other().code())
                        hreflang=(ctx.lang.other().code()) { (t.language_switch) }
                }
                (main)
            }
        }
    }
}

/// The text of a status badge.
fn status_text(status: EventStatus, t: &Texts) -> &'static str {
    match status {
        EventStatus::Draft | EventStatus::Startlist => t.status_startlist,
        EventStatus::Running => t.status_running,
        EventStatus::Finished => t.status_finished,
        EventStatus::Official => t.status_official,
    }
}

/// The events list: live now, upcoming, past.
pub(crate) fn events(ctx: Ctx<'_>, events: &[PublicEventItem]) -> Markup {
    let t = ctx.t();
    let groups: [(&str, &str, Vec<&PublicEventItem>); 3] = [
        (
            "live",
            t.live_now,
            events
                .iter()
                .filter(|e| e.status == EventStatus::Running)
                .collect(),
        ),
        (
            "upcoming",
            t.upcoming,
            events
                .iter()
                .filter(|e| e.status <= EventStatus::Startlist)
                .collect(),
        ),
        (
            "past",
            t.past,
            events
                .iter()
                .filter(|e| e.status >= EventStatus::Finished)
                .collect(),
        ),
    ];
    let main = html! {
        main #main .wrap {
            h1 { (t.site) }
            @if events.is_empty() { p.empty { (t.no_events) } }
            @for (id, heading, list) in &groups {
                @if !list.is_empty() {
                    section.evs aria-labelledby=(format!("h-{id}")) {
                        h2 id=(format!("h-{id}")) { (heading) }
                        ul.cards {
                            @for e in list {
                                li.card {
                                    a href=(format!("/events/{}", e.event_id)) {
                                        @if let Some(img) = &e.image_url {
                                            img.logo src=(img) alt="" width="48" height="48" loading="lazy";
                                        }
                                        span class=(format!("badge s-{}", e.status.as_str())) {
                                            (status_text(e.status, t))
                                        }
                                        strong.ct { (e.main_title) }
                                        @if let Some(sub) = &e.sub_title { span.cs { (sub) } }
                                        span.cm {
                                            @if let Some(loc) = &e.location { (loc) }
                                            @if let Some(d) = fmt::date_range(e.start_date.as_deref(), e.end_date.as_deref(), t) {
                                                @if e.location.is_some() { " · " }
                                                (d)
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    layout(ctx, t.all_events, false, &main)
}

/// The HTML 404 page.
pub(crate) fn not_found(ctx: Ctx<'_>) -> Markup {
    let t = ctx.t();
    let main = html! {
        main #main .wrap {
            h1 { (t.not_found) }
            p { (t.not_found_text) }
            p { a href="/" { (t.all_events) } }
        }
    };
    layout(ctx, t.not_found, false, &main)
}

fn race_type_text(rt: RaceType, t: &Texts) -> &'static str {
    let r = &t.race_types;
    match rt {
        RaceType::BestRun1 => r.best_run_1,
        RaceType::BestRun2 => r.best_run_2,
        RaceType::Training => r.training,
        RaceType::Seeding => r.seeding,
        RaceType::Qualification => r.qualification,
        RaceType::Semifinal => r.semifinal,
        RaceType::Final => r.final_,
        RaceType::CrossTrial
        | RaceType::CrossHeat
        | RaceType::CrossSemifinal
        | RaceType::CrossFinal
        | RaceType::CrossExtra => r.cross,
        RaceType::Unknown => r.unknown,
    }
}

fn class_title<'a>(detail: &'a EventDetail, class_id: Option<&str>) -> &'a str {
    class_id
        .and_then(|id| detail.classes.iter().find(|c| c.class_id == id))
        .map_or("", |c| c.long_title.as_deref().unwrap_or(&c.name))
}

fn class_short<'a>(detail: &'a EventDetail, class_id: &'a str) -> &'a str {
    detail
        .classes
        .iter()
        .find(|c| c.class_id == class_id)
        .map_or(class_id, |c| c.long_title.as_deref().unwrap_or(&c.name))
}

/// A page URL inside the event with the given race, view and category.
fn race_href(event_id: &str, race_id: &str, view: PageView, cat: Option<&str>) -> String {
    let mut href = format!("/events/{event_id}/races/{}", enc(race_id));
    let mut sep = '?';
    if let Some(v) = view.param() {
        href.push(sep);
        href.push_str("view=");
        href.push_str(v);
        sep = '&';
    }
    if let Some(c) = cat {
        href.push(sep);
        href.push_str("cat=");
        href.push_str(&enc(c));
    }
    href
}

/// Percent-encodes everything but unreserved characters.
fn enc(s: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Whether a race is the first run of a best-run pair whose second run is listed too (the
/// class selector links the second run: its list holds both).
fn hidden_br1(race: &RaceItem, races: &[RaceItem]) -> bool {
    race.race_type == RaceType::BestRun1
        && races.iter().any(|r| {
            r.race_type == RaceType::BestRun2
                && r.class_id == race.class_id
                && r.race_id == race.race_id.replacen("_BR1_", "_BR2_", 1)
        })
}

/// The event page and the race pages.
pub(crate) fn race(ctx: Ctx<'_>, page: &RacePage) -> Markup {
    let t = ctx.t();
    let d = &page.detail;
    let ev = &d.event;
    let race = page.race.as_ref();
    let view = page.query.view;
    let cat = page.query.cat.as_deref();
    let listed: Vec<&RaceItem> = d.races.iter().filter(|r| r.class_id.is_some()).collect();
    let day_of = |r: &RaceItem| r.start_time.as_deref().and_then(fmt::local_date);
    let cur_day = race.and_then(day_of);
    let mut days: Vec<chrono::NaiveDate> = listed.iter().filter_map(|r| day_of(r)).collect();
    days.dedup();
    days.sort_unstable();
    days.dedup();
    let day_races: Vec<&RaceItem> = listed
        .iter()
        .copied()
        .filter(|r| cur_day.is_none() || day_of(r) == cur_day)
        .collect();
    let class_links: Vec<&RaceItem> = {
        let mut seen: Vec<&str> = Vec::new();
        let mut out = Vec::new();
        for r in day_races
            .iter()
            .copied()
            .filter(|r| !hidden_br1(r, &d.races))
        {
            let class = r.class_id.as_deref().unwrap_or_default();
            if !seen.contains(&class) {
                seen.push(class);
                out.push(r);
            }
        }
        out
    };
    let class_runs: Vec<&RaceItem> = race.map_or_else(Vec::new, |cur| {
        day_races
            .iter()
            .copied()
            .filter(|r| r.class_id == cur.class_id && !hidden_br1(r, &d.races))
            .collect()
    });
    let race_categories: Vec<_> = race.map_or_else(Vec::new, |r| {
        d.categories
            .iter()
            .filter(|c| {
                r.class_id
                    .as_ref()
                    .is_some_and(|id| c.class_ids.contains(id))
            })
            .collect()
    });
    let title = race.map_or_else(
        || ev.main_title.clone(),
        |r| {
            format!(
                "{} – {} · {}",
                class_title(d, r.class_id.as_deref()),
                race_type_text(r.race_type, t),
                ev.main_title
            )
        },
    );
    let live = ev.status != EventStatus::Official;
    let kind = match page.results.as_ref().map(|r| &r.results) {
        Some(RaceResultList::BestRun(_)) => "best",
        _ => "single",
    };
    let main = html! {
        main #main data-event=(ev.event_id) data-status=(ev.status.as_str())
            data-since=[page.since.as_deref()] data-race=[race.map(|r| r.race_id.as_str())]
            data-view=(view.param().unwrap_or("results")) data-cat=[cat] data-kind=(kind) {
            section.hero {
                @if let Some(img) = &ev.image_url {
                    img.logo src=(img) alt="" width="72" height="72";
                }
                span #evstatus class=(format!("badge s-{}", ev.status.as_str())) { (status_text(ev.status, t)) }
                h1 { (ev.main_title) }
                p.sub {
                    @for (i, part) in sub_parts(ev).iter().enumerate() {
                        @if i > 0 { " · " }
                        (part)
                    }
                }
                @if let Some(dates) = fmt::date_range(ev.start_date.as_deref(), ev.end_date.as_deref(), t) {
                    p.dates { (dates) }
                }
                @if live {
                    p #conn .conn role="status" data-state="off" hidden { (t.conn_connecting) }
                }
            }
            (oncourse_panel(t, &page.oncourse))
            @if !days.is_empty() || race.is_some() {
                div.bar {
                    @if days.len() > 1 {
                        nav.tabs aria-label=(t.days) {
                            @for day in &days {
                                @if let Some(first) = listed.iter().find(|r| day_of(r) == Some(*day) && !hidden_br1(r, &d.races)) {
                                    a href=(race_href(&ev.event_id, &first.race_id, view, None))
                                        aria-current=[(Some(*day) == cur_day).then_some("page")] { (fmt::day(*day, t)) }
                                }
                            }
                        }
                    }
                    @if let Some(r) = race {
                        nav.tabs aria-label=(t.views) {
                            @for (v, label) in [(PageView::Results, t.results), (PageView::Startlist, t.startlist), (PageView::Schedule, t.schedule)] {
                                a href=(race_href(&ev.event_id, &r.race_id, v, cat))
                                    aria-current=[(v == view).then_some("page")] { (label) }
                            }
                        }
                    }
                }
            }
            @if view != PageView::Schedule && !class_links.is_empty() {
                nav.tabs.classes aria-label=(t.classes) {
                    @for r in &class_links {
                        a href=(race_href(&ev.event_id, &r.race_id, view, None))
                            aria-current=[(race.is_some_and(|c| c.class_id == r.class_id)).then_some("page")] {
                            (class_short(d, r.class_id.as_deref().unwrap_or_default()))
                        }
                    }
                }
                @if class_runs.len() > 1 {
                    nav.tabs aria-label=(t.races_of_class) {
                        @for r in &class_runs {
                            a href=(race_href(&ev.event_id, &r.race_id, view, cat))
                                aria-current=[(race.is_some_and(|c| c.race_id == r.race_id)).then_some("page")] {
                                (race_type_text(r.race_type, t))
                                @if let Some(st) = &r.start_time { " " (fmt::clock(st)) }
                            }
                        }
                    }
                }
            }
            @match view {
                PageView::Schedule => (schedule(t, d, &listed)),
                PageView::Startlist => {
                    @if let Some(list) = &page.startlist {
                        (startlist(t, d, race, &list.startlist, page.query.q.as_deref()))
                    }
                }
                PageView::Results => {
                    @if let (Some(r), Some(results)) = (race, &page.results) {
                        (filters(t, view, cat, &page.query, &race_categories))
                        (results_table(t, d, r, &results.results, cat.is_some(), &page.query))
                    }
                }
            }
            div #announce .sr aria-live="polite" {}
            @if live {
                script #i18n type="application/json" {
                    (PreEscaped(js_texts(t)))
                }
            }
        }
    };
    layout(ctx, &title, live, &main)
}

/// The hero's sub line: subtitle, venue, facility (when it differs), discipline.
fn sub_parts(ev: &live_domain::public::PublicEvent) -> Vec<&str> {
    let mut parts: Vec<&str> = Vec::new();
    for p in [
        ev.sub_title.as_deref(),
        ev.location.as_deref(),
        ev.facility.as_deref(),
        ev.discipline.as_deref(),
    ]
    .into_iter()
    .flatten()
    {
        if !p.is_empty() && !parts.contains(&p) {
            parts.push(p);
        }
    }
    parts
}

/// The texts the script needs, as JSON (no `<` can occur: all are fixed strings).
fn js_texts(t: &Texts) -> String {
    serde_json::json!({
        "connecting": t.conn_connecting,
        "live": t.conn_live,
        "reconnecting": t.conn_reconnecting,
        "official": t.conn_official,
        "status": {
            "startlist": t.status_startlist,
            "running": t.status_running,
            "finished": t.status_finished,
            "official": t.status_official,
        },
        "fav": t.favourite,
        "toBeat": t.to_beat,
        "onCourse": t.on_course,
        "dns": t.dns, "dnf": t.dnf, "dsq": t.dsq,
    })
    .to_string()
}

fn filters(
    t: &Texts,
    view: PageView,
    cat: Option<&str>,
    query: &crate::services::page::RaceQuery,
    categories: &[&live_domain::public::CategorySummary],
) -> Markup {
    let q = query.q.as_deref();
    html! {
        form.filters method="get" role="search" {
            @if let Some(v) = view.param() { input type="hidden" name="view" value=(v); }
            @if categories.len() > 1 || cat.is_some() {
                label.f {
                    span { (t.category) }
                    select name="cat" #cat {
                        option value="" { (t.all_categories) }
                        @for c in categories {
                            option value=(c.cat_id) selected[cat == Some(c.cat_id.as_str())] { (c.name) }
                        }
                    }
                }
            }
            label.f.q {
                span.sr { (t.search) }
                input type="search" name="q" #q value=[q] placeholder=(t.search_hint) autocomplete="off";
            }
            label.f {
                input type="checkbox" name="detail" value="1" #detail checked[query.detail];
                span { (t.detail) }
            }
            button type="submit" { (t.apply) }
        }
    }
}

/// Whether an item matches the search (`q` as a bib, or a case-insensitive part of the name).
fn matches(q: Option<&str>, bib: Option<i32>, name: &str) -> bool {
    let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) else {
        return true;
    };
    if let Ok(n) = q.parse::<i32>() {
        return bib == Some(n);
    }
    name.to_lowercase().contains(&q.to_lowercase())
}

fn status_cell(status: &str, t: &Texts) -> Markup {
    let title = match status {
        "DNS" => Some(t.dns),
        "DNF" => Some(t.dnf),
        "DSQ" => Some(t.dsq),
        _ => None,
    };
    html! { abbr.st title=[title] { (status) } }
}

fn results_table(
    t: &Texts,
    d: &EventDetail,
    race: &RaceItem,
    list: &RaceResultList,
    by_cat: bool,
    query: &crate::services::page::RaceQuery,
) -> Markup {
    let q = query.q.as_deref();
    let open = query.detail;
    let caption = format!(
        "{} – {}",
        class_title(d, race.class_id.as_deref()),
        if matches!(list, RaceResultList::BestRun(_)) {
            t.best_of_two
        } else {
            race_type_text(race.race_type, t)
        }
    );
    let rank_label = if by_cat { t.cat_rank } else { t.rank };
    html! {
        section #list aria-label=(t.results) {
            @if list.is_empty() { p.empty { (t.no_results) } }
            @else {
                table class=(if matches!(list, RaceResultList::BestRun(_)) { "res best" } else { "res single" }) {
                    caption { (caption) }
                    @match list {
                        RaceResultList::SingleRun(items) => {
                            thead { tr {
                                th.rk scope="col" { abbr title=(rank_label) { "#" } }
                                th.nm scope="col" { (t.name) }
                                th.tm scope="col" { (t.time) }
                                th.tt scope="col" { (t.result) }
                                th.bh scope="col" { (t.behind) }
                            } }
                            tbody {
                                @for item in items.iter().filter(|i| matches(q, i.core.bib, &i.core.name)) {
                                    (single_row(t, item, by_cat, open))
                                }
                            }
                        }
                        RaceResultList::BestRun(items) => {
                            thead { tr {
                                th.rk scope="col" { abbr title=(rank_label) { "#" } }
                                th.nm scope="col" { (t.name) }
                                th.r1 scope="col" { (t.run1) }
                                th.r2 scope="col" { (t.run2) }
                                th.tt scope="col" { (t.result) }
                                th.bh scope="col" { (t.behind) }
                            } }
                            tbody {
                                @for item in items.iter().filter(|i| matches(q, i.core.bib, &i.core.name)) {
                                    (best_row(t, item, by_cat, open))
                                }
                            }
                        }
                    }
                }
                p.legend { (t.legend) }
            }
        }
    }
}

fn rank_of(core: &live_domain::results::ResultCore, by_cat: bool) -> (Option<i32>, Option<&str>) {
    if by_cat {
        (core.cat_rnk, core.cat_total_behind.as_deref())
    } else {
        (core.rnk, core.total_behind.as_deref())
    }
}

fn name_cell(
    t: &Texts,
    core: &live_domain::results::ResultCore,
    runs: &[(Option<&str>, RunView<'_>)],
    open: bool,
) -> Markup {
    html! {
        td.nm {
            details open[open] {
                summary {
                    span.n { (core.name) }
                    @if let Some(c) = &core.cat_id { " " small.cat { (c) } }
                    br;
                    small.cl {
                        @if let Some(b) = core.bib { span.b { (b) } " " }
                        (core.club.as_deref().unwrap_or_default())
                    }
                }
                div.runs {
                    @for (label, run) in runs {
                        div.run.better[run.better] {
                            @if let Some(l) = label { b { (l) } @if run.better { " " span.tag { (t.better) } } }
                            dl {
                                @if let Some(s) = run.dt_start { dt { (t.start) } dd { (fmt::clock(s)) } }
                                dt { (t.time) } dd { (run.time.map(fmt::time).unwrap_or_default()) }
                                dt { (t.pen) } dd { (run.pen.map(|p| p / 100).map(|p| p.to_string()).unwrap_or_default()) }
                                dt { (t.total) } dd {
                                    @if let Some(s) = run.status { (status_cell(s, t)) }
                                    @else { (run.total.map(fmt::time).unwrap_or_default()) }
                                }
                            }
                            @if let Some(gates) = run.gates { @if !gates.is_empty() { (gate_list(t, gates)) } }
                        }
                    }
                }
            }
        }
    }
}

/// One run of a row, as the expanded row and the run cells show it.
#[derive(Debug, Clone, Copy, Default)]
struct RunView<'a> {
    time: Option<i32>,
    pen: Option<i32>,
    total: Option<i32>,
    status: Option<&'a str>,
    better: bool,
    dt_start: Option<&'a str>,
    gates: Option<&'a [Gate]>,
}

fn single_row(t: &Texts, item: &ResultItem, by_cat: bool, open: bool) -> Markup {
    let c = &item.core;
    let (rank, behind) = rank_of(c, by_cat);
    let run = RunView {
        time: c.time,
        pen: c.pen,
        total: c.total,
        status: c.status.as_deref(),
        better: false,
        dt_start: item.detail.as_ref().and_then(|d| d.dt_start.as_deref()),
        gates: item.detail.as_ref().and_then(|d| d.gates.as_deref()),
    };
    html! {
        tr id=[c.bib.map(|b| format!("r{b}"))] data-c=[c.cat_id.as_deref()] class=[medal(rank)] {
            td.rk { (rank.map(|r| r.to_string()).unwrap_or_default()) }
            (name_cell(t, c, &[(None, run)], open))
            td.tm { (run_cell(t, &run)) }
            td.tt {
                @if let Some(s) = &c.status { (status_cell(s, t)) }
                @else if let Some(total) = c.total { (fmt::time(total)) }
            }
            td.bh { (behind.unwrap_or_default()) }
        }
    }
}

fn medal(rank: Option<i32>) -> Option<&'static str> {
    match rank {
        Some(1) => Some("m1"),
        Some(2) => Some("m2"),
        Some(3) => Some("m3"),
        _ => None,
    }
}

fn run_cell(t: &Texts, run: &RunView<'_>) -> Markup {
    html! {
        @if let Some(s) = run.status { (status_cell(s, t)) }
        @else if let Some(total) = run.total {
            @if run.better { b { (fmt::time(total)) } } @else { (fmt::time(total)) }
            @if let Some(p) = run.pen.filter(|p| *p > 0) { " " small.pen { (fmt::pen(p)) } }
        }
    }
}

/// Splits a best-run item into run 1 and run 2 (computations.md §6.4: `prev*` is run 1 when both
/// rows exist; otherwise the primary run is run 2 only when it is the better one).
fn best_runs(item: &BestRunItem) -> (RunView<'_>, RunView<'_>) {
    let detail = item.detail.as_ref();
    let both = item.prev_status.is_some()
        || item.prev_time.is_some()
        || item.prev_total.is_some()
        || item.prev_rnk.is_some()
        || detail.is_some_and(|d| d.prev_gates.is_some() || d.prev_dt_start.is_some());
    let primary = RunView {
        time: item.core.time,
        pen: item.core.pen,
        total: item.core.total,
        status: item.curr_status.as_deref(),
        better: false,
        dt_start: detail.and_then(|d| d.run.dt_start.as_deref()),
        gates: detail.and_then(|d| d.run.gates.as_deref()),
    };
    let (mut r1, mut r2) = if both {
        let prev = RunView {
            time: item.prev_time,
            pen: item.prev_pen,
            total: item.prev_total,
            status: item.prev_status.as_deref(),
            better: false,
            dt_start: detail.and_then(|d| d.prev_dt_start.as_deref()),
            gates: detail.and_then(|d| d.prev_gates.as_deref()),
        };
        (prev, primary)
    } else if item.better_run_nr == Some(2) {
        (RunView::default(), primary)
    } else {
        (primary, RunView::default())
    };
    r1.better = item.better_run_nr == Some(1);
    r2.better = item.better_run_nr == Some(2);
    (r1, r2)
}

fn best_row(t: &Texts, item: &BestRunItem, by_cat: bool, open: bool) -> Markup {
    let c = &item.core;
    let (rank, behind) = rank_of(c, by_cat);
    let (r1, r2) = best_runs(item);
    html! {
        tr id=[c.bib.map(|b| format!("r{b}"))] data-c=[c.cat_id.as_deref()] class=[medal(rank)] {
            td.rk { (rank.map(|r| r.to_string()).unwrap_or_default()) }
            (name_cell(t, c, &[(Some(t.run1), r1), (Some(t.run2), r2)], open))
            td.r1 { (run_cell(t, &r1)) }
            td.r2 { (run_cell(t, &r2)) }
            td.tt {
                @if let Some(total) = item.total_total { b { (fmt::time(total)) } }
                @else if let Some(s) = &c.status { (status_cell(s, t)) }
            }
            td.bh { (behind.unwrap_or_default()) }
        }
    }
}

fn gate_list(t: &Texts, gates: &[Gate]) -> Markup {
    html! {
        ol.gates aria-label=(t.gates) {
            @for g in gates { (gate(t, g)) }
        }
    }
}

fn gate(t: &Texts, g: &Gate) -> Markup {
    let (class, label) = match g.penalty {
        Some(0) => ("g0", None),
        Some(2) => ("g2", Some(t.touch)),
        Some(50) => ("g50", Some(t.miss)),
        _ => ("", None),
    };
    let rev = g.gate_type == GateType::Reverse;
    let class = match (class.is_empty(), rev) {
        (true, false) => None,
        (true, true) => Some("rv".to_owned()),
        (false, false) => Some(class.to_owned()),
        (false, true) => Some(format!("{class} rv")),
    };
    html! {
        li class=[class] {
            (g.number)
            @if let Some(l) = label { span.sr { " " (l) } }
            @if rev { span.sr { " " (t.reverse) } }
        }
    }
}

fn oncourse_panel(t: &Texts, items: &[OncourseItem]) -> Markup {
    html! {
        section #oc .oc aria-labelledby="oc-h" hidden[items.is_empty()] {
            h2 #oc-h { (t.on_course) " " span.count { (items.len()) } }
            ul #oc-list {
                @for o in items { (oncourse_item(t, o)) }
            }
        }
    }
}

fn oncourse_item(t: &Texts, o: &OncourseItem) -> Markup {
    html! {
        li.ocr data-race=(o.race_id) data-bib=(o.bib) data-done=[o.completed.then_some("1")]
            data-start=[o.dt_start.as_deref()] data-time=[o.time] {
            div.ocl {
                span.b { (o.bib) }
                " "
                strong { (o.name.as_deref().unwrap_or_default()) }
                @if let Some(c) = &o.club { " " small.cl { (c) } }
                span.octs {
                    span.ock { (o.time.map(fmt::time).unwrap_or_default()) }
                    @if let Some(p) = o.pen.filter(|p| *p > 0) { " " span.pen { (fmt::pen(p)) } }
                    @if let Some(total) = o.total.filter(|_| o.completed) { " = " b { (fmt::time(total)) } }
                }
            }
            @if o.rank.is_some() || o.ttb_diff.is_some() {
                div.ttb {
                    @if let Some(r) = o.rank { span.ocrank { (r) "." } " " }
                    @if let Some(diff) = &o.ttb_diff {
                        span.diff { (diff) } " " (t.to_beat)
                        @if let Some(n) = &o.ttb_name { " (" (n) ")" }
                    }
                }
            }
            @if !o.gates.is_empty() { (gate_list(t, &o.gates)) }
        }
    }
}

fn schedule(t: &Texts, d: &EventDetail, races: &[&RaceItem]) -> Markup {
    html! {
        section #list aria-label=(t.schedule) {
            table.sched {
                caption { (t.schedule) }
                thead { tr {
                    th scope="col" { (t.start) }
                    th scope="col" { (t.race) }
                    th scope="col" { (t.race_type) }
                } }
                tbody {
                    @for r in races {
                        tr {
                            td {
                                @if let Some(s) = &r.start_time {
                                    @if let Some(day) = fmt::local_date(s) { (fmt::day(day, t)) " " }
                                    (fmt::clock(s))
                                }
                            }
                            td { a href=(race_href(&d.event.event_id, &r.race_id, PageView::Results, None)) {
                                (class_title(d, r.class_id.as_deref()))
                            } }
                            td { (race_type_text(r.race_type, t)) }
                        }
                    }
                }
            }
        }
    }
}

fn startlist(
    t: &Texts,
    d: &EventDetail,
    race: Option<&RaceItem>,
    items: &[StartlistItem],
    q: Option<&str>,
) -> Markup {
    html! {
        section #list aria-label=(t.startlist) {
            @if items.is_empty() { p.empty { (t.no_results) } }
            @else {
                table.sl {
                    caption {
                        (t.startlist)
                        @if let Some(r) = race { " – " (class_title(d, r.class_id.as_deref())) " – " (race_type_text(r.race_type, t)) }
                    }
                    thead { tr {
                        th.rk scope="col" { abbr title=(t.order) { "#" } }
                        th scope="col" { (t.bib) }
                        th.nm scope="col" { (t.name) }
                        th scope="col" { (t.start) }
                    } }
                    tbody {
                        @for s in items.iter().filter(|i| matches(q, i.bib, &i.name)) {
                            tr id=[s.bib.map(|b| format!("r{b}"))] data-c=[s.cat_id.as_deref()] {
                                td.rk { (s.start_order.map(|o| o.to_string()).unwrap_or_default()) }
                                td { (s.bib.map(|b| b.to_string()).unwrap_or_default()) }
                                td.nm {
                                    span.n { (s.name) }
                                    @if let Some(c) = &s.cat_id { " " small.cat { (c) } }
                                    br; small.cl { (s.club.as_deref().unwrap_or_default()) }
                                }
                                td { (s.start_time.as_deref().map(fmt::clock).unwrap_or_default()) }
                            }
                        }
                    }
                }
            }
        }
    }
}
