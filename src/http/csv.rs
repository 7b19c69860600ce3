//! CSV downloads: semicolon-separated (what French-locale spreadsheets expect), UTF-8 with a BOM,
//! CRLF line ends, and cells that a spreadsheet would run as formulas neutralised. And CSV
//! uploads: UTF-8 with or without a BOM, `;` or `,` between cells (whichever the header uses),
//! quoted cells, any line end.

/// One field: quoted when needed, and a leading `=`, `+`, `-` or `@` prefixed with `'` so that a
/// spreadsheet never runs a name as a formula.
pub fn field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// A whole document: the header line, then one line per row.
pub fn document(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut out = String::from("\u{feff}");
    out.push_str(&header.join(";"));
    out.push_str("\r\n");
    for row in rows {
        let cells: Vec<String> = row.iter().map(|cell| field(cell)).collect();
        out.push_str(&cells.join(";"));
        out.push_str("\r\n");
    }
    out
}

/// The delimiter of a document: `;` when its first line has one outside quotes (French-locale
/// spreadsheets write it, and a decimal comma may then appear in cells), `,` otherwise.
fn delimiter(text: &str) -> char {
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            ';' if !quoted => return ';',
            '\n' | '\r' if !quoted => break,
            _ => {}
        }
    }
    ','
}

/// The rows of an uploaded document, each a list of cells, blank lines included (so row `n` is
/// line `n` of the file as a spreadsheet numbers it, unless a quoted cell spans lines). A quoted
/// cell that never closes answers the number of the row it starts.
pub fn read(text: &str) -> Result<Vec<Vec<String>>, usize> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let separator = delimiter(text);
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut row: Vec<String> = Vec::new();
    let mut cell = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    cell.push('"');
                }
                '"' => quoted = false,
                _ => cell.push(c),
            }
            continue;
        }
        match c {
            '"' if cell.is_empty() => quoted = true,
            c if c == separator => row.push(std::mem::take(&mut cell)),
            '\r' | '\n' => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            _ => cell.push(c),
        }
    }
    if quoted {
        return Err(rows.len() + 1);
    }
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push(row);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter()
            .map(|row| row.iter().map(|c| c.to_string()).collect())
            .collect()
    }

    #[test]
    fn an_upload_is_read_with_semicolons_or_commas_and_with_or_without_a_bom() {
        let expected = cells(&[&["a", "b"], &["1,5", "x"]]);
        assert_eq!(read("\u{feff}a;b\r\n1,5;x\r\n"), Ok(expected));
        assert_eq!(
            read("a,b\n\"1,5\",x"),
            Ok(cells(&[&["a", "b"], &["1,5", "x"]]))
        );
    }

    #[test]
    fn quoted_cells_keep_their_separators_quotes_and_line_breaks() {
        assert_eq!(
            read("n;m\r\n\"Tremblay; \"\"Ti-Jean\"\"\nfils\";2"),
            Ok(cells(&[&["n", "m"], &["Tremblay; \"Ti-Jean\"\nfils", "2"]]))
        );
    }

    #[test]
    fn blank_lines_are_kept_so_rows_keep_their_line_numbers() {
        assert_eq!(read("a\n\nb\n"), Ok(cells(&[&["a"], &[""], &["b"]])));
    }

    #[test]
    fn a_quote_that_never_closes_names_its_row() {
        assert_eq!(read("a;b\n1;2\n\"x;3\n"), Err(3));
    }

    #[test]
    fn fields_are_quoted_and_formulas_neutralised() {
        assert_eq!(field("Boréal inc."), "Boréal inc.");
        assert_eq!(field("A;B"), "\"A;B\"");
        assert_eq!(field("dit \"X\""), "\"dit \"\"X\"\"\"");
        assert_eq!(field("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(field("-1"), "'-1");
    }

    #[test]
    fn a_document_starts_with_a_bom_and_ends_lines_with_crlf() {
        let text = document(
            &["a", "b"],
            vec![vec!["1".into(), "x;y".into()]].into_iter(),
        );
        assert_eq!(text, "\u{feff}a;b\r\n1;\"x;y\"\r\n");
    }
}
