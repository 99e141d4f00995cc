//! Translation tasks, generated from a seed: nothing to download.
//!
//! - **dates**: a date written the way people write it ("3 May 1999", "Monday, May 3, 1999",
//!   "03/05/99", "May 3rd '99", "1999年5月3日", …) → ISO 8601, "1999-05-03". Dates are drawn
//!   from the real calendar, 1950–2049. Ambiguity rule: numeric forms are day first (03/05/99
//!   is 3 May), and a two-digit year '50–'99 means 1950–1999, '00–'49 means 2000–2049.
//! - **reverse**: a string of symbols → the same string backwards ("abcd" → "dcba"): every
//!   output character attends to one input character, along the anti-diagonal.
//! - **sort**: a string of symbols → its symbols in order ("dbca" → "abcd").
//!
//! The held-out set is fixed by the task alone: a date (or symbol string) is held out by a
//! hash of its value, so no training example ever shows a held-out date in any format.
//!
//! ```
//! use kindling::data::tasks::{Task, TaskData};
//!
//! let data = TaskData::new(Task::Dates);
//! let mut rng = kindling::rng::SplitMix64::new(1);
//! let example = data.train_example(&mut rng);
//! assert_eq!(example.target.len(), 10); // YYYY-MM-DD
//! ```

use crate::data::text::Vocab;
use crate::rng::SplitMix64;

/// Which task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    Dates,
    Reverse,
    Sort,
}

impl Task {
    /// "dates", "reverse" or "sort".
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "dates" => Some(Self::Dates),
            "reverse" => Some(Self::Reverse),
            "sort" => Some(Self::Sort),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Dates => "dates",
            Self::Reverse => "reverse",
            Self::Sort => "sort",
        }
    }
}

/// One input and its translation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    pub input: String,
    pub target: String,
}

pub const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
pub const WEEKDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
/// The symbols of the reverse and sort tasks.
pub const SYMBOLS: &str = "abcdefghijkl";
/// Symbol strings are this long at most (and 2 at least).
pub const MAX_SYMBOLS: usize = 10;
/// The first and last year a date can have.
pub const YEARS: (i64, i64) = (1950, 2049);
/// How many held-out examples each task has.
pub const HELD_OUT: usize = 500;

/// A day in the proleptic Gregorian calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date {
    pub year: i64,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// Days since 1970-01-01 (negative before it).
    pub fn days(self) -> i64 {
        // Count from 1 March, so the leap day is the last day of the counted year.
        let (m, d) = (self.month as i64, self.day as i64);
        let y = if m <= 2 { self.year - 1 } else { self.year };
        let era = y.div_euclid(400);
        let year_of_era = y - era * 400;
        let day_of_year = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }

    /// The date `days` after 1970-01-01.
    pub fn from_days(days: i64) -> Self {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let day_of_era = z - era * 146_097;
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let mp = (5 * day_of_year + 2) / 153;
        let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = year_of_era + era * 400 + (month <= 2) as i64;
        Self { year, month, day }
    }

    /// 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday).
    pub fn weekday(self) -> usize {
        (self.days() + 4).rem_euclid(7) as usize
    }

    /// ISO 8601: `YYYY-MM-DD`.
    pub fn iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn ordinal(day: u32) -> &'static str {
    match (day % 10, day % 100) {
        (1, n) if n != 11 => "st",
        (2, n) if n != 12 => "nd",
        (3, n) if n != 13 => "rd",
        _ => "th",
    }
}

/// Number of date formats.
pub const FORMATS: usize = 16;

/// `date` written in format `format` (0 to `FORMATS - 1`).
pub fn write_date(date: Date, format: usize) -> String {
    let Date { year, month, day } = date;
    let name = MONTHS[month as usize - 1];
    let short = &name[..3];
    let weekday = WEEKDAYS[date.weekday()];
    let yy = year.rem_euclid(100);
    let th = ordinal(day);
    match format {
        0 => format!("{day} {name} {year}"),
        1 => format!("{weekday}, {name} {day}, {year}"),
        2 => format!("{day:02}/{month:02}/{yy:02}"),
        3 => format!("{name} {day}{th} '{yy:02}"),
        4 => format!("{year}年{month}月{day}日"),
        5 => format!("{day:02}.{month:02}.{year}"),
        6 => format!("{name} {day}, {year}"),
        7 => format!("{day}{th} of {name} {year}"),
        8 => format!("{short} {day} {year}"),
        9 => format!("{} {day} {short} {year}", &weekday[..3]),
        10 => format!("{day}-{short}-{yy:02}"),
        11 => format!("{} {day} {year}", name.to_uppercase()),
        12 => format!("{day}/{month}/{year}"),
        13 => format!("{year}/{month:02}/{day:02}"),
        14 => format!("{day} {} {year}", name.to_lowercase()),
        15 => format!("{weekday} {day} {name} {yy:02}"),
        _ => panic!("there are {FORMATS} date formats"),
    }
}

