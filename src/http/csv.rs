//! CSV downloads: semicolon-separated (what French-locale spreadsheets expect), UTF-8 with a BOM,
//! CRLF line ends, and cells that a spreadsheet would run as formulas neutralised.

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

#[cfg(test)]
mod tests {
    use super::*;

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
