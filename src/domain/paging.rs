//! Keyset paging: a page ends with a cursor naming its last (or first) row by its sort key, so the
//! next page reads only its own rows, at any depth. The cursor also carries the row's position, for
//! "Rangées X - Y de N", and a fingerprint of the sort and filters it belongs to.

use super::fields::Problem;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// The order of "Mes dossiers autorisés".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub by: SortKey,
    pub descending: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Name,
    Number,
}

impl Sort {
    /// `name`, `number`, or either prefixed with `-` for descending.
    pub fn parse(raw: &str) -> Result<Sort, Problem> {
        let (descending, key) = match raw.strip_prefix('-') {
            Some(key) => (true, key),
            None => (false, raw),
        };
        let by = match key {
            "name" => SortKey::Name,
            "number" => SortKey::Number,
            _ => return Err(Problem::InvalidChoice),
        };
        Ok(Sort { by, descending })
    }

    pub fn as_str(self) -> &'static str {
        match (self.by, self.descending) {
            (SortKey::Name, false) => "name",
            (SortKey::Name, true) => "-name",
            (SortKey::Number, false) => "number",
            (SortKey::Number, true) => "-number",
        }
    }
}

impl Default for Sort {
    fn default() -> Self {
        Sort {
            by: SortKey::Name,
            descending: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The rows after `key`/`id` in the sort order.
    Next,
    /// The rows before `key`/`id`.
    Previous,
}

/// A position in a sorted list: the boundary row's sort key and id, and its 0-based position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub direction: Direction,
    pub key: String,
    pub id: String,
    pub position: i64,
}

impl Cursor {
    /// Opaque to clients: URL-safe base64 of the direction, position, id and key, sealed with a
    /// keyed hash of those and of the list's `scope` (its sort and filters), so a cursor edited by
    /// hand, cut short or used with another search is refused.
    pub fn encode(&self, scope: &str, key: &[u8]) -> String {
        let direction = match self.direction {
            Direction::Next => 'n',
            Direction::Previous => 'p',
        };
        let text = format!("{direction}:{}:{}:{}", self.position, self.id, self.key);
        let seal = seal(key, scope, &text);
        URL_SAFE_NO_PAD.encode(format!("{seal}:{text}"))
    }

    /// A cursor made by [`Cursor::encode`] for the same scope and key; anything else is refused.
    pub fn decode(raw: &str, scope: &str, key: &[u8]) -> Result<Cursor, Problem> {
        let invalid = Problem::InvalidCursor;
        if raw.len() > 400 {
            return Err(invalid);
        }
        let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| invalid)?;
        let sealed = String::from_utf8(bytes).map_err(|_| invalid)?;
        let (given, text) = sealed.split_once(':').ok_or(invalid)?;
        let expected = seal(key, scope, text);
        if !bool::from(subtle::ConstantTimeEq::ct_eq(
            given.as_bytes(),
            expected.as_bytes(),
        )) {
            return Err(invalid);
        }
        let mut parts = text.splitn(4, ':');
        let mut next = || parts.next().ok_or(invalid);
        let direction = match next()? {
            "n" => Direction::Next,
            "p" => Direction::Previous,
            _ => return Err(invalid),
        };
        let position = next()?
            .parse::<i64>()
            .ok()
            .filter(|p| (0..=super::MAX_BOUND_INTEGER).contains(p))
            .ok_or(invalid)?;
        let id = next()?.to_owned();
        let key = next()?.to_owned();
        Ok(Cursor {
            direction,
            key,
            id,
            position,
        })
    }
}

/// 64 bits of HMAC-SHA256 over a cursor's text and the scope it belongs to.
fn seal(key: &[u8], scope: &str, text: &str) -> String {
    super::keyed_hash(key, &format!("cursor:{scope}"), text)[..16].to_owned()
}

/// What a cursor is valid for (sort, filters): the parts joined unambiguously.
pub fn scope(parts: &[&str]) -> String {
    parts.join("\u{0}")
}

/// What one page shows: rows `from`..=`to` (1-based; 0 and 0 when empty) and where to go next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageWindow {
    pub from: i64,
    pub to: i64,
    pub next: Option<Cursor>,
    pub previous: Option<Cursor>,
}

