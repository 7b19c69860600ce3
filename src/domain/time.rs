//! Time as the portal shows it: calendar days and wall-clock times in America/Montreal, from the
//! tz database (chrono-tz, built with only this zone: see `.cargo/config.toml`).

use super::fields::Problem;
use super::{Millis, HOUR};
use chrono::{Datelike, NaiveDate, Offset, TimeZone, Timelike};
use chrono_tz::America::Montreal;

/// A calendar day in America/Montreal, the portal's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Day(NaiveDate);

impl Day {
    /// `YYYY-MM-DD`, between the years 1900 and 2999: legacy relations go back decades.
    pub fn parse(raw: &str) -> Result<Day, Problem> {
        if raw.is_empty() {
            return Err(Problem::Required);
        }
        let well_formed = raw.len() == 10
            && raw.bytes().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            });
        // Read by hand once the shape is checked: chrono's format-string parser and its tables
        // would otherwise be compiled into the worker for this one format.
        let number = |range: std::ops::Range<usize>| {
            raw.as_bytes()[range]
                .iter()
                .fold(0u32, |n, b| n * 10 + u32::from(b - b'0'))
        };
        let date = Some(well_formed)
            .filter(|well_formed| *well_formed)
            .and_then(|_| NaiveDate::from_ymd_opt(number(0..4) as i32, number(5..7), number(8..10)))
            .filter(|d| (1900..3000).contains(&d.year()))
            .ok_or(Problem::InvalidDate)?;
        Ok(Day(date))
    }

    /// The day an instant falls on in Montreal.
    pub fn of(instant: Millis) -> Day {
        let local = instant + montreal_offset(instant);
        Day(chrono::DateTime::from_timestamp_millis(local)
            .map(|t| t.date_naive())
            .unwrap_or_default())
    }

    /// The instant the day starts (local midnight, which no daylight-saving change in Montreal
    /// skips or repeats).
    pub fn start(self) -> Millis {
        self.0
            .and_hms_opt(0, 0, 0)
            .and_then(|midnight| Montreal.from_local_datetime(&midnight).earliest())
            .map(|start| start.timestamp_millis())
            .unwrap_or_default()
    }

    /// The instant the day ends: the start of the next day.
    pub fn end(self) -> Millis {
        self.0.succ_opt().map(Day).unwrap_or(self).start()
    }

    /// The day before the one an exclusive end instant closes: what an end date shows.
    pub fn ending_at(end: Millis) -> Day {
        Day::of(end - 1)
    }

    pub fn to_iso(self) -> String {
        iso_date(self.0)
    }
}

/// A day in a body: `YYYY-MM-DD`.
impl serde::Serialize for Day {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_iso())
    }
}

inline_schema!(
    Day,
    schemars::json_schema!({ "type": "string", "format": "date" })
);

/// `YYYY-MM-DD`, as chrono's `%Y-%m-%d` writes it (a year outside 0–9999 with its sign), without
/// its formatting machinery.
pub fn iso_date(date: NaiveDate) -> String {
    let year = date.year();
    if (0..10_000).contains(&year) {
        format!("{year:04}-{:02}-{:02}", date.month(), date.day())
    } else {
        format!("{year:+05}-{:02}-{:02}", date.month(), date.day())
    }
}

/// An instant as a Montreal wall-clock time to the minute, `2026-12-07 01:29` (written by hand,
/// like [`iso_date`], to leave chrono's format-string machinery out of the wasm).
pub fn montreal_minute(instant: Millis) -> String {
    chrono::DateTime::from_timestamp_millis(instant + montreal_offset(instant))
        .map(|local| {
            format!(
                "{} {:02}:{:02}",
                iso_date(local.date_naive()),
                local.hour(),
                local.minute()
            )
        })
        .unwrap_or_default()
}

/// Offset of Montreal from UTC at an instant, from the tz database's rules for the zone.
fn montreal_offset(instant: Millis) -> Millis {
    chrono::DateTime::from_timestamp_millis(instant).map_or(-5 * HOUR, |utc| {
        let offset = Montreal.offset_from_utc_datetime(&utc.naive_utc());
        Millis::from(offset.fix().local_minus_utc()) * 1000
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_reads_in_montreal_with_daylight_saving() {
        // 2026-12-07 06:29 UTC is 01:29 in Montreal (EST); 2026-07-01 12:00 UTC is 08:00 (EDT).
        assert_eq!(montreal_minute(1_796_624_940_000), "2026-12-07 01:29");
        assert_eq!(montreal_minute(1_782_907_200_000), "2026-07-01 08:00");
    }

    #[test]
    fn dates_are_written_as_chrono_writes_year_month_day() {
        for (year, month, day) in [
            (2026, 11, 7),
            (1900, 1, 1),
            (999, 12, 31),
            (0, 3, 4),
            (-5, 6, 7),
            (10_000, 2, 29),
            (-262_000, 1, 1),
        ] {
            let date = NaiveDate::from_ymd_opt(year, month, day).unwrap();
            assert_eq!(
                iso_date(date),
                date.format("%Y-%m-%d").to_string(),
                "{date:?}"
            );
        }
    }

    #[test]
    fn days_parse_strictly() {
        assert_eq!(Day::parse("2026-11-27").unwrap().to_iso(), "2026-11-27");
        assert_eq!(Day::parse("1987-04-01").unwrap().to_iso(), "1987-04-01");
        for bad in [
            "2026-2-1",
            "2026-02-30",
            "27/11/2026",
            "1899-12-31",
            "3000-01-01",
            "2026-11-27T00:00",
        ] {
            assert_eq!(Day::parse(bad), Err(Problem::InvalidDate), "{bad}");
        }
        assert_eq!(Day::parse(""), Err(Problem::Required));
    }

    #[test]
    fn days_start_at_montreal_midnight_in_both_seasons() {
        // 2026-01-15 00:00 EST = 05:00 UTC; 2026-07-15 00:00 EDT = 04:00 UTC.
        assert_eq!(Day::parse("2026-01-15").unwrap().start(), 1_768_453_200_000);
        assert_eq!(Day::parse("2026-07-15").unwrap().start(), 1_784_088_000_000);
        // The days of the changes: 2026-03-08 and 2026-11-01 both start before the jump.
        assert_eq!(Day::parse("2026-03-08").unwrap().start(), 1_772_946_000_000);
        assert_eq!(Day::parse("2026-03-09").unwrap().start(), 1_773_028_800_000);
        assert_eq!(Day::parse("2026-11-01").unwrap().start(), 1_793_505_600_000);
        assert_eq!(Day::parse("2026-11-02").unwrap().start(), 1_793_595_600_000);
        let day = Day::parse("2026-11-01").unwrap();
        assert_eq!(
            day.end() - day.start(),
            25 * HOUR,
            "the autumn day has 25 hours"
        );
    }

    #[test]
    fn an_instant_falls_on_its_montreal_day() {
        let day = Day::parse("2026-11-27").unwrap();
        assert_eq!(Day::of(day.start()), day);
        assert_eq!(Day::of(day.end() - 1), day);
        assert_eq!(Day::ending_at(day.end()), day);
        // 2026-11-28 02:00 UTC is still the evening of the 27th in Montreal.
        assert_eq!(Day::of(1_795_831_200_000), day);
    }

    #[test]
    fn offsets_before_the_2007_rule_follow_the_rule_of_their_year() {
        // 2006-04-02 was the first Sunday of April, when daylight saving then began: the 20th of
        // March 2006 was still standard time (-5 h), though today's rule would say -4 h.
        assert_eq!(Day::parse("2006-03-20").unwrap().start(), 1_142_830_800_000);
    }
}
