//! The Canoe123 XML export of a demo regatta, in the real layout (c123-xml.md §2–§5): one element
//! per record, one child element per field, `Results` rows as the start list (bib padded as
//! Canoe123 pads it, no times: times reach the server through the results feed, as during a real
//! race), `CourseData` with `S` section markers.

use std::fmt::Write as _;

use super::generate::{Dis, INTERVAL_MS, Regatta};

/// Canoe123's `RaceStatus` values the demo uses.
pub mod race_status {
    /// Start list published, not started.
    pub const SCHEDULED: i32 = 1;
    /// Running.
    pub const RUNNING: i32 = 3;
    /// Finished (unofficial/official results).
    pub const DONE: i32 = 5;
}

/// The whole export; `statuses[i]` is the `RaceStatus` of `regatta.races[i]`.
pub fn export(regatta: &Regatta, statuses: &[i32]) -> String {
    let mut x = String::with_capacity(64 * 1024);
    x.push_str("<?xml version=\"1.0\" standalone=\"yes\"?>\n");
    x.push_str("<Canoe123Data xmlns=\"http://siwidata.com/Canoe123/Data.xsd\">\n");
    let date = regatta.date.format("%Y-%m-%d").to_string();
    let offset = regatta.utc_offset();

    open(&mut x, "Events");
    field(&mut x, "EventId", &regatta.event_id);
    field(&mut x, "MainTitle", &regatta.main_title);
    field(&mut x, "SubTitle", &regatta.sub_title);
    field(&mut x, "Location", &regatta.location);
    field(&mut x, "Country", "CZE");
    field(&mut x, "Facility", &regatta.facility);
    field(&mut x, "StartDate", &format!("{date}T08:00:00{offset}"));
    field(&mut x, "EndDate", &format!("{date}T18:00:00{offset}"));
    field(&mut x, "CanoeDiscipline", "Slalom");
    field(&mut x, "TimeMode", "Points100");
    close(&mut x, "Events");

    for p in &regatta.participants {
        open(&mut x, "Participants");
        field(&mut x, "Id", &p.id);
        field(&mut x, "ClassId", &p.class_id);
        field(&mut x, "EventBib", &p.bib.to_string());
        field(&mut x, "ICFId", &p.icf_id);
        field(&mut x, "FamilyName", &p.family);
        field(&mut x, "GivenName", &p.given);
        if let Some((family2, given2)) = &p.second {
            field(&mut x, "FamilyName2", family2);
            field(&mut x, "GivenName2", given2);
        }
        field(&mut x, "NOC", &p.noc);
        field(&mut x, "Club", &p.club);
        field(&mut x, "Year", &p.year.to_string());
        field(&mut x, "CatId", &p.cat_id);
        field(&mut x, "IsTeam", "false");
        close(&mut x, "Participants");
    }

    for c in &regatta.classes {
        open(&mut x, "Classes");
        field(&mut x, "ClassId", &c.id);
        field(&mut x, "Class", &c.name);
        field(&mut x, "LongTitle", &c.long_title);
        for cat in &c.categories {
            x.push_str("    <Categories>\n");
            for (name, value) in [
                ("CatId", cat.id.clone()),
                ("ClassId", c.id.clone()),
                ("Category", cat.name.clone()),
                ("FirstYear", cat.first_year.to_string()),
                ("LastYear", cat.last_year.to_string()),
            ] {
                let _ = writeln!(x, "      <{name}>{}</{name}>", escape(&value));
            }
            x.push_str("    </Categories>\n");
        }
        close(&mut x, "Classes");
    }

    for (i, race) in regatta.races.iter().enumerate() {
        let start = Regatta::clock_s(race.first_start_ms);
        let start_padded = if start.len() == 7 {
            format!("0{start}")
        } else {
            start.clone()
        };
        open(&mut x, "Schedule");
        field(&mut x, "RaceId", &race.id);
        field(&mut x, "RaceOrder", &race.order.to_string());
        field(
            &mut x,
            "StartTime",
            &format!("{date}T{start_padded}{offset}"),
        );
        field(&mut x, "Time", &start_padded);
        field(&mut x, "ClassId", &regatta.classes[race.class].id);
        field(&mut x, "DisId", race.dis.code());
        field(
            &mut x,
            "FirstBib",
            &race.runs.first().map_or(1, |r| r.bib).to_string(),
        );
        let secs = INTERVAL_MS / 1000;
        field(
            &mut x,
            "StartInterval",
            &format!("{}:{:02}", secs / 60, secs % 60),
        );
        field(&mut x, "JuryNr", "1");
        field(&mut x, "CourseNr", "1");
        let status = statuses.get(i).copied().unwrap_or(race_status::SCHEDULED);
        field(&mut x, "RaceStatus", &status.to_string());
        close(&mut x, "Schedule");
    }

    for race in &regatta.races {
        for run in &race.runs {
            let p = &regatta.participants[run.participant];
            open(&mut x, "Results");
            field(&mut x, "RaceId", &race.id);
            field(&mut x, "Id", &p.id);
            field(&mut x, "StartOrder", &run.start_order.to_string());
            field(&mut x, "Bib", &format!("{:>4}", run.bib));
            field(&mut x, "StartTime", &Regatta::clock_s(run.planned_ms));
            x.push_str("    <Status />\n");
            if race.dis == Dis::Br2 {
                x.push_str("    <PrevRnk />\n");
            }
            close(&mut x, "Results");
        }
    }

    open(&mut x, "CourseData");
    field(&mut x, "CourseNr", "1");
    field(&mut x, "CourseConfig", &regatta.course_config);
    close(&mut x, "CourseData");

    x.push_str("</Canoe123Data>\n");
    x
}

fn open(x: &mut String, name: &str) {
    let _ = writeln!(x, "  <{name}>");
}

fn close(x: &mut String, name: &str) {
    let _ = writeln!(x, "  </{name}>");
}

fn field(x: &mut String, name: &str, value: &str) {
    let _ = writeln!(x, "    <{name}>{}</{name}>", escape(value));
}

/// Escapes the five XML special characters.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}
