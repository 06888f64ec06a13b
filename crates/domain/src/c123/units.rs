//! Time units (c123-xml.md §6): one decision per import, then conversion to centiseconds.
//!
//! Real exports declare `Points100` yet carry milliseconds for times and whole seconds for
//! penalties, so the declaration cannot be trusted; the unit is inferred from the data.

/// The unit the export's `Time`/`Total` values were found to be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    /// Times in milliseconds, penalties in whole seconds (real Canoe123 exports).
    Milliseconds,
    /// Times and penalties already in centiseconds.
    Centiseconds,
}

/// Threshold of the fallback rule: a time above 200 s in centiseconds is implausible.
const MILLISECOND_FALLBACK_THRESHOLD: i32 = 20_000;

/// Feeds on every parsed `Results` record in document order and yields the §6 decision.
#[derive(Debug, Default)]
pub(crate) struct UnitDetector {
    decided: Option<TimeUnit>,
    any_long_time: bool,
}

impl UnitDetector {
    /// Takes one record's parsed `Time`, `Pen` and `Total` (before any conversion).
    pub(crate) fn observe(&mut self, time: Option<i32>, pen: Option<i32>, total: Option<i32>) {
        if time.is_some_and(|t| t > MILLISECOND_FALLBACK_THRESHOLD) {
            self.any_long_time = true;
        }
        if self.decided.is_some() {
            return;
        }
        let (Some(time), Some(pen), Some(total)) = (time, pen, total) else {
            return;
        };
        if pen <= 0 {
            return;
        }
        let (time, pen, total) = (i64::from(time), i64::from(pen), i64::from(total));
        if total == time + 1000 * pen {
            self.decided = Some(TimeUnit::Milliseconds);
        } else if total == time + pen {
            self.decided = Some(TimeUnit::Centiseconds);
        }
    }

    /// The decision: the first decisive record, else any time above 20 000 → milliseconds.
    pub(crate) fn unit(&self) -> TimeUnit {
        self.decided.unwrap_or(if self.any_long_time {
            TimeUnit::Milliseconds
        } else {
            TimeUnit::Centiseconds
        })
    }
}

impl TimeUnit {
    /// A `Time`-like value (`time`, `total`, `prev_time`, `prev_total`, `total_total`) in
    /// centiseconds: milliseconds are divided by 10, halves rounded away from zero.
    pub fn time_to_centiseconds(self, value: Option<i32>) -> Option<i32> {
        let v = value?;
        match self {
            Self::Centiseconds => Some(v),
            Self::Milliseconds => {
                let v = i64::from(v);
                let rounded = if v >= 0 { (v + 5) / 10 } else { (v - 5) / 10 };
                i32::try_from(rounded).ok()
            }
        }
    }

    /// A `Pen`-like value (`pen`, `prev_pen`) in centiseconds: seconds are multiplied by 100.
    /// A product outside the 32-bit range is null, like any other unrepresentable int (DV12).
    pub fn pen_to_centiseconds(self, value: Option<i32>) -> Option<i32> {
        let v = value?;
        match self {
            Self::Centiseconds => Some(v),
            Self::Milliseconds => v.checked_mul(100),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect(records: &[(Option<i32>, Option<i32>, Option<i32>)]) -> TimeUnit {
        let mut detector = UnitDetector::default();
        for &(time, pen, total) in records {
            detector.observe(time, pen, total);
        }
        detector.unit()
    }

    #[test]
    fn the_first_decisive_record_decides() {
        // The real export's first decisive record: 76990 + 1000·2 = 78990.
        assert_eq!(
            detect(&[(Some(76990), Some(2), Some(78990))]),
            TimeUnit::Milliseconds
        );
        assert_eq!(
            detect(&[(Some(9000), Some(200), Some(9200))]),
            TimeUnit::Centiseconds
        );
        assert_eq!(
            detect(&[
                (Some(9000), Some(200), Some(9200)),
                (Some(76990), Some(2), Some(78990))
            ]),
            TimeUnit::Centiseconds
        );
    }

    #[test]
    fn records_that_decide_nothing_are_skipped() {
        // Pen 0, a missing field, or a total that fits neither rule.
        let unit = detect(&[
            (Some(9000), Some(0), Some(9000)),
            (Some(9000), None, Some(9200)),
            (Some(9000), Some(2), Some(1)),
            (Some(76990), Some(2), Some(78990)),
        ]);
        assert_eq!(unit, TimeUnit::Milliseconds);
    }

    #[test]
    fn without_a_decisive_record_long_times_mean_milliseconds() {
        assert_eq!(detect(&[(Some(20001), None, None)]), TimeUnit::Milliseconds);
        assert_eq!(detect(&[(Some(20000), None, None)]), TimeUnit::Centiseconds);
        assert_eq!(detect(&[]), TimeUnit::Centiseconds);
        // A long time after a centisecond decision does not change it.
        assert_eq!(
            detect(&[
                (Some(9000), Some(200), Some(9200)),
                (Some(90000), None, None)
            ]),
            TimeUnit::Centiseconds
        );
    }

    #[test]
    fn conversion_rounds_halves_away_from_zero() {
        let ms = TimeUnit::Milliseconds;
        assert_eq!(ms.time_to_centiseconds(Some(76990)), Some(7699));
        assert_eq!(ms.time_to_centiseconds(Some(76995)), Some(7700));
        assert_eq!(ms.time_to_centiseconds(Some(76994)), Some(7699));
        assert_eq!(ms.time_to_centiseconds(Some(-15)), Some(-2));
        assert_eq!(ms.time_to_centiseconds(Some(-14)), Some(-1));
        assert_eq!(ms.time_to_centiseconds(Some(i32::MAX)), Some(214_748_365));
        assert_eq!(ms.time_to_centiseconds(None), None);
        assert_eq!(ms.pen_to_centiseconds(Some(2)), Some(200));
        assert_eq!(ms.pen_to_centiseconds(Some(i32::MAX)), None);
        let cs = TimeUnit::Centiseconds;
        assert_eq!(cs.time_to_centiseconds(Some(76995)), Some(76995));
        assert_eq!(cs.pen_to_centiseconds(Some(2)), Some(2));
    }
}