/// Whether a value is held out: a fixed tenth, by a hash of the value.
fn held_out(key: u64) -> bool {
    SplitMix64::new(key ^ 0x6865_6C64).next_u64() % 10 == 0
}

/// A task's vocabularies, held-out set and training stream.
#[derive(Debug, Clone)]
pub struct TaskData {
    task: Task,
    source: Vocab,
    target: Vocab,
    held_out: Vec<Example>,
}

impl TaskData {
    pub fn new(task: Task) -> Self {
        let (source, target) = match task {
            Task::Dates => {
                let mut chars = String::from("0123456789 ,./-'年月日");
                for word in MONTHS
                    .iter()
                    .chain(&WEEKDAYS)
                    .chain(&["st", "nd", "rd", "th", "of"])
                {
                    chars.push_str(word);
                    chars.push_str(&word.to_uppercase());
                    chars.push_str(&word.to_lowercase());
                }
                (
                    Vocab::with_specials(chars.chars()),
                    Vocab::with_specials("0123456789-".chars()),
                )
            }
            Task::Reverse | Task::Sort => {
                let v = Vocab::with_specials(SYMBOLS.chars());
                (v.clone(), v)
            }
        };
        let mut data = Self {
            task,
            source,
            target,
            held_out: Vec::new(),
        };
        let mut rng = SplitMix64::new(0x7465_7374); // the held-out set never changes
        while data.held_out.len() < HELD_OUT {
            let (key, example) = data.draw(&mut rng);
            if held_out(key) && !data.held_out.contains(&example) {
                data.held_out.push(example);
            }
        }
        data
    }

    pub fn task(&self) -> Task {
        self.task
    }

    /// The input characters.
    pub fn source_vocab(&self) -> &Vocab {
        &self.source
    }

    /// The output characters.
    pub fn target_vocab(&self) -> &Vocab {
        &self.target
    }

    /// The longest input, in characters.
    pub fn max_input(&self) -> usize {
        match self.task {
            Task::Dates => 32,
            Task::Reverse | Task::Sort => MAX_SYMBOLS,
        }
    }

    /// The longest output, in characters.
    pub fn max_target(&self) -> usize {
        match self.task {
            Task::Dates => 10,
            Task::Reverse | Task::Sort => MAX_SYMBOLS,
        }
    }

    /// The fixed held-out examples, never drawn for training.
    pub fn held_out(&self) -> &[Example] {
        &self.held_out
    }

    /// A random training example (never a held-out value).
    pub fn train_example(&self, rng: &mut SplitMix64) -> Example {
        loop {
            let (key, example) = self.draw(rng);
            if !held_out(key) {
                return example;
            }
        }
    }

    /// The translation of `input` by the task's rule, where the rule can be applied directly
    /// (reverse, sort); `None` for dates, which need the model.
    pub fn rule(&self, input: &str) -> Option<String> {
        match self.task {
            Task::Dates => None,
            Task::Reverse => Some(input.chars().rev().collect()),
            Task::Sort => {
                let mut chars: Vec<char> = input.chars().collect();
                chars.sort_unstable();
                Some(chars.into_iter().collect())
            }
        }
    }

    /// One example and the key that decides whether it is held out.
    fn draw(&self, rng: &mut SplitMix64) -> (u64, Example) {
        match self.task {
            Task::Dates => {
                let first = Date {
                    year: YEARS.0,
                    month: 1,
                    day: 1,
                }
                .days();
                let last = Date {
                    year: YEARS.1,
                    month: 12,
                    day: 31,
                }
                .days();
                let days = first + rng.below((last - first + 1) as usize) as i64;
                let date = Date::from_days(days);
                let input = write_date(date, rng.below(FORMATS));
                (
                    days as u64,
                    Example {
                        input,
                        target: date.iso(),
                    },
                )
            }
            Task::Reverse | Task::Sort => {
                let symbols: Vec<char> = SYMBOLS.chars().collect();
                let len = 2 + rng.below(MAX_SYMBOLS - 1);
                let input: String = (0..len)
                    .map(|_| symbols[rng.below(symbols.len())])
                    .collect();
                let key = input
                    .bytes()
                    .fold(0u64, |h, b| h.wrapping_mul(131).wrapping_add(b as u64));
                let target = self.rule(&input).expect("a rule for symbol tasks");
                (key, Example { input, target })
            }
        }
    }
}
