//! How the organisation's audit trail is narrowed to an action prefix, and how a page points at
//! the next one.
//!
//! The trail is indexed once per key: every event (`""`), its category (the action up to its first
//! dot, `token.`) and its action (`token.created`), each key with its count. A prefix is answered
//! through the one key whose rows are exactly the events it keeps, when there is one; otherwise
//! (a prefix that cuts several actions of a category, such as `link.known`) the whole trail is
//! walked in order and filtered.

use super::Millis;

/// How a prefix reads the trail, with the number of events it keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Narrowing {
    /// No event starts with the prefix.
    Nothing,
    /// The rows of this key are exactly the events kept.
    Key { key: String, total: i64 },
    /// Every event, filtered by its action.
    Walk { total: i64 },
}

fn is_category(key: &str) -> bool {
    key.ends_with('.')
}

fn category_of(action: &str) -> &str {
    action.find('.').map_or("", |dot| &action[..=dot])
}

/// The narrowing for `prefix`, given every key that starts with it and its count.
pub fn narrow(prefix: &str, keys: &[(String, i64)]) -> Narrowing {
    if let Some((key, n)) = keys.iter().find(|(k, _)| k == prefix && is_category(k)) {
        return Narrowing::Key {
            key: key.clone(),
            total: *n,
        };
    }
    let actions: Vec<&(String, i64)> = keys
        .iter()
        .filter(|(k, _)| !k.is_empty() && !is_category(k))
        .collect();
    let total: i64 = actions.iter().map(|(_, n)| n).sum();
    match actions.as_slice() {
        [] => Narrowing::Nothing,
        [(action, n)] => Narrowing::Key {
            key: action.clone(),
            total: *n,
        },
        [(first, _), rest @ ..] => {
            let category = category_of(first);
            let whole_category = !category.is_empty()
                && rest.iter().all(|(a, _)| category_of(a) == category)
                && keys.iter().any(|(k, n)| k == category && *n == total);
            if whole_category {
                Narrowing::Key {
                    key: category.to_owned(),
                    total,
                }
            } else {
                Narrowing::Walk { total }
            }
        }
    }
}

/// Where the next page starts: after the event at `at` with trail position `seq` (opaque to
/// clients as `<at>-<seq>`, valid with the same filters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrailCursor {
    pub at: Millis,
    pub seq: i64,
}

impl TrailCursor {
    pub fn parse(text: &str) -> Option<TrailCursor> {
        let (at, seq) = text.split_once('-')?;
        let number = |part: &str| {
            (!part.is_empty() && part.len() <= 18 && part.bytes().all(|b| b.is_ascii_digit()))
                .then(|| part.parse::<i64>().ok())
                .flatten()
                .filter(|n| *n <= super::MAX_BOUND_INTEGER)
        };
        Some(TrailCursor {
            at: number(at)?,
            seq: number(seq)?,
        })
    }

    pub fn text(&self) -> String {
        format!("{}-{}", self.at, self.seq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(key: &str, total: i64) -> Narrowing {
        Narrowing::Key {
            key: key.into(),
            total,
        }
    }

    fn keys(list: &[(&str, i64)]) -> Vec<(String, i64)> {
        list.iter().map(|(k, n)| ((*k).to_owned(), *n)).collect()
    }

    #[test]
    fn a_category_reads_its_own_key() {
        let found = keys(&[("token.", 5), ("token.created", 3), ("token.revoked", 2)]);
        assert_eq!(narrow("token.", &found), key("token.", 5));
    }

    #[test]
    fn a_prefix_that_keeps_one_action_reads_that_action() {
        let found = keys(&[("token.revoked", 2)]);
        assert_eq!(narrow("token.rev", &found), key("token.revoked", 2));
    }

    #[test]
    fn a_prefix_that_keeps_a_whole_category_reads_the_category() {
        let found = keys(&[("token.", 5), ("token.created", 3), ("token.revoked", 2)]);
        assert_eq!(narrow("token", &found), key("token.", 5));
    }

    #[test]
    fn a_prefix_that_cuts_a_category_walks_the_trail() {
        let found = keys(&[
            ("link.known_facts_requested", 4),
            ("link.known_facts_sent", 1),
        ]);
        assert_eq!(narrow("link.known", &found), Narrowing::Walk { total: 5 });
    }

    #[test]
    fn a_prefix_across_categories_walks_the_trail() {
        let found = keys(&[
            ("link.", 1),
            ("link.failed", 1),
            ("link_credentials.", 2),
            ("link_credentials.issued", 2),
        ]);
        assert_eq!(narrow("link", &found), Narrowing::Walk { total: 3 });
    }

    #[test]
    fn a_prefix_no_event_starts_with_keeps_nothing() {
        assert_eq!(narrow("nothing.", &[]), Narrowing::Nothing);
    }

    #[test]
    fn a_cursor_reads_back_what_it_wrote() {
        let cursor = TrailCursor {
            at: 1_765_000_000_000,
            seq: 42,
        };
        assert_eq!(TrailCursor::parse(&cursor.text()), Some(cursor));
    }

    #[test]
    fn a_cursor_that_is_not_two_numbers_is_refused() {
        for text in [
            "",
            "-",
            "12",
            "12-",
            "-3",
            "a-3",
            "1-2-3",
            "+1-2",
            "1 -2",
            "9999999999999999999-1",
            "21943800-394608137627671182",
        ] {
            assert_eq!(TrailCursor::parse(text), None, "{text:?}");
        }
    }
}