/// The window of a page read in the sort order. `rows` are the (key, id) of the rows read: one
/// more than `size` when more follow in the direction read. `position` is, reading forward, the
/// 0-based position of the first row read; reading backward, that of the row the page ends before.
pub fn window(
    rows: &[(String, String)],
    size: usize,
    direction: Direction,
    position: i64,
) -> PageWindow {
    let more = rows.len() > size;
    let shown: Vec<&(String, String)> = match direction {
        Direction::Next => rows.iter().take(size).collect(),
        // Read backwards: the extra row is the farthest back; the rest, reversed, is the page.
        Direction::Previous => rows.iter().take(size).rev().collect(),
    };
    let (Some(first), Some(last)) = (shown.first(), shown.last()) else {
        return PageWindow {
            from: 0,
            to: 0,
            next: None,
            previous: None,
        };
    };
    let start = match direction {
        Direction::Next => position,
        // Reading back past the first row means this is the first page, whatever the position said.
        Direction::Previous if !more => 0,
        Direction::Previous => (position - shown.len() as i64).max(0),
    };
    let end = start + shown.len() as i64 - 1;
    let cursor = |row: &(String, String), direction, position| Cursor {
        direction,
        key: row.0.clone(),
        id: row.1.clone(),
        position,
    };
    let (has_next, has_previous) = match direction {
        Direction::Next => (more, start > 0),
        Direction::Previous => (true, more),
    };
    PageWindow {
        from: start + 1,
        to: end + 1,
        next: has_next.then(|| cursor(last, Direction::Next, end)),
        previous: has_previous.then(|| cursor(first, Direction::Previous, start)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The row a cursor names and its position.
    fn at(cursor: &Option<Cursor>) -> Option<(&str, i64)> {
        cursor.as_ref().map(|c| (c.id.as_str(), c.position))
    }

    fn rows(ids: std::ops::Range<u32>) -> Vec<(String, String)> {
        ids.map(|i| (format!("k{i:03}"), format!("id{i}")))
            .collect()
    }

    #[test]
    fn sorts_parse_with_an_optional_minus() {
        assert_eq!(Sort::parse("-number").unwrap().as_str(), "-number");
        assert_eq!(Sort::parse("name").unwrap(), Sort::default());
        assert_eq!(Sort::parse("date"), Err(Problem::InvalidChoice));
    }

    #[test]
    fn a_cursor_survives_its_round_trip_and_nothing_else() {
        let cursor = Cursor {
            direction: Direction::Previous,
            key: " les entreprises: quebec".into(),
            id: "ab-12".into(),
            position: 40,
        };
        let encoded = cursor.encode("name", b"key");
        assert_eq!(Cursor::decode(&encoded, "name", b"key"), Ok(cursor));
        assert_eq!(
            Cursor::decode(&encoded, "number", b"key"),
            Err(Problem::InvalidCursor),
            "a cursor of another search"
        );
        assert_eq!(
            Cursor::decode(&encoded, "name", b"other key"),
            Err(Problem::InvalidCursor),
            "a cursor sealed with another key"
        );
        let text = String::from_utf8(URL_SAFE_NO_PAD.decode(&encoded).unwrap()).unwrap();
        let edited = URL_SAFE_NO_PAD.encode(text.replace(":40:", ":70:"));
        assert_eq!(
            Cursor::decode(&edited, "name", b"key"),
            Err(Problem::InvalidCursor),
            "an edited position"
        );
        for garbage in [
            "",
            "!!!",
            "bjpmMDBkOi0xOmFiOmtleQ",
            &"A".repeat(500),
            &encoded[..encoded.len() - 2],
        ] {
            assert_eq!(
                Cursor::decode(garbage, "name", b"key"),
                Err(Problem::InvalidCursor),
                "{garbage}"
            );
        }
    }

    #[test]
    fn scopes_tell_searches_apart() {
        assert_eq!(scope(&["a", "b"]), scope(&["a", "b"]));
        assert_ne!(scope(&["ab", ""]), scope(&["a", "b"]));
    }

    #[test]
    fn the_first_page_has_a_next_cursor_only() {
        let page = window(&rows(0..26), 25, Direction::Next, 0);
        assert_eq!((page.from, page.to), (1, 25));
        assert_eq!(at(&page.next), Some(("id24", 24)));
        assert!(page.previous.is_none());
    }

    #[test]
    fn a_middle_page_read_forward_has_both_cursors() {
        let page = window(&rows(25..51), 25, Direction::Next, 25);
        assert_eq!((page.from, page.to), (26, 50));
        assert_eq!(at(&page.previous), Some(("id25", 25)));
    }

    #[test]
    fn the_last_page_is_partial_and_has_no_next() {
        let page = window(&rows(50..60), 25, Direction::Next, 50);
        assert_eq!((page.from, page.to), (51, 60));
        assert!(page.next.is_none());
        assert!(page.previous.is_some());
    }

    #[test]
    fn reading_backwards_restores_the_order_and_positions() {
        // Rows before id50, read in reverse order: id49 … id24 (26 rows: more before).
        let read: Vec<_> = rows(24..50).into_iter().rev().collect();
        let page = window(&read, 25, Direction::Previous, 50);
        assert_eq!((page.from, page.to), (26, 50));
        assert_eq!(page.previous.as_ref().map(|c| c.id.as_str()), Some("id25"));
        assert_eq!(page.next.as_ref().map(|c| c.id.as_str()), Some("id49"));
    }

    #[test]
    fn reading_back_to_the_start_is_the_first_page_whatever_the_position() {
        let read: Vec<_> = rows(0..25).into_iter().rev().collect();
        let page = window(&read, 25, Direction::Previous, 7);
        assert_eq!((page.from, page.to), (1, 25));
        assert!(page.previous.is_none());
    }

    #[test]
    fn an_empty_page_has_no_rows_and_no_cursors() {
        let page = window(&[], 25, Direction::Next, 0);
        assert_eq!((page.from, page.to), (0, 0));
        assert!(page.next.is_none() && page.previous.is_none());
    }
}
